-- Several shows, several servers: a show is first-class, and each Discord server chooses the shows it
-- answers from. Applied once, inside a transaction, by bot/store/migrations.py; user_version then reads 6.
--
-- Every show already in a store came from its operator (`podbot ingest`, the bundled page), so it keeps
-- answering where it answered before: origin 'operator' shows are the instance's defaults unless
-- PODBOT_DEFAULT_SHOWS says otherwise. A show a server adds with `/show add` has origin 'server'.
ALTER TABLE shows ADD COLUMN origin TEXT NOT NULL DEFAULT 'operator' CHECK (origin IN ('operator', 'server'));
-- Where the show was last read from: the feed URL, or the file a page came from. What `/show list` and
-- `podbot shows` print, and what PODBOT_DEFAULT_SHOWS may name.
ALTER TABLE shows ADD COLUMN source TEXT;
ALTER TABLE shows ADD COLUMN added_at TEXT;
ALTER TABLE shows ADD COLUMN last_read_at TEXT;
-- Bumped with catalog_state.generation by each ingest that changed this show's episodes: a process that
-- keeps one lookup index per show rebuilds only the shows whose generation moved.
ALTER TABLE shows ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;

UPDATE shows SET source = feed_url WHERE source IS NULL;

-- The shows a server chose. A server with none answers from the instance's defaults.
CREATE TABLE server_shows (
    guild_id INTEGER NOT NULL,
    show_id  INTEGER NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    added_by INTEGER,                   -- the member who added it, for the server's own records
    added_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, show_id)
);
CREATE INDEX server_shows_by_show ON server_shows (show_id);

-- The newest episodes of a few shows (/latest, empty autocompletes) without reading the others'.
CREATE INDEX episodes_by_show_recency ON episodes (show_id, published DESC, source_order ASC);

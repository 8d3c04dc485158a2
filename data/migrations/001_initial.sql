-- The episode store's first schema: shows, episodes, people, chapters and transcript segments.
-- Applied once, inside a transaction, by bot/store/migrations.py; PRAGMA user_version then reads 1.

CREATE TABLE shows (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,   -- feed URL, or a key derived from the title (bot.ingest.keys)
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    link        TEXT,
    artwork     TEXT,
    feed_url    TEXT
);

CREATE TABLE episodes (
    id           INTEGER PRIMARY KEY,
    show_id      INTEGER NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    guid         TEXT NOT NULL,         -- RSS GUID, or a stable key derived from the source
    title        TEXT NOT NULL,
    title_key    TEXT NOT NULL,         -- folded title: matches one episode across sources without GUIDs
    show_notes   TEXT NOT NULL DEFAULT '',
    duration_s   INTEGER,
    published    TEXT,                  -- ISO 8601 in UTC, or NULL when the source gives no date
    source_order INTEGER NOT NULL DEFAULT 0,
    link         TEXT,
    audio_url    TEXT,
    artwork      TEXT,
    chapters_url TEXT,
    -- Hashes of the parts a source may or may not provide: a part is rewritten only when it changed,
    -- and a source that lacks a part (a feed without a transcript) leaves the stored one alone.
    people_hash   TEXT NOT NULL DEFAULT '',
    chapters_hash TEXT NOT NULL DEFAULT '',
    segments_hash TEXT NOT NULL DEFAULT '',
    added_at     TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (show_id, guid)
);
CREATE INDEX episodes_by_title_key ON episodes (show_id, title_key);
CREATE INDEX episodes_by_recency ON episodes (published DESC, source_order ASC);

CREATE TABLE people (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE       -- folded name: "swyx" and "Swyx" are one person
);

CREATE TABLE episode_people (
    episode_id INTEGER NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    role       TEXT NOT NULL CHECK (role IN ('host', 'guest')),
    position   INTEGER NOT NULL,
    image      TEXT,
    href       TEXT,
    PRIMARY KEY (episode_id, person_id)
);
CREATE INDEX episode_people_by_person ON episode_people (person_id);

CREATE TABLE chapters (
    id         INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    start_s    INTEGER NOT NULL,
    end_s      INTEGER,
    title      TEXT NOT NULL,
    url        TEXT,
    toc        INTEGER NOT NULL DEFAULT 1,
    UNIQUE (episode_id, position)
);

CREATE TABLE segments (
    id         INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    start_s    INTEGER NOT NULL,
    speaker    TEXT,
    text       TEXT NOT NULL,
    UNIQUE (episode_id, position)
);

CREATE TABLE transcript_refs (
    episode_id INTEGER NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
    url        TEXT NOT NULL,
    mime_type  TEXT NOT NULL,
    language   TEXT,
    rel        TEXT,
    PRIMARY KEY (episode_id, url)
);

-- Quote search: segments are short (a few sentences), which keeps snippet() and ranking cheap at scale.
-- External content: the text lives once, in `segments`; the triggers keep the index in step.
CREATE VIRTUAL TABLE segments_fts USING fts5 (
    text,
    content = 'segments',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER segments_ai AFTER INSERT ON segments BEGIN
    INSERT INTO segments_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER segments_ad AFTER DELETE ON segments BEGIN
    INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER segments_au AFTER UPDATE OF text ON segments BEGIN
    INSERT INTO segments_fts (segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO segments_fts (rowid, text) VALUES (new.id, new.text);
END;

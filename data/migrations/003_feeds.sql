-- Following feeds and announcing their episodes: feeds and their poll state, Discord subscriptions, the
-- items each feed has listed, and announcements with their delivery state.

-- One row per followed feed URL, shared by every channel that follows it: a feed is fetched once per poll.
CREATE TABLE feeds (
    id            INTEGER PRIMARY KEY,
    url           TEXT NOT NULL UNIQUE,
    title         TEXT,                  -- the show's title from the last good poll
    etag          TEXT,                  -- validators sent back for a conditional GET
    last_modified TEXT,
    body_hash     TEXT,                  -- an unchanged body (servers without validators) is not parsed again
    baseline_at   TEXT,                  -- the first good poll: what the feed listed then is not news
    next_check    TEXT NOT NULL,         -- ISO 8601 UTC
    last_check    TEXT,
    last_success  TEXT,
    failures      INTEGER NOT NULL DEFAULT 0,  -- consecutive failed polls; drives backoff, warning, pause
    failing_since TEXT,
    last_error    TEXT,
    warned        INTEGER NOT NULL DEFAULT 0,  -- the one warning before pausing has been posted
    paused        INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);
CREATE INDEX feeds_due ON feeds (next_check) WHERE paused = 0;

CREATE TABLE subscriptions (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    channel_id    INTEGER NOT NULL,
    feed_id       INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    role_id       INTEGER,               -- pinged in the announcement's content, and only that role
    created_at    TEXT NOT NULL,
    last_error    TEXT,                  -- why the last announcement here failed (permissions, deleted channel)
    last_error_at TEXT,
    last_sent_at  TEXT,
    UNIQUE (channel_id, feed_id)
);
CREATE INDEX subscriptions_by_guild ON subscriptions (guild_id);
CREATE INDEX subscriptions_by_feed ON subscriptions (feed_id);

-- Every item a feed has listed, by GUID or fallback key: an item that changes its title or date, or drops
-- out of the feed and comes back, is found here and not announced again.
CREATE TABLE feed_items (
    feed_id       INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    item_key      TEXT NOT NULL,
    title_key     TEXT NOT NULL,         -- folded title: matches a re-listed item whose key changed
    audio_url     TEXT,
    published     TEXT,
    fingerprint   TEXT NOT NULL,         -- an unchanged item is not read or stored again
    episode_id    INTEGER REFERENCES episodes (id) ON DELETE SET NULL,
    first_seen    TEXT NOT NULL,
    files_pending INTEGER NOT NULL DEFAULT 0,  -- chapter/transcript files still to be read
    file_tries    INTEGER NOT NULL DEFAULT 0,
    file_error    TEXT,
    PRIMARY KEY (feed_id, item_key)
);
CREATE INDEX feed_items_by_title ON feed_items (feed_id, title_key);
CREATE INDEX feed_items_by_audio ON feed_items (feed_id, audio_url);
CREATE INDEX feed_items_files_pending ON feed_items (feed_id) WHERE files_pending = 1;

-- The intent to announce is recorded before anything is sent; the nonce makes a resend after a crash
-- recognisable (Discord's enforce_nonce, and podbot's own look at the channel).
CREATE TABLE announcements (
    id              INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    item_key        TEXT NOT NULL,
    episode_id      INTEGER REFERENCES episodes (id) ON DELETE SET NULL,
    nonce           TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,  -- sends started; more than one means "maybe already sent"
    position        INTEGER NOT NULL,            -- oldest episode first within one poll
    message_id      INTEGER,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    UNIQUE (subscription_id, item_key)
);
CREATE INDEX announcements_pending ON announcements (subscription_id, position) WHERE state = 'pending';

-- The shape of a channel's announcements, set with /announce set: a text template (NULL: the default), a
-- discussion thread on each announcement, and keyword filters on episode titles (comma-separated folded
-- words, bot.shaping.TitleFilter; NULL: no filter). Applied once, inside a transaction, by
-- bot/store/migrations.py; PRAGMA user_version then reads 9.
ALTER TABLE subscriptions ADD COLUMN template TEXT;
ALTER TABLE subscriptions ADD COLUMN thread INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscriptions ADD COLUMN include_words TEXT;
ALTER TABLE subscriptions ADD COLUMN exclude_words TEXT;

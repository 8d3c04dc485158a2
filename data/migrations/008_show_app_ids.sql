-- How podcast apps know a show, for the listen buttons on episode cards and announcements: the feed's
-- `podcast:guid` (a UUID, checked by bot.listen) and the Apple Podcasts id of the show's page the feed
-- links to. Both are NULL until a feed that gives them is read; a source without them leaves them alone.
-- Applied once, inside a transaction, by bot/store/migrations.py; PRAGMA user_version then reads 8.
ALTER TABLE shows ADD COLUMN podcast_guid TEXT;
ALTER TABLE shows ADD COLUMN apple_id INTEGER;

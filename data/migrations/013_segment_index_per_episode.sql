-- Segments are indexed once per episode, in two INSERT … SELECT statements, rather than row by row in
-- the insert triggers: a row-by-row trigger costs about 3x the CPU (the 15 MB bench feed's 39k segments:
-- ~4 s against ~1.3 s, bench.feeds / docs/search.md).
-- Applied once, inside a transaction, by bot/store/migrations.py; PRAGMA user_version then reads 13.
--
-- A writer that indexes an episode's segments itself (bot/store/catalog.py) first puts the episode's id
-- in `segment_index_deferred`, inserts the segments, indexes them, and removes the id, all in its write
-- transaction: no other connection ever sees the row. Any other writer still gets the triggers' indexing.
-- Deletes and text updates keep their triggers unchanged.
CREATE TABLE IF NOT EXISTS segment_index_deferred (episode_id INTEGER PRIMARY KEY);

DROP TRIGGER IF EXISTS segments_ai;
CREATE TRIGGER segments_ai AFTER INSERT ON segments
WHEN NOT EXISTS (SELECT 1 FROM segment_index_deferred WHERE episode_id = new.episode_id)
BEGIN
    INSERT INTO segments_fts (rowid, text) VALUES (new.id, new.text);
END;

DROP TRIGGER IF EXISTS segments_pairs_ai;
CREATE TRIGGER segments_pairs_ai AFTER INSERT ON segments
WHEN NOT EXISTS (SELECT 1 FROM segment_index_deferred WHERE episode_id = new.episode_id)
BEGIN
    INSERT INTO segment_pairs (rowid, pairs) VALUES (new.id, word_pairs(new.text));
END;

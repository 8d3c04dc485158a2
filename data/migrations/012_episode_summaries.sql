-- Per-episode transcript summaries, kept up to date at ingest, so that listing episodes reads no
-- transcript rows (`podbot episodes` on 10k episodes read 840k segment rows for their speakers).
-- Applied once, inside a transaction, by bot/store/migrations.py; PRAGMA user_version then reads 12.
--
-- `segment_count`: the episode's segments. `speakers`: a JSON array of its segments' speakers in order of
-- first appearance. Written by bot/store/catalog.py whenever an episode's segments are replaced.
ALTER TABLE episodes ADD COLUMN segment_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE episodes ADD COLUMN speakers TEXT NOT NULL DEFAULT '[]';

-- Episodes stored before this migration: summarised from their segments now (one index range each).
UPDATE episodes SET
    segment_count = (SELECT count(*) FROM segments g WHERE g.episode_id = episodes.id),
    speakers = COALESCE(
        (SELECT json_group_array(speaker) FROM (
            SELECT speaker FROM segments g
            WHERE g.episode_id = episodes.id AND speaker IS NOT NULL
            GROUP BY speaker ORDER BY min(position)
        )),
        '[]'
    )
WHERE EXISTS (SELECT 1 FROM segments g WHERE g.episode_id = episodes.id);

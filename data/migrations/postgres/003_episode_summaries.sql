-- SQLite's 012: per-episode transcript summaries, kept up to date at ingest (bot/store/catalog.py), so
-- that listing episodes reads no transcript rows. `speakers` is a JSON array (text, as on SQLite) of the
-- episode's segment speakers in order of first appearance.
ALTER TABLE episodes ADD COLUMN segment_count integer NOT NULL DEFAULT 0;
ALTER TABLE episodes ADD COLUMN speakers text NOT NULL DEFAULT '[]';

UPDATE episodes SET
    segment_count = summary.segments,
    speakers = summary.speakers
FROM (
    SELECT episode_id, sum(segments)::integer AS segments,
           COALESCE(json_agg(speaker ORDER BY first) FILTER (WHERE speaker IS NOT NULL), '[]')::text AS speakers
    FROM (
        SELECT episode_id, speaker, count(*) AS segments, min(position) AS first
        FROM segments GROUP BY episode_id, speaker
    ) by_speaker
    GROUP BY episode_id
) summary
WHERE episodes.id = summary.episode_id;

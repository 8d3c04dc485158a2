-- Where each transcript cue inside a segment starts, so that a quote found inside a segment of several
-- cues is reported at the moment its words are said, not where the segment starts.
-- Applied once, inside a transaction, by bot/store/migrations.py; PRAGMA user_version then reads 10.
--
-- `cue_times` is "offset:second offset:second …" (character offset into `text`, second in the episode;
-- bot/store/cue_times.py). NULL for a segment of one cue, for sources that time only whole turns (the
-- bundled page), and for segments stored before this migration, until their source is read again.
ALTER TABLE segments ADD COLUMN cue_times TEXT;

-- A transcript segment's words and phrase-index pairs are made by the store, in Python, and written with
-- the row (bot/store/pg_segments.py), no longer by generated columns (migrations 004 and 005).
--
-- Why: the database computed them per row with `unaccent`, regular expressions, a window over the words
-- and the default parser: storing a 500-episode feed with transcripts took 4.7x as long as on SQLite,
-- most of it those expressions. And the pairs' SQL folding was not bot.text.fold's for every script
-- (`unaccent` and Unicode's decomposition disagree on "ø", "ℌ" and others), where SQLite's pairs and the
-- quote ranking both use bot.text.fold.
--
-- The columns keep their values and their GIN indexes: only the expressions go. The words the store
-- cannot reproduce exactly (bot.store.pg_segments.pg_words) are still made by podbot_words(), which
-- stays, as does podbot_phrase() for the query side.
ALTER TABLE segments ALTER COLUMN words DROP EXPRESSION;
ALTER TABLE segments ALTER COLUMN pairs DROP EXPRESSION;
DROP FUNCTION podbot_pairs(text);
DROP FUNCTION podbot_pair_terms(text);

-- Pairs: ASCII text folds the same in both (letters and digits lowered, everything else a space), so
-- those rows keep theirs. The others are made again by the store when it next opens the database
-- (bot.store.pg_segments.fill_pairs), in Python, as every new row's are; so are the rows with a very long
-- word, whose pair may have been too long for a lexeme (bot.store.pairs.PG_LEXEME_BYTES).
UPDATE segments SET pairs = NULL WHERE text ~ '[^\x01-\x7f]' OR text ~ '[[:alnum:]]{255}';

-- Which rows lack their pairs or words, at no cost to a store that has none: the store asks after
-- writing segments (words) and on each open (pairs).
CREATE INDEX segments_pairs_missing ON segments (id) WHERE pairs IS NULL;
CREATE INDEX segments_words_missing ON segments (id) WHERE words IS NULL;

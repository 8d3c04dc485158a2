-- Phrases: the adjacent word pairs of every transcript segment, the counterpart of SQLite's segment_pairs
-- (migration 004). A `<->` phrase query of common words ("you know like") makes GIN return every segment
-- that holds all of the words, each then rechecked for their positions on the heap: 300-450 ms at 10M
-- words. A pair of words is far rarer than either word, and a pair lexeme needs no positions, so the
-- segments that may hold a phrase are the intersection of its pairs' postings; the caller checks the text.
-- The index is a filter, never the judge, as on SQLite.
--
-- Words are what bot.text.fold makes of a text (letters and digits, accents removed, lower case: the same
-- folding the quote ranking checks the text with), not stems: a segment that holds a phrase as typed
-- always holds its pairs. Unlike podbot_clean(), no "0" is appended to two-letter words (these words are
-- never stemmed). The same function makes the query's pairs, so both sides agree in every locale.
CREATE FUNCTION podbot_pair_terms(body text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
BEGIN ATOMIC
    SELECT array(SELECT p.w || '_' || p.n FROM (
        SELECT t.w, lead(t.w) OVER (ORDER BY t.i) AS n
        FROM unnest(string_to_array(btrim(lower(regexp_replace(
            unaccent('unaccent'::regdictionary, body), '[^[:alnum:]]+', ' ', 'g'))), ' ')) WITH ORDINALITY AS t(w, i)
    ) p WHERE p.n IS NOT NULL);
END;

-- The pairs of a phrase (folded words), ANDed, as a tsquery of lexemes taken as they are (no parser, no
-- dictionary: a pair is one lexeme). NULL when the words make no pair: a query that matches nothing.
CREATE FUNCTION podbot_pairs(words text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN (SELECT string_agg(quote_literal(t), ' & ')::tsquery FROM unnest(podbot_pair_terms(words)) AS t);

ALTER TABLE segments ADD COLUMN pairs tsvector
    GENERATED ALWAYS AS (array_to_tsvector(podbot_pair_terms(text))) STORED;
CREATE INDEX segments_pairs ON segments USING gin (pairs);

-- How many segments hold each common word, as the quote plan asks for every word it is given ("is it in
-- 3,000 segments or more?", bot.search.quotes.COMMON). Counting a word costs a heap visit per segment
-- (10-30 ms for one in 3,000 segments at 10M words); ANALYZE's statistics answer it for free, and the
-- column's own (1,000 lexemes from a sample of 30,000 rows) list only words in about 900 segments or
-- more, each within a few percent. These statistics of the same tsvector keep 10,000 lexemes from a
-- sample of 300,000 rows: every row up to 300,000 segments (about 18M words), so each count is exact
-- when ANALYZE ran. They are on an expression (the tsvector as it is) that no query uses, so the planner
-- keeps reading the column's small list: the column's own target at 1,000 made planning 8x slower
-- (0.17 -> 1.35 ms for four @@ clauses), these cost nothing but ANALYZE time (5 s at 10M words).
CREATE STATISTICS segments_words_terms ON (words || ''::tsvector) FROM segments;
ALTER STATISTICS segments_words_terms SET STATISTICS 1000;

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

-- Search on PostgreSQL: the counterpart of SQLite's full-text indexes (migrations 002 and 004).
--
-- Words are what SQLite's `unicode61 remove_diacritics 2` tokenizer makes of a text: runs of letters and
-- digits (everything else separates them, "_" too), accents removed, lower case; each is stemmed by the
-- Porter stemmer (snowball's `porter`, the algorithm FTS5's `porter` tokenizer implements), and no word is
-- a stop word: "you know what I mean" is a phrase of five words here as there. The default parser would
-- read "bolt.new" as a host name and "self-driving" as one word besides its parts; the text reaches it
-- with every separator already a space, so it only ever sees words.
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TEXT SEARCH DICTIONARY podbot_porter (TEMPLATE = snowball, LANGUAGE = porter);
CREATE TEXT SEARCH CONFIGURATION podbot (PARSER = default);
ALTER TEXT SEARCH CONFIGURATION podbot
    ADD MAPPING FOR asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part,
        hword_numpart
    WITH unaccent, podbot_porter;
-- Numbers as they are ("40", "000"): the stemmer leaves digits alone in SQLite too.
ALTER TEXT SEARCH CONFIGURATION podbot ADD MAPPING FOR int, uint WITH simple;

-- What the parser is given: the text with every separator a space. And one difference of stemmers made
-- good: FTS5's porter leaves words under three letters alone, snowball's turns "is" into "i", "as" into
-- "a", "us" into "u" and "ay" into "ai", so that "I" would find every "is". Two-letter words ending in
-- s or y get a trailing 0, which keeps them one word that no rule changes (a word a transcript never
-- holds otherwise, and the query side is cleaned the same way).
--
-- Accents go first (`unaccent`, as FTS5's remove_diacritics): what is left of Latin text is then ASCII,
-- which `[:alnum:]` and the parser read the same in every server locale (in the C locale they take only
-- ASCII letters for letters, and "CAFÉ" would be "CAF"). Declared immutable, as a generated column needs:
-- the unaccent rules change only with the server's version, and a changed rule would only cost a word
-- its match until its segment is stored again.
CREATE FUNCTION podbot_clean(body text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN regexp_replace(
        regexp_replace(unaccent('unaccent'::regdictionary, body), '[^[:alnum:]]+', ' ', 'g'),
        '\m([[:alpha:]][sSyY])\M', '\10', 'g');

-- A text's words, and a phrase of the user's words: the same cleaning on both sides, so that a query word
-- is looked up exactly as the index holds it. Immutable: a generated column may use it.
CREATE FUNCTION podbot_words(body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN to_tsvector('podbot'::regconfig, podbot_clean(body));

CREATE FUNCTION podbot_phrase(words text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN phraseto_tsquery('podbot'::regconfig, podbot_clean(words));

-- Transcript segments: a generated column keeps the words in step with the text, on every insert and
-- update, with no trigger of our own; GIN answers which segments hold a word or a phrase (`<->`).
ALTER TABLE segments ADD COLUMN words tsvector GENERATED ALWAYS AS (podbot_words(text)) STORED;
CREATE INDEX segments_words ON segments USING gin (words);

-- Chapter titles (`search_chapters`, and evidence for episode lookup) and show notes (weaker evidence).
ALTER TABLE chapters ADD COLUMN words tsvector GENERATED ALWAYS AS (podbot_words(title)) STORED;
CREATE INDEX chapters_words ON chapters USING gin (words);
ALTER TABLE episodes ADD COLUMN notes_words tsvector GENERATED ALWAYS AS (podbot_words(show_notes)) STORED;
CREATE INDEX episodes_notes_words ON episodes USING gin (notes_words);

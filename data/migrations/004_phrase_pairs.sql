-- Phrases: the adjacent word pairs of every transcript segment, so that a phrase of common words is found
-- by intersecting its pairs' short postings instead of walking each word's long position list.
-- Applied once, inside a transaction, by bot/store/migrations.py; PRAGMA user_version then reads 4.
--
-- The terms come from word_pairs(), a Python function the store registers on its connections
-- (bot/store/pairs.py): folded words joined by "_". Rowids only (detail = none), no text (content = ''):
-- search checks each candidate's text itself. A contentless table is deleted from by repeating the
-- terms it was given, which the triggers do with the same function.
CREATE VIRTUAL TABLE segment_pairs USING fts5 (
    pairs,
    content = '',
    detail = none,
    columnsize = 0,
    tokenize = "ascii tokenchars '_'"
);

CREATE TRIGGER segments_pairs_ai AFTER INSERT ON segments BEGIN
    INSERT INTO segment_pairs (rowid, pairs) VALUES (new.id, word_pairs(new.text));
END;
CREATE TRIGGER segments_pairs_ad AFTER DELETE ON segments BEGIN
    INSERT INTO segment_pairs (segment_pairs, rowid, pairs) VALUES ('delete', old.id, word_pairs(old.text));
END;
CREATE TRIGGER segments_pairs_au AFTER UPDATE OF text ON segments BEGIN
    INSERT INTO segment_pairs (segment_pairs, rowid, pairs) VALUES ('delete', old.id, word_pairs(old.text));
    INSERT INTO segment_pairs (rowid, pairs) VALUES (new.id, word_pairs(new.text));
END;

-- Stores made before this migration already hold transcripts: index them now (about 2 minutes for 50M
-- words, once; see docs/search.md).
INSERT INTO segment_pairs (rowid, pairs) SELECT id, word_pairs(text) FROM segments;

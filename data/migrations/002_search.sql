-- Search: full-text indexes over chapter titles and show notes, and a view of the transcript vocabulary.
-- Applied once, inside a transaction, by bot/store/migrations.py; PRAGMA user_version then reads 2.

-- Chapter titles: `search_chapters` ("SWE-Bench" finds the chapter) and weaker evidence for episode lookup.
-- External content like segments_fts: the text lives once, in `chapters`; triggers keep the index in step.
CREATE VIRTUAL TABLE chapters_fts USING fts5 (
    title,
    content = 'chapters',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER chapters_ai AFTER INSERT ON chapters BEGIN
    INSERT INTO chapters_fts (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER chapters_ad AFTER DELETE ON chapters BEGIN
    INSERT INTO chapters_fts (chapters_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER chapters_au AFTER UPDATE OF title ON chapters BEGIN
    INSERT INTO chapters_fts (chapters_fts, rowid, title) VALUES ('delete', old.id, old.title);
    INSERT INTO chapters_fts (rowid, title) VALUES (new.id, new.title);
END;

-- Show notes: the weakest evidence for episode lookup (a mention, not the subject). Indexed rather than held
-- in memory, because notes are most of an episode's text and a 100k-episode store would not fit comfortably.
CREATE VIRTUAL TABLE notes_fts USING fts5 (
    show_notes,
    content = 'episodes',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER episodes_notes_ai AFTER INSERT ON episodes BEGIN
    INSERT INTO notes_fts (rowid, show_notes) VALUES (new.id, new.show_notes);
END;
CREATE TRIGGER episodes_notes_ad AFTER DELETE ON episodes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, show_notes) VALUES ('delete', old.id, old.show_notes);
END;
CREATE TRIGGER episodes_notes_au AFTER UPDATE OF show_notes ON episodes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, show_notes) VALUES ('delete', old.id, old.show_notes);
    INSERT INTO notes_fts (rowid, show_notes) VALUES (new.id, new.show_notes);
END;

-- Stores made before this migration already hold chapters and notes: index them now.
INSERT INTO chapters_fts (chapters_fts) VALUES ('rebuild');
INSERT INTO notes_fts (notes_fts) VALUES ('rebuild');

-- The transcript's terms (porter stems) with their segment counts: a misspelt quote word is corrected
-- against the words the transcripts actually use.
CREATE VIRTUAL TABLE segments_vocab USING fts5vocab (segments_fts, 'row');

-- A counter of catalog changes, so that a process holding an index of the catalog in memory (the bot's
-- lookups) notices episodes another process stored (`podbot ingest` while the bot runs).
-- Applied once, inside a transaction, by bot/store/migrations.py; PRAGMA user_version then reads 5.
--
-- Catalog.ingest bumps it once in each transaction that added or changed an episode; an ingest that
-- changes nothing leaves it alone. One row, always.
CREATE TABLE catalog_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO catalog_state (id, generation) VALUES (1, 0);

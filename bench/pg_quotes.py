"""Quote search on PostgreSQL beside SQLite, on the same generated store and the same queries.

Run: `python -m bench.pg_quotes --dsn "host=127.0.0.1 port=5432 user=postgres dbname=postgres"` against
a PostgreSQL 15 of your own (an empty database: its tables are replaced). The SQLite store is generated
through the real ingest and cached in bench/.cache (10M transcript words by default: about 70 s once);
its rows are copied into PostgreSQL (migrations postgres/004 on, on top of the tables quote search reads;
each segment with its words and pairs, as the store writes them), then both engines answer the same rare
words, 4–8-word phrases and hard queries (bench/search.py's), each query first on SQLite then on
PostgreSQL, through the same plan (bot/search/quotes.py). Prints p50 / p95 / max in ms and whether both
engines gave the same hits.
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg

from bench.generate import Spec, build
from bench.search import pct, quote_queries
from bot.search import quotes
from bot.search.results import QuoteHit
from bot.store.index_reads import connect_reader
from bot.store.pairs import pg_segment_pairs
from bot.store.pg_quotes import PgTranscriptReader
from bot.store.pg_reads import connect_reader as connect
from bot.store.pg_segments import ADDED_COLUMNS, FILL_WORDS, pg_words
from bot.store.pg_stems import PgStemmer
from bot.store.stems import Stemmer
from bot.store.transcripts import TranscriptReader

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

# The search migrations (004 on), applied over the tables quote search reads.
MIGRATIONS = sorted((Path(__file__).parents[1] / "data/migrations/postgres").glob("00[4-9]_*.sql"))
# The tables quote search reads, as on SQLite (the PostgreSQL store's own schema replaces this).
TABLES = """
DROP TABLE IF EXISTS segments, chapters, episodes, shows, catalog_state CASCADE;
DROP FUNCTION IF EXISTS podbot_words, podbot_phrase, podbot_clean, podbot_pairs, podbot_pair_terms CASCADE;
DROP TEXT SEARCH CONFIGURATION IF EXISTS podbot CASCADE;
DROP TEXT SEARCH DICTIONARY IF EXISTS podbot_porter CASCADE;
CREATE TABLE shows (id bigint PRIMARY KEY, title text NOT NULL);
CREATE TABLE episodes (id bigint PRIMARY KEY, show_id bigint NOT NULL REFERENCES shows ON DELETE CASCADE,
                       title text NOT NULL, show_notes text NOT NULL DEFAULT '');
CREATE TABLE chapters (id bigint PRIMARY KEY, episode_id bigint NOT NULL REFERENCES episodes ON DELETE CASCADE,
                       title text NOT NULL, toc integer NOT NULL DEFAULT 1);
CREATE TABLE segments (id bigint PRIMARY KEY, episode_id bigint NOT NULL REFERENCES episodes ON DELETE CASCADE,
                       position integer NOT NULL, start_s integer NOT NULL, speaker text, text text NOT NULL,
                       cue_times text, UNIQUE (episode_id, position));
CREATE TABLE catalog_state (id integer PRIMARY KEY CHECK (id = 1), generation bigint NOT NULL);
INSERT INTO catalog_state VALUES (1, 0);
"""
COPIED = {
    "shows": "id, title",
    "episodes": "id, show_id, title, show_notes",
    "chapters": "id, episode_id, title, toc",
    "segments": "id, episode_id, position, start_s, speaker, text, cue_times",
}
TEXT_COLUMN = 5


def copy_store(path: Path, dsn: str) -> float:
    """The SQLite store's rows into PostgreSQL, indexed and analysed; seconds taken."""
    start = time.perf_counter()
    with contextlib.closing(sqlite3.connect(path)) as src, psycopg.connect(dsn, autocommit=True) as pg:
        pg.execute(TABLES)
        for migration in MIGRATIONS:
            pg.execute(migration.read_text(encoding="utf-8"))
        with pg.cursor() as cur:
            for table, columns in COPIED.items():
                # Segments with their words and pairs, made as the store makes them (bot.store.pg_segments).
                added = f", {', '.join(ADDED_COLUMNS)}" if table == "segments" else ""
                with cur.copy(f"COPY {table} ({columns}{added}) FROM STDIN") as copy:
                    for row in src.execute(f"SELECT {columns} FROM {table}"):
                        if added:
                            row = (*row, pg_segment_pairs(row[TEXT_COLUMN]), pg_words(row[TEXT_COLUMN]))
                        copy.write_row(row)
        pg.execute(FILL_WORDS)
        pg.execute("VACUUM ANALYZE")
    return time.perf_counter() - start


def _backend_ns(pid: int | None) -> int:
    """CPU time the PostgreSQL backend has run, in ns (Linux's /proc/<pid>/schedstat, up to date while
    the backend waits for the next statement); 0 where there is none."""
    if pid is None:
        return 0
    try:
        with open(f"/proc/{pid}/schedstat", encoding="ascii") as f:
            return int(f.read().split()[0])
    except OSError:
        return 0


def timed(
    fn: Callable[[], list[QuoteHit]], backend: int | None = None
) -> tuple[float, float, list[QuoteHit]]:
    """Wall ms, CPU ms (this thread, plus the PostgreSQL backend's when given: what the query costs the
    machine, much less disturbed than wall time by other work on a shared one), and the hits."""
    cpu = time.thread_time_ns() + _backend_ns(backend)
    start = time.perf_counter()
    hits = fn()
    wall = (time.perf_counter() - start) * 1000
    cpu = time.thread_time_ns() + _backend_ns(backend) - cpu
    return wall, cpu / 1e6, hits


def key(hits: Sequence[QuoteHit]) -> list[tuple[object, ...]]:
    return [(h.text, h.highlights, h.exact) for h in hits]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pg_quotes", description=__doc__)
    parser.add_argument(
        "--dsn", required=True, help="a PostgreSQL database to fill (its tables are replaced)"
    )
    parser.add_argument("--words", type=int, default=10_000_000, help="transcript words in the store")
    parser.add_argument("--episodes", type=int, default=2_000)
    parser.add_argument("--queries", type=int, default=100, help="rare words and phrases, each")
    parser.add_argument("--no-copy", action="store_true", help="the database already holds this store")
    args = parser.parse_args(argv)
    path = build(Spec(args.episodes, args.words))
    if not args.no_copy:
        print(f"copying {path.name} into PostgreSQL", flush=True)
        print(
            f"  {copy_store(path, args.dsn):.0f} s (COPY with the words and pairs made as the store makes them, GIN, VACUUM ANALYZE)"
        )
    rare, phrases, hard = quote_queries(path, args.queries)
    sconn = connect_reader(path)
    sqlite_reader, sqlite_stemmer = TranscriptReader(sconn), Stemmer()
    pconn = connect(args.dsn)
    pg_stemmer = PgStemmer(pconn)
    pg_reader = PgTranscriptReader(pconn, pg_stemmer)
    with pconn.cursor() as cur:
        cur.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('segments')), pg_size_pretty("
            "pg_relation_size('segments_words'))"
        )
        table_size, index_size = cur.fetchone() or ("?", "?")
    (segments,) = sconn.execute("SELECT count(*) FROM segments").fetchone()
    print(f"{segments:,} segments, {args.words:,} words; PostgreSQL segments {table_size}, GIN {index_size}")
    # Warm both caches alike (the first queries read the indexes from disk).
    for q in rare[:10]:
        quotes.search(q, sqlite_reader, sqlite_stemmer)
        quotes.search(q, pg_reader, pg_stemmer)
    backend = pconn.info.backend_pid if Path(f"/proc/{pconn.info.backend_pid}/schedstat").exists() else None
    print(
        f"{'queries':26} {'n':>4} | {'SQLite p50/p95/max ms':>22} | {'PostgreSQL p50/p95/max ms':>25} | same"
        " | CPU p50/p95/max ms: SQLite, PostgreSQL (client + server)"
    )
    for name, queries in (
        ("rare word", rare),
        ("4–8-word phrase", phrases),
        ("hard (common, typo, long)", hard),
    ):
        s_times, p_times, s_cpu, p_cpu, same, slowest = [], [], [], [], 0, (0.0, "")
        for q in queries:
            ts, cs, a = timed(lambda q=q: quotes.search(q, sqlite_reader, sqlite_stemmer, limit=5))
            tp, cp, b = timed(lambda q=q: quotes.search(q, pg_reader, pg_stemmer, limit=5), backend)
            s_times.append(ts)
            p_times.append(tp)
            s_cpu.append(cs)
            p_cpu.append(cp)
            same += key(a) == key(b)
            slowest = max(slowest, (tp, q[:24]))
        s, p, sc, pc = sorted(s_times), sorted(p_times), sorted(s_cpu), sorted(p_cpu)
        print(
            f"{name:26} {len(queries):>4} | {pct(s, 50):6.2f} {pct(s, 95):6.2f} {s[-1]:8.2f} |"
            f" {pct(p, 50):6.2f} {pct(p, 95):6.2f} {p[-1]:9.2f} | {same:>3}/{len(queries)}"
            f" | {pct(sc, 50):5.2f} {pct(sc, 95):5.2f} {sc[-1]:6.2f},"
            f" {pct(pc, 50):5.2f} {pct(pc, 95):5.2f} {pc[-1]:6.2f}"
            f"  (PostgreSQL's slowest: {slowest[1]!r})"
        )


if __name__ == "__main__":
    main()

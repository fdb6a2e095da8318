"""Store at scale: 10,000 sessions of 100 lines. Median time to list the newest 50, open one session with its
lines, and search every transcript for a word, each beside the same query in raw sqlite3.

Targets: list and open under 20 ms, search under 100 ms, each ratio to raw sqlite3 under 2.
Run: .venv/bin/python benchmarks/store_scale.py [--sessions N] [--lines N] [--repeat N]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import generate_history, median, timed  # noqa: E402
from desktop.store.db import Store  # noqa: E402
from desktop.store.queries import SessionFilter, SessionQueries, fts_query  # noqa: E402

RAW_LIST = """
SELECT s.id, s.client_session_id, s.kind, s.mode, s.status, s.end_reason, s.persona_id, s.persona_name,
       s.scenario_id, s.difficulty, s.started_at, s.duration_seconds, s.needs_grading, s.revision, s.synced_revision,
       (SELECT g.overall FROM grades g WHERE g.session_id = s.id ORDER BY g.id DESC LIMIT 1),
       (SELECT g.grader FROM grades g WHERE g.session_id = s.id ORDER BY g.id DESC LIMIT 1)
FROM sessions s {where} ORDER BY s.id DESC LIMIT 50
"""
RAW_MATCHES = "SELECT session_id FROM transcript_fts WHERE transcript_fts MATCH ? ORDER BY rowid DESC"


def raw_search(connection: sqlite3.Connection, match: str, limit: int = 50) -> list:
    """The same walk as the app's search: newest matching lines first, stop at a page of sessions."""
    cursor = connection.execute(RAW_MATCHES, (match,))
    found: list[int] = []
    while len(found) < limit:
        batch = cursor.fetchmany(512)
        if not batch:
            break
        for (session_id,) in batch:
            if session_id not in found:
                found.append(session_id)
    page = found[:limit]
    marks = ",".join("?" * len(page))
    return connection.execute(RAW_LIST.format(where=f"WHERE s.id IN ({marks})"), page).fetchall()


def raw_open(connection: sqlite3.Connection, session_id: int) -> tuple:
    session = connection.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
    lines = connection.execute(
        "SELECT * FROM transcript_lines WHERE session_id = ? ORDER BY seq", (session_id,)
    ).fetchall()
    grades = connection.execute("SELECT * FROM grades WHERE session_id = ? ORDER BY id DESC", (session_id,)).fetchall()
    return session, lines, grades


RAW_BEST_SCORES = (
    "SELECT s.persona_id, MAX((SELECT g.overall FROM grades g WHERE g.session_id = s.id ORDER BY g.id DESC LIMIT 1))"
    " FROM sessions s WHERE s.kind = 'roleplay' GROUP BY s.persona_id"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=101)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roleplay.db"
        store = Store.open(path)
        began = time.perf_counter()
        generate_history(store.db, args.sessions, args.lines)
        print(f"generated {args.sessions} sessions x {args.lines} lines in {time.perf_counter() - began:.1f} s")
        print(f"database size: {path.stat().st_size / 1e6:.0f} MB")
        queries = SessionQueries()
        raw = sqlite3.connect(str(path))
        raw.execute("PRAGMA journal_mode = wal")
        rng = random.Random(3)
        ids = [rng.randint(1, args.sessions) for _ in range(args.repeat)]
        id_iter, raw_iter = iter(ids), iter(ids)

        results = []
        searches = (
            ("permit", "search (mid-frequency word)"),
            ("zoning permit", "search (two words)"),
            ("acres", "search (most common word)"),
        )
        for word, label in searches:
            match = fts_query(word)
            ours = timed(lambda w=word: queries.list_sessions(limit=50, session_filter=SessionFilter(search=w)), 21)
            base = timed(lambda m=match: raw_search(raw, m), 21)
            results.append((label, ours, base, 100))
        results.insert(
            0,
            (
                "list newest 50",
                timed(lambda: queries.list_sessions(limit=50), args.repeat),
                timed(lambda: raw.execute(RAW_LIST.format(where="")).fetchall(), args.repeat),
                20,
            ),
        )
        results.insert(
            1,
            (
                "open one session + lines",
                timed(lambda: queries.get_session(next(id_iter)), args.repeat),
                timed(lambda: raw_open(raw, next(raw_iter)), args.repeat),
                20,
            ),
        )
        # The contacts list's "best score" per persona: each session's own (newest) grade, best per persona.
        results.append(
            (
                "best score per persona",
                timed(queries.best_scores_by_persona, 21),
                timed(lambda: raw.execute(RAW_BEST_SCORES).fetchall(), 21),
                100,
            )
        )
        print(f"{'query':28} {'ours ms':>9} {'raw ms':>9} {'ratio':>6} {'target ms':>10}  verdict")
        failed = False
        for label, ours, base, target in results:
            ratio = median(ours) / median(base)
            ok = median(ours) < target and ratio < 2
            failed |= not ok
            verdict = "ok" if ok else "MISS"
            print(f"{label:28} {median(ours):9.2f} {median(base):9.2f} {ratio:6.2f} {target:>10}  {verdict}")
        raw.close()
        store.close()
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

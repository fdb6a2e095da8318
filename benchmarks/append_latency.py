"""Append-a-line latency: the durable commit (WAL, synchronous=FULL) of one final transcript line through the
repository's writer thread, beside the same insert-and-commit in raw sqlite3.

Target: p99 under 5 ms. Run: .venv/bin/python benchmarks/append_latency.py [--lines N]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import median, percentile, timed  # noqa: E402
from desktop.core.transcript import Speaker, TranscriptLine  # noqa: E402
from desktop.store.db import Store  # noqa: E402
from desktop.store.sessions import SessionRepository  # noqa: E402

TEXT = "Well, the back forty floods every spring, so I doubt you'd want it at that price."


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "roleplay.db")
        repo = SessionRepository(store)
        session = repo.start_session(
            persona_snapshot={"id": "p", "name": "P"}, scenario_snapshot={"id": "s"}, difficulty="PRO"
        )
        counter = iter(range(1, args.lines + 1))

        def append() -> None:
            seq = next(counter)
            repo.append_line(session.id, TranscriptLine(seq, Speaker.SELLER, TEXT, seq * 3000, 2500))

        ours = timed(append, args.lines)
        store.close()

        raw = sqlite3.connect(str(Path(folder) / "roleplay.db"), isolation_level=None)
        raw.execute("PRAGMA journal_mode = wal")
        raw.execute("PRAGMA synchronous = full")
        raw_counter = iter(range(args.lines + 1, 2 * args.lines + 1))

        def raw_append() -> None:
            seq = next(raw_counter)
            raw.execute("BEGIN")
            raw.execute(
                "INSERT INTO transcript_lines (session_id, seq, speaker, text, offset_ms, duration_ms, interrupted)"
                " VALUES (?, ?, 'seller', ?, ?, 2500, 0)",
                (session.id, seq, TEXT, seq * 3000),
            )
            raw.execute("COMMIT")

        base = timed(raw_append, args.lines)
        raw.close()

    print(f"{args.lines} appends, each a durable commit")
    print(f"{'':24} {'median ms':>10} {'p99 ms':>8} {'max ms':>8}")
    print(f"{'repository.append_line':24} {median(ours):10.3f} {percentile(ours, 0.99):8.3f} {max(ours):8.3f}")
    print(f"{'raw sqlite3 insert':24} {median(base):10.3f} {percentile(base, 0.99):8.3f} {max(base):8.3f}")
    print(f"ratio of medians: {median(ours) / median(base):.2f}")
    ok = percentile(ours, 0.99) < 5.0
    print("target p99 < 5 ms:", "ok" if ok else "MISS")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

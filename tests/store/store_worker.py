"""A process that writes to one data folder the way one part of the app does, for the many-writer tests.

Roles: `call` (start, lines, end: the GUI's or `roleplay call`'s writes), `hold` (one call kept open until
standard input closes), `grader` (grades what is flagged, until
the stop file appears, then drains), `sync` (marks finished sessions pushed and caches an answer, until the stop file
appears). Every committed write is printed only after it returned; any failed write ends the process with a
traceback and a non-zero exit.
"""

from __future__ import annotations

import sys
from pathlib import Path

from desktop.core.transcript import Speaker, TranscriptLine
from desktop.grading.queue import grade_and_save
from desktop.store.db import Store
from desktop.store.queries import SessionQueries
from desktop.store.sessions import SessionRepository
from desktop.store.sync_store import PushedRevision, SyncStore
from tests.conftest import PERSONA, SCENARIO

LINES_PER_CALL = 6


def run_calls(repo: SessionRepository, calls: int) -> None:
    for _ in range(calls):
        started = repo.start_session(persona_snapshot=PERSONA, scenario_snapshot=SCENARIO, difficulty="PRO")
        for seq in range(1, LINES_PER_CALL + 1):
            speaker = Speaker.TRAINEE if seq % 2 else Speaker.SELLER
            repo.append_line(started.id, TranscriptLine(seq, speaker, f"line {seq} of {started.id}", seq * 900, 800))
            print(f"committed {started.id} {seq}", flush=True)
        repo.end_session(started.id, end_reason="user_hangup")
        print(f"ended {started.id}", flush=True)


def hold_a_call(repo: SessionRepository) -> None:
    """Starts a call with one line, says so, and ends it only when its standard input closes."""
    started = repo.start_session(persona_snapshot=PERSONA, scenario_snapshot=SCENARIO, difficulty="PRO")
    repo.append_line(started.id, TranscriptLine(1, Speaker.TRAINEE, "hello", 0, 800))
    print(f"holding {started.id}", flush=True)
    sys.stdin.read()
    repo.end_session(started.id, end_reason="user_hangup")
    print(f"ended {started.id}", flush=True)


def run_grader(repo: SessionRepository, stop: Path) -> None:
    queries = SessionQueries()
    while True:
        stopping = stop.exists()  # read before the queue, so the last pass sees every ended call
        for session_id in queries.sessions_needing_grade():
            grade_and_save(repo, queries, session_id)
            print(f"graded {session_id}", flush=True)
        if stopping:
            return


def run_sync(repo: SessionRepository, stop: Path) -> None:
    sync = SyncStore(repo)
    while True:
        stopping = stop.exists()
        pending = sync.pending()
        sync.mark_pushed([PushedRevision(p.session_id, p.revision, p.session_id + 1000) for p in pending]).result()
        sync.put_cached("usage_today", {"sessions_today": len(pending)}).result()
        if stopping:
            return


def main(db_path: str, role: str, arg: str) -> None:
    store = Store.open(Path(db_path))
    repo = SessionRepository(store)
    try:
        if role == "call":
            run_calls(repo, int(arg))
        elif role == "hold":
            hold_a_call(repo)
        elif role == "grader":
            run_grader(repo, Path(arg))
        elif role == "sync":
            run_sync(repo, Path(arg))
        else:
            raise SystemExit(f"unknown role {role}")
    finally:
        store.close()


if __name__ == "__main__":
    main(*(sys.argv[1:4] + [""])[:3])

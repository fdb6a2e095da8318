"""A writer process for the crash test: starts a call and appends lines until it is killed.

It prints "committed <seq>" only after append_line returned, i.e. after the line was durably committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from desktop.core.transcript import Speaker, TranscriptLine
from desktop.store.db import Store
from desktop.store.sessions import SessionRepository
from tests.conftest import PERSONA, SCENARIO


def main(db_path: str) -> None:
    store = Store.open(Path(db_path))
    repo = SessionRepository(store)
    started = repo.start_session(persona_snapshot=PERSONA, scenario_snapshot=SCENARIO, difficulty="PRO")
    print(f"session {started.id}", flush=True)
    seq = 0
    while True:
        seq += 1
        speaker = Speaker.TRAINEE if seq % 2 else Speaker.SELLER
        repo.append_line(started.id, TranscriptLine(seq, speaker, f"line number {seq}", seq * 1000, 900))
        print(f"committed {seq}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])

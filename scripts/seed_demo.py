"""Fills the data folder (ROLEPLAY_HOME) with realistic graded practice calls, through the app's real write path.

For trying the commands and the window on a seeded database:
    ROLEPLAY_HOME=/tmp/demo .venv/bin/python scripts/seed_demo.py --sessions 30
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop.bootstrap import open_app_state  # noqa: E402
from desktop.core.clock import to_iso, utc_now  # noqa: E402
from desktop.core.difficulty import Difficulty  # noqa: E402
from desktop.core.metrics import compute_metrics  # noqa: E402
from desktop.grading.queue import grade_session  # noqa: E402
from desktop.store.catalog import PersonaCatalog  # noqa: E402
from tests.fixtures import load_fixture_call  # noqa: E402

CALLS = ("strong_call", "average_call", "poor_call", "typed_call")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    state = open_app_state()
    catalog = PersonaCatalog(state.queries)
    personas, scenarios = catalog.personas(), catalog.scenarios()
    now = utc_now()
    try:
        for index in range(args.sessions):
            call = load_fixture_call(rng.choice(CALLS))
            persona, scenario = rng.choice(personas), rng.choice(scenarios)
            difficulty = rng.choice(list(Difficulty))
            started = now - timedelta(days=args.sessions - index, minutes=rng.randint(0, 600))
            session = state.repository.start_session(
                persona_snapshot=persona.snapshot(),
                scenario_snapshot=scenario.snapshot(difficulty),
                difficulty=difficulty.value,
                mode="voice" if call.voice else "text",
                trainee_name=state.settings.trainee_name,
                started_at=to_iso(started),
            )
            for line in call.lines:
                state.repository.append_line(session.id, line)
            length_s = max((line.end_ms for line in call.lines), default=0) / 1000
            metrics = compute_metrics(
                call.lines, objection_patterns=persona.objection_patterns, voice=call.voice, call_length_s=length_s
            )
            state.repository.end_session(
                session.id,
                end_reason="user_hangup",
                metrics=metrics,
                ended_at=to_iso(started + timedelta(seconds=length_s)),
            )
            grade_session(state.repository, state.queries, session.id)
        print(f"seeded {args.sessions} graded sessions into {state.store.path}")
    finally:
        state.close()


if __name__ == "__main__":
    main()

"""Helpers shared by the benchmarks: timing, percentiles, and a synthetic history generator."""

from __future__ import annotations

import json
import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from desktop.core.clock import to_iso

WORDS = (
    "acres land road access water well septic taxes county survey price offer cash close title deed family "
    "brother sister wife husband inherited farm pasture creek flood zoning permit house roof repairs tenant "
    "rent market agent listing timeline months motivated appraisal lien probate heirs mobile home timber "
    "hunting lake lot buyer investor paperwork closing costs earnest money contract escrow fence barn driveway"
).split()
PERSONAS = [("walter-briggs", "Walter Briggs"), ("rosa-delgado", "Rosa Delgado"), ("dale-pruitt", "Dale Pruitt")]
DIFFICULTIES = ("BEGINNER", "ROOKIE", "PRO", "ELITE", "NIGHTMARE")


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    """Wall time of each run, in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


# Word frequencies in speech follow Zipf's law: the n-th most common word appears about 1/n as often as the first.
ZIPF_WEIGHTS = [1 / rank for rank in range(1, len(WORDS) + 1)]


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, weights=ZIPF_WEIGHTS, k=rng.randint(6, 18))
    return " ".join(words).capitalize() + "."


def generate_history(db, sessions: int, lines_per_session: int, seed: int = 7) -> None:
    """Writes finished, graded sessions in large transactions (the fast path for making test data, not the
    app's write path, which commits line by line)."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    db.execute_sql("PRAGMA synchronous = OFF")
    batch = 200
    for first in range(0, sessions, batch):
        with db.atomic():
            for index in range(first, min(first + batch, sessions)):
                persona_id, name = PERSONAS[index % len(PERSONAS)]
                started = start + timedelta(minutes=37 * index)
                cursor = db.execute_sql(
                    "INSERT INTO sessions (client_session_id, mode, status, end_reason, persona_id, persona_name,"
                    " persona_snapshot, scenario_id, scenario_snapshot, difficulty, started_at, ended_at,"
                    " duration_seconds, revision) VALUES (?, 'voice', 'completed', 'user_hangup', ?, ?, ?,"
                    " 'cold-call-first-contact', '{}', ?, ?, ?, 600, 2)",
                    (
                        str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        persona_id,
                        name,
                        json.dumps({"id": persona_id, "name": name}),
                        DIFFICULTIES[index % 5],
                        to_iso(started),
                        to_iso(started + timedelta(minutes=10)),
                    ),
                )
                session_id = cursor.lastrowid
                rows = [
                    (session_id, seq, "trainee" if seq % 2 else "seller", sentence(rng), seq * 6000, 5000)
                    for seq in range(1, lines_per_session + 1)
                ]
                db.cursor().executemany(
                    "INSERT INTO transcript_lines (session_id, seq, speaker, text, offset_ms, duration_ms)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    rows,
                )
                score = rng.randint(20, 95)
                db.execute_sql(
                    "INSERT INTO grades (session_id, grader, rapport, discovery, objection_handling, closing,"
                    " overall, feedback, graded_at) VALUES (?, 'heuristic', ?, ?, ?, ?, ?, '{}', ?)",
                    (session_id, score, score, score, score, score, to_iso(started + timedelta(minutes=11))),
                )
    db.execute_sql("PRAGMA synchronous = FULL")
    db.execute_sql("ANALYZE")

"""Grading speed: the rule-based grader on 1,000 recorded 10-minute calls, and the grading queue's throughput
against the fake OpenAI-compatible server (real HTTP on loopback) beside the queue with the rules alone.

The calls are re-timed recombinations of the recorded fixture transcripts (tests/fixtures/transcripts): real
trainee and seller lines, in turn, until ten minutes have passed. The per-call time covers the whole rule path
(analytics, then the grade), as the queue runs it for a call without stored analytics.

Target: rule-based p99 under 20 ms per call. Run: .venv/bin/python benchmarks/grading.py [--calls N] [--queued N]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import median, percentile  # noqa: E402
from desktop.core.clock import to_iso, utc_now  # noqa: E402
from desktop.core.difficulty import Difficulty  # noqa: E402
from desktop.core.grading.rule_grader import grade_call  # noqa: E402
from desktop.core.transcript import Speaker, TranscriptLine  # noqa: E402
from desktop.grading.llm import GraderConfig, ModelFirstGrader  # noqa: E402
from desktop.grading.queue import GradingQueue, rule_based_grade  # noqa: E402
from desktop.store.db import Store  # noqa: E402
from desktop.store.queries import SessionQueries  # noqa: E402
from desktop.store.sessions import SessionRepository  # noqa: E402
from tests.fake_openai_server import FakeOpenAIServer  # noqa: E402
from tests.fixtures import FIXTURE_NAMES, load_fixture_call  # noqa: E402

CALL_MS = 10 * 60 * 1000
PATTERNS = ("price too low", "not in a hurry", "wants to talk to family", "has another offer")


def recorded_lines() -> dict[Speaker, list[TranscriptLine]]:
    pools: dict[Speaker, list[TranscriptLine]] = {Speaker.TRAINEE: [], Speaker.SELLER: []}
    for name in FIXTURE_NAMES:
        for line in load_fixture_call(name).lines:
            pools[line.speaker].append(line)
    return pools


def ten_minute_call(rng: random.Random, pools: dict[Speaker, list[TranscriptLine]]) -> list[TranscriptLine]:
    lines: list[TranscriptLine] = []
    at, speaker = 500, Speaker.SELLER
    while at < CALL_MS:
        source = rng.choice(pools[speaker])
        # Typed fixture lines have no duration: about 2.5 words a second, like the spoken ones.
        duration = source.duration_ms or 400 * len(source.text.split())
        lines.append(TranscriptLine(len(lines) + 1, speaker, source.text, at, duration))
        at += duration + rng.randint(300, 1500)
        speaker = Speaker.TRAINEE if speaker == Speaker.SELLER else Speaker.SELLER
    return lines


def bench_rules(calls: list[list[TranscriptLine]]) -> tuple[list[float], int]:
    samples = []
    levels = list(Difficulty)
    for index, lines in enumerate(calls):
        started = time.perf_counter()
        grade_call(lines, objection_patterns=PATTERNS, difficulty=levels[index % len(levels)])
        samples.append((time.perf_counter() - started) * 1000)
    return samples, sum(len(c) for c in calls) // len(calls)


def store_calls(store: Store, calls: list[list[TranscriptLine]]) -> None:
    """Ended, ungraded calls written in one transaction (the fast path for test data, not the app's write path)."""
    persona = json.dumps({"id": "walter-briggs", "name": "Walter Briggs", "objection_patterns": list(PATTERNS)})
    now = to_iso(utc_now())
    with store.db.atomic():
        for lines in calls:
            cursor = store.db.execute_sql(
                "INSERT INTO sessions (client_session_id, mode, status, end_reason, persona_id, persona_name,"
                " persona_snapshot, scenario_id, scenario_snapshot, difficulty, started_at, ended_at,"
                " duration_seconds, needs_grading) VALUES (?, 'voice', 'completed', 'user_hangup', 'walter-briggs',"
                " 'Walter Briggs', ?, 'cold-call', '{\"id\": \"cold-call\"}', 'PRO', ?, ?, 600, 1)",
                (str(uuid.uuid4()), persona, now, now),
            )
            store.db.cursor().executemany(
                "INSERT INTO transcript_lines (session_id, seq, speaker, text, offset_ms, duration_ms)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(cursor.lastrowid, ln.seq, ln.speaker.value, ln.text, ln.offset_ms, ln.duration_ms) for ln in lines],
            )


def model_reply(messages: list[dict]) -> str:
    """A valid grade quoting the first trainee line of the prompt, so the quote check does real work."""
    quote = ""
    for row in messages[-1]["content"].splitlines():
        if row.startswith('{"seq"') and '"speaker": "trainee"' in row:
            quote = json.loads(row)["text"][:60]
            break
    scores = {"rapport": 72, "discovery": 64, "objection_handling": 58, "closing": 70}
    return json.dumps(
        {
            "scores": scores,
            "strengths": [{"quote": quote, "why": "a clear opener."}],
            "improvements": [{"quote": quote, "try_instead": "What has you thinking about selling?", "because": "x"}],
            "recommendations": ["Summarise before the offer."],
            "seller_agreed_next_step": False,
            "virtual_earnings": 0,
        }
    )


def bench_queue(calls: list[list[TranscriptLine]], grader) -> tuple[float, int]:
    """Sessions graded per second, end to end: read, analytics saved, graded, grade(s) durably saved."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "roleplay.db")
        store_calls(store, calls)
        repo, queries = SessionRepository(store), SessionQueries()
        grading = GradingQueue(repo, queries, grader=grader)
        started = time.perf_counter()
        queued = grading.enqueue_pending()
        grading.join()
        elapsed = time.perf_counter() - started
        grading.stop()
        graded = sum(1 for session_id in queued if queries.get_session(session_id).grade is not None)
        store.close()
    return len(queued) / elapsed, graded


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000, help="10-minute calls for the rule-based grader")
    parser.add_argument("--queued", type=int, default=200, help="sessions through the queue")
    args = parser.parse_args()
    rng = random.Random(11)
    pools = recorded_lines()
    calls = [ten_minute_call(rng, pools) for _ in range(args.calls)]
    grade_call(calls[0], objection_patterns=PATTERNS)  # warm the regex caches

    samples, lines_per_call = bench_rules(calls)
    print(f"rule-based grader: {args.calls} calls of 10 minutes, {lines_per_call} lines each on average")
    print(f"  median {median(samples):.2f} ms   p95 {percentile(samples, 0.95):.2f} ms   ", end="")
    print(f"p99 {percentile(samples, 0.99):.2f} ms   max {max(samples):.2f} ms")
    rules_ok = percentile(samples, 0.99) < 20.0

    queued = calls[: args.queued]
    rules_rate, rules_graded = bench_queue(queued, rule_based_grade)
    with FakeOpenAIServer() as server:
        server.reply_with(model_reply)
        config = GraderConfig(api_key="sk-bench-key", model="bench-model", base_url=server.base_url)
        model_rate, model_graded = bench_queue(queued, ModelFirstGrader(rule_based_grade, config))
        requests = len(server.requests)
    print(f"grading queue, {len(queued)} queued 10-minute sessions:")
    print(f"  rules only            {rules_rate:7.1f} sessions/s  ({rules_graded} graded)")
    print(f"  model (fake server)   {model_rate:7.1f} sessions/s  ({model_graded} graded, {requests} HTTP requests)")
    print(f"  ratio rules/model     {rules_rate / model_rate:7.2f}")
    all_graded = rules_graded == model_graded == len(queued)
    print("target p99 < 20 ms:", "ok" if rules_ok else "MISS", "| every queued session graded:", all_graded)
    sys.exit(0 if rules_ok and all_graded else 1)


if __name__ == "__main__":
    main()

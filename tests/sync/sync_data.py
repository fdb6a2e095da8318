"""Data for the sync tests: local sessions made through the repository, sync options without real waiting, a wait
for "all synced", and a session document as another device would have pushed it."""

from __future__ import annotations

import uuid


def make_sessions(repo, count: int, lines: int = 6, *, graded: bool = True, persona: dict | None = None) -> list[int]:
    """Ended (and graded) sessions made through the repository, in one transaction so hundreds take a moment."""
    from desktop.core.results import CallMetrics, Grade
    from desktop.core.transcript import Speaker, TranscriptLine
    from desktop.store.models import database
    from tests.conftest import PERSONA, SCENARIO

    def job() -> list[int]:
        ids = []
        with database.atomic():
            for index in range(count):
                started = repo.start_session(
                    persona_snapshot=persona or PERSONA, scenario_snapshot=SCENARIO, difficulty="PRO"
                )
                for seq in range(1, lines + 1):
                    speaker = Speaker.TRAINEE if seq % 2 == 0 else Speaker.SELLER
                    text = f"Line {seq} of call {index}: how many acres, and is there road access?"
                    repo.append_line(started.id, TranscriptLine(seq, speaker, text, seq * 3000, 2500, seq == 3))
                metrics = CallMetrics(lines * 3.0, lines // 2, lines - lines // 2, 2, 1, 1, talk_ratio=0.45)
                repo.end_session(started.id, end_reason="user_hangup", metrics=metrics if index % 2 else None)
                if graded:
                    grade = Grade(40 + index % 50, 55, 60, 35, strengths=(f"call {index}",), xp_earned=100)
                    repo.save_grade(started.id, grade)
                ids.append(started.id)
        return ids

    return repo.submit(job).result()


def fast_options(**changes):
    """Sync options for tests: millisecond backoff, a short timeout, no periodic polling in the way."""
    import random

    from desktop.sync.backoff import RetryPolicy
    from desktop.sync.service import SyncOptions

    retry = RetryPolicy(first_delay_s=0.01, max_delay_s=0.05, max_retry_after_s=0.05, rng=random.Random(3))
    values = {"retry": retry, "timeout_s": 5.0, "poll_interval_s": 60.0, "refresh_interval_s": 3600.0, **changes}
    return SyncOptions(**values)


def all_synced(service, timeout: float = 60.0) -> bool:
    from desktop.sync.status import SyncPhase

    return service.status.wait_for(lambda s: s.phase is SyncPhase.SYNCED and s.pending == 0, timeout)


def remote_document(device_id: str, *, revision: int = 1, lines: int = 3, graded: bool = True, **changes) -> dict:
    """A session document as another device would have pushed it."""
    document = {
        "client_session_id": str(uuid.uuid4()),
        "revision": revision,
        "device_id": device_id,
        "mode": "voice",
        "persona": {"id": "rosa-delgado", "name": "Rosa Delgado", "motivation_level": "high"},
        "scenario": {"id": "cold-call-first-contact", "title": "First contact cold call", "difficulty": "ROOKIE"},
        "agent_id": "agent_remote",
        "conversation_id": "conv_remote",
        "started_at": "2026-11-19T10:00:00Z",
        "ended_at": "2026-11-19T10:06:00Z",
        "duration_seconds": 360,
        "status": "completed",
        "end_reason": "agent_hangup",
        "transcript": [
            {
                "seq": seq,
                "speaker": "seller" if seq % 2 else "trainee",
                "text": f"remote line {seq}",
                "offset_ms": seq * 1000,
                "duration_ms": 800,
                "interrupted": False,
            }
            for seq in range(1, lines + 1)
        ],  # fmt: skip
        "metrics": {"talk_ratio": 0.5, "questions": 3, "objections_raised": ["price too low"]},
        "grade": {
            "rapport": 70,
            "discovery": 61,
            "objection_handling": 52,
            "closing": 44,
            "overall": 57,
            "strengths": ["asked about the well"],
            "improvements": ["ask for the appointment"],
            "recommendations": [],
            "grader": "openai:gpt-4o-mini",
            "graded_at": "2026-11-19T10:06:30Z",
        }
        if graded
        else None,  # fmt: skip
        "virtual_earnings": 1500,
        "xp_earned": 90,
    }
    document.update(changes)
    return document

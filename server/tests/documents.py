"""Session documents as the desktop app sends them, for the tests."""

from __future__ import annotations

import uuid


def session_document(revision: int = 1, device: str = "dev-1", key: str | None = None, **changes) -> dict:
    document = {
        "client_session_id": key or str(uuid.uuid4()),
        "revision": revision,
        "device_id": device,
        "mode": "voice",
        "practice_mode": False,
        "persona": {
            "id": "skeptical-rural-owner",
            "name": "Walter Briggs",
            "property_type": "20 acres of vacant rural land",
            "location": "Bastrop County, TX",
            "motivation_level": "low",
            "conversation_style": "skeptical",
            "objection_patterns": ["price too low", "not in a hurry"],
        },
        "scenario": {"id": "cold-call-first-contact", "title": "First contact cold call", "difficulty": "PRO"},
        "agent_id": "agent_1",
        "conversation_id": "conv_1",
        "started_at": "2026-11-20T15:04:05Z",
        "ended_at": "2026-11-20T15:11:32Z",
        "duration_seconds": 447,
        "status": "completed",
        "end_reason": "user_hangup",
        "transcript": [
            {
                "seq": 1,
                "speaker": "seller",
                "text": "Hello?",
                "offset_ms": 820,
                "duration_ms": 600,
                "interrupted": False,
            },
            {
                "seq": 2,
                "speaker": "trainee",
                "text": "Hi Walter, this is Sam.",
                "offset_ms": 1900,
                "duration_ms": 4100,
                "interrupted": False,
            },
        ],
        "metrics": {
            "talk_ratio": 0.46,
            "longest_monologue_s": 21.5,
            "questions": 12,
            "fillers_per_min": 1.2,
            "words_per_min": 151,
            "patience_s": 0.9,
            "switches_per_min": 4.1,
            "interruptions": 1,
            "objections_raised": ["price too low"],
            "objections_answered": ["price too low"],
        },
        "grade": {
            "rapport": 72,
            "discovery": 64,
            "objection_handling": 58,
            "closing": 40,
            "overall": 59,
            "strengths": ["Warm opener"],
            "improvements": ["Ask for the timeline"],
            "recommendations": ["Practise closing"],
            "grader": "heuristic",
            "graded_at": "2026-11-20T15:11:40Z",
        },
        "virtual_earnings": 0,
        "xp_earned": 120,
    }
    document.update(changes)
    return document

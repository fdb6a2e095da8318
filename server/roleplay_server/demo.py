"""A demo team with months of believable practice, for `make server`, screenshots and the benchmarks."""

from __future__ import annotations

import json
import random
import uuid
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from roleplay_server.team.instants import rfc3339
from roleplay_server.team.models import Member, Role, Team
from roleplay_server.team.people import add_member
from roleplay_server.team.personas import PersonaInvalid, save_persona
from roleplay_server.team.session_store import put_session

TRAINEES = ["Sam Ortega", "Priya Nair", "Jordan Blake", "Mei Chen", "Luis Romero", "Avery Brooks"]
SELLERS = [
    ("walter-briggs", "Walter Briggs", "20 acres of vacant rural land", "Bastrop County, TX", "low", "skeptical"),
    ("dale-pruitt", "Dale Pruitt", "38 acres of rural pasture", "Coal County, OK", "low", "skeptical"),
    ("linda-marsh", "Linda Marsh", "a 3-bed house needing repairs", "Dayton, OH", "high", "friendly"),
    ("ray-kowalski", "Ray Kowalski", "a lot in a platted subdivision", "Deming, NM", "medium", "aggressive"),
]
SCENARIOS = [("cold-call-first-contact", "First contact cold call"), ("follow-up-offer", "Follow-up with an offer")]
DIFFICULTIES = ["BEGINNER", "ROOKIE", "PRO", "ELITE", "NIGHTMARE"]
LINES = [
    ("seller", "Hello?"),
    ("trainee", "Hi, this is {trainee} with Red Oak Land. Do you have a minute to talk about your property?"),
    ("seller", "How did you get my number?"),
    ("trainee", "It's from the county records. I buy land in the area. Have you ever thought about selling?"),
    ("seller", "Not really. Your price will be too low anyway."),
    ("trainee", "Fair enough. What would make selling worth it for you?"),
    ("seller", "I'd need to talk to my family first."),
    ("trainee", "Of course. Could we set a time later this week, with them on the line?"),
]


def document(trainee: str, seller: tuple, started, rng: random.Random, skill: float, device: str) -> dict:
    scores = {k: max(0, min(100, int(rng.gauss(skill + bias, 9)))) for k, bias in SKILL_BIAS.items()}
    scores["overall"] = round(sum(scores.values()) / 4)
    duration = rng.randint(120, 600)
    scenario = rng.choice(SCENARIOS)
    transcript = [
        {
            "seq": i + 1,
            "speaker": who,
            "text": text.format(trainee=trainee.split()[0]),
            "offset_ms": i * 6000,
            "duration_ms": 4000,
            "interrupted": False,
        }
        for i, (who, text) in enumerate(LINES)
    ]
    return {
        "client_session_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "revision": 1,
        "device_id": device,
        "mode": rng.choice(["voice", "voice", "text"]),
        "persona": dict(
            zip(
                ("id", "name", "property_type", "location", "motivation_level", "conversation_style"),
                seller,
                strict=True,
            )
        )
        | {"objection_patterns": ["price too low", "not in a hurry"]},
        "scenario": {"id": scenario[0], "title": scenario[1], "difficulty": rng.choice(DIFFICULTIES[:4])},
        "agent_id": "partner",
        "conversation_id": f"conv_{rng.getrandbits(48):x}",
        "started_at": rfc3339(started),
        "ended_at": rfc3339(started + timedelta(seconds=duration)),
        "duration_seconds": duration,
        "status": "completed",
        "end_reason": "user_hangup",
        "transcript": transcript,
        "metrics": {
            "talk_ratio": round(rng.uniform(0.35, 0.7), 2),
            "longest_monologue_s": round(rng.uniform(8, 50), 1),
            "questions": rng.randint(4, 16),
            "fillers_per_min": round(rng.uniform(0.2, 3.5), 1),
            "words_per_min": rng.randint(120, 190),
            "patience_s": round(rng.uniform(0.3, 1.8), 1),
            "switches_per_min": round(rng.uniform(2, 6), 1),
            "interruptions": rng.randint(0, 3),
            "objections_raised": ["price too low"],
            "objections_answered": rng.choice([["price too low"], []]),
        },
        "grade": {
            **scores,
            "strengths": ["Clear, honest opener with a permission question"],
            "improvements": ["Ask about the timeline before talking price"],
            "recommendations": ["Practise the family objection at PRO"],
            "grader": "heuristic",
            "graded_at": rfc3339(started + timedelta(seconds=duration + 5)),
        },
        "virtual_earnings": rng.choice([0, 0, 2500, 8000]),
        "xp_earned": rng.randint(40, 160),
    }


SKILL_BIAS = {"rapport": 8, "discovery": 0, "objection_handling": -6, "closing": -12}


def load_personas(path: Path | None) -> list[dict]:
    if path is None or not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return list(data.get("personas", data) if isinstance(data, dict) else data)


@transaction.atomic
def seed_demo(password: str, personas_file: Path | None = None, days: int = 90, seed: int = 7) -> Team:
    team = Team.objects.filter(name="Red Oak Land (demo)").first()
    if team is not None:
        return team  # seeded before: `make server` is run again and again
    rng = random.Random(seed)
    team = Team.objects.create(name="Red Oak Land (demo)")
    add_member(team, "coach@demo.example", Role.ADMIN, password, "Casey Coach")
    now = timezone.now()
    for index, name in enumerate(TRAINEES):
        email = name.split()[0].lower() + "@demo.example"
        member: Member = add_member(team, email, Role.TRAINEE, password, name)
        base, pace = rng.uniform(40, 62), rng.uniform(0.05, 0.25)
        calls = rng.randint(15, 45) if index < len(TRAINEES) - 1 else 0  # one member who never practised
        for n in range(calls):
            started = now - timedelta(days=days * (1 - n / max(1, calls)), hours=rng.uniform(0, 8))
            doc = document(name, rng.choice(SELLERS), started, rng, base + pace * n * 2, f"laptop-{index}")
            put_session(member, doc)
    for persona in load_personas(personas_file)[:20]:
        try:
            save_persona(team, persona if isinstance(persona, dict) else {})
        except PersonaInvalid:
            continue  # the app's own library may hold fields the contract's persona does not; skip those
    return team

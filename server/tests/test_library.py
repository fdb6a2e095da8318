"""The coach's team personas and usage limits, as the apps then read them through the API."""

from __future__ import annotations

import pytest
from django.test import Client

from roleplay_server.team.models import TeamPersona
from roleplay_server.team.tokens import create_token

pytestmark = pytest.mark.django_db

PERSONA = {
    "id": "dale-pruitt",
    "name": "Dale Pruitt",
    "property_type": "38 acres of pasture",
    "location": "Coal County, OK",
    "motivation_level": "low",
    "conversation_style": "skeptical",
    "objection_patterns": "price too low\nnot in a hurry\n",
    "backstory": "Retired welder.",
    "asking_price": "95000",
    "fair_price": "57000",
}


def signed_in(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def api(member):
    _, token = create_token(member)
    client = Client()
    return lambda path, **headers: client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def test_a_coach_publishes_a_persona_that_every_app_then_pulls(people):
    get = api(people.sam)
    before = get("/api/v1/personas")
    coach = signed_in(people.coach)
    assert coach.post("/personas/new/", PERSONA).status_code == 302
    after = get("/api/v1/personas", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    (persona,) = after.json()["personas"]
    assert persona["objection_patterns"] == ["price too low", "not in a hurry"]
    assert persona["asking_price"] == 95000 and persona["id"] == "dale-pruitt"
    row = TeamPersona.objects.get()
    assert coach.post(f"/personas/{row.pk}/", {**PERSONA, "name": "Dale P."}).status_code == 302
    assert get("/api/v1/personas").json()["personas"][0]["name"] == "Dale P."
    assert coach.post(f"/personas/{row.pk}/delete/").status_code == 302
    assert get("/api/v1/personas").json() == {"personas": []}
    assert api(people.bea)("/api/v1/personas").json() == {"personas": []}


def test_persona_rules_are_the_contracts(people):
    coach = signed_in(people.coach)
    seven = "\n".join(f"objection {n}" for n in range(7))
    for changes in ({"id": "Bad Id!"}, {"name": "x" * 61}, {"objection_patterns": seven}, {"asking_price": "0"}):
        response = coach.post("/personas/new/", {**PERSONA, **changes})
        assert response.status_code == 200 and response.context["form"].errors, changes
    coach.post("/personas/new/", PERSONA)
    duplicate = coach.post("/personas/new/", PERSONA)
    assert duplicate.status_code == 200 and "another persona" in duplicate.content.decode()
    assert signed_in(people.sam).get("/personas/").status_code == 404


def test_limits_for_the_team_and_one_member(people):
    coach = signed_in(people.coach)
    form = {"team-max_sessions_per_day": "3", "team-max_session_minutes": "10"}
    form[f"m{people.lee.pk}-max_session_minutes"] = "30"
    assert coach.post("/limits/", form).status_code == 302
    sam = api(people.sam)("/api/v1/usage/today").json()
    lee = api(people.lee)("/api/v1/usage/today").json()
    assert (sam["max_sessions_per_day"], sam["max_session_minutes"]) == (3, 10)
    assert (lee["max_sessions_per_day"], lee["max_session_minutes"]) == (None, 30)
    coach.post("/limits/", {"team-max_sessions_per_day": "", "team-max_session_minutes": ""})
    assert api(people.lee)("/api/v1/usage/today").json()["max_session_minutes"] is None
    bad = coach.post("/limits/", {"team-max_session_minutes": "0"})
    assert bad.status_code == 200

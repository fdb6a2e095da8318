"""Device tokens and limits in process: stored as hashes, revocable, last-used; 429 with Retry-After; member limits;
the team's personas; bodies over the limit; no token in the logs."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from django.test import Client, override_settings
from documents import session_document

from roleplay_server.team.models import DeviceToken, TeamPersona, UsageLimit
from roleplay_server.team.tokens import create_token, revoke

URL = "/api/v1/training-sessions/"


def auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def put(client: Client, token: str, document: dict):
    return client.put(URL + document["client_session_id"], json.dumps(document), "application/json", **auth(token))


@pytest.mark.django_db
def test_a_token_is_stored_only_as_its_hash_and_notes_its_last_use(people):
    row, token = create_token(people.sam, "Office laptop")
    assert token.startswith("rpt_") and len(token) > 40
    stored = DeviceToken.objects.get(pk=row.pk)
    assert token not in (stored.digest, stored.prefix) and token.startswith(stored.prefix)
    assert stored.last_used_at is None
    assert Client().get("/api/v1/usage/today", **auth(token)).status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None


@pytest.mark.django_db
def test_a_revoked_token_or_a_deactivated_account_gets_401(people):
    row, token = create_token(people.sam)
    client = Client()
    assert client.get("/api/v1/usage/today", **auth(token)).status_code == 200
    revoke(row)
    assert client.get("/api/v1/usage/today", **auth(token)).status_code == 401
    _, other = create_token(people.lee)
    people.lee.user.is_active = False
    people.lee.user.save()
    assert client.get("/api/v1/usage/today", **auth(other)).status_code == 401


@pytest.mark.django_db
@override_settings(SYNC_RATE_PER_MINUTE=3)
def test_too_many_requests_get_429_with_retry_after(people):
    _, token = create_token(people.sam)
    _, other = create_token(people.lee)
    client = Client()
    statuses = [
        client.get(URL.rstrip("/") + "?updated_since=1970-01-01T00:00:00Z", **auth(token)).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    response = put(client, token, session_document())
    assert response.status_code == 429 and response.json()["error"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 61
    assert put(client, other, session_document()).status_code == 201  # the limit is per token


@pytest.mark.django_db
def test_usage_limits_come_from_the_member_else_the_team(people):
    _, token = create_token(people.sam)
    UsageLimit.objects.create(team=people.team, max_sessions_per_day=3, max_session_minutes=10)
    body = Client().get("/api/v1/usage/today", **auth(token)).json()
    assert (body["max_sessions_per_day"], body["max_session_minutes"]) == (3, 10)
    UsageLimit.objects.create(team=people.team, member=people.sam, max_sessions_per_day=None, max_session_minutes=30)
    body = Client().get("/api/v1/usage/today", **auth(token)).json()
    assert (body["max_sessions_per_day"], body["max_session_minutes"]) == (None, 30)


@pytest.mark.django_db
def test_personas_are_the_teams_own_and_a_change_changes_the_etag(people):
    _, token = create_token(people.sam)
    _, stranger = create_token(people.bea)
    client = Client()
    first = client.get("/api/v1/personas", **auth(token))
    persona = {
        "id": "dale",
        "name": "Dale",
        "property_type": "land",
        "location": "OK",
        "motivation_level": "low",
        "conversation_style": "skeptical",
        "objection_patterns": [],
        "asking_price": 90000,
    }
    TeamPersona.objects.create(team=people.team, slug="dale", data=persona)
    people.team.personas_version += 1
    people.team.save()
    second = client.get("/api/v1/personas", HTTP_IF_NONE_MATCH=first["ETag"], **auth(token))
    assert second.status_code == 200 and second["ETag"] != first["ETag"]
    assert second.json() == {"personas": [persona]}
    assert client.get("/api/v1/personas", **auth(stranger)).json() == {"personas": []}


@pytest.mark.django_db
def test_a_real_body_over_the_limit_is_413(people, settings):
    settings.SYNC_MAX_BODY_BYTES = 100_000
    _, token = create_token(people.sam)
    document = session_document()
    document["transcript"] = document["transcript"] * 1000
    response = put(Client(), token, document)
    assert response.status_code == 413 and response.json()["error"] == "too_large"


@pytest.mark.django_db
def test_json_that_is_not_an_object_is_refused(people):
    _, token = create_token(people.sam)
    for raw in ("[]", "null", "42", '"text"', "{" * 5000):
        response = Client().put(URL + str(uuid.uuid4()), raw, "application/json", **auth(token))
        assert response.status_code in (400, 422), raw
        assert response.json()["error"] in ("bad_request", "invalid")


@pytest.mark.django_db
def test_no_token_reaches_the_logs(people, caplog):
    _, token = create_token(people.sam)
    caplog.set_level(logging.DEBUG)
    client = Client()
    put(client, token, session_document())
    put(client, token, {**session_document(), "revision": 0})
    client.get("/api/v1/usage/today", HTTP_AUTHORIZATION="Bearer rpt_wrong-token-xyz")
    assert token not in caplog.text and "rpt_wrong-token-xyz" not in caplog.text

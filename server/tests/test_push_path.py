"""The push's hot path (issue 13, benchmarks): a new session is one token lookup, one INSERT ... ON CONFLICT and one
assignment match, and the shortcut changes nothing the contract promises (201/200/409, the row, the attempt)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from documents import session_document

from roleplay_server.team.models import Assignment, AssignmentAttempt, TrainingSession
from roleplay_server.team.tokens import create_token

pytestmark = pytest.mark.django_db
URL = "/api/v1/training-sessions/"


def put(client: Client, token: str, document: dict):
    return client.put(
        URL + document["client_session_id"],
        json.dumps(document),
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_a_new_session_costs_three_statements_and_a_replay_or_an_old_revision_keeps_the_contract(people):
    _, token = create_token(people.sam, "laptop")
    client = Client()
    assert client.get("/api/v1/usage/today", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200  # last_used
    document = session_document(revision=2)
    with CaptureQueriesContext(connection) as queries:
        response = put(client, token, document)
    assert response.status_code == 201, response.content
    # (the test's own transaction turns the push's into savepoints, which are not statements of the push)
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    statements = [s for s in statements if s not in ("SAVEPOINT", "RELEASE")]
    assert statements == ["SELECT", "INSERT", "SELECT"], [q["sql"][:80] for q in queries.captured_queries]
    row = TrainingSession.objects.get(member=people.sam, client_session_id=document["client_session_id"])
    assert response.json() == {"id": row.pk, "client_session_id": document["client_session_id"], "revision": 2}
    assert row.document == document and row.overall == document["grade"]["overall"] and row.team_id == people.team.pk
    assert put(client, token, document).json()["id"] == row.pk  # the same body again: the same row
    assert put(client, token, document).status_code == 200
    stale = put(client, token, {**document, "revision": 1})
    assert (stale.status_code, stale.json()) == (409, {"error": "stale_revision", "server_revision": 2})
    assert TrainingSession.objects.filter(member=people.sam).count() == 1


def test_the_member_a_token_finds_carries_its_team_and_user_without_more_queries(people):
    _, token = create_token(people.sam, "laptop")
    client = Client()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert (body["email"], body["name"], body["team"], body["role"]) == (
        "sam@a.example",
        "Sam Ortega",
        "Team A",
        "trainee",
    )
    assert len(queries.captured_queries) == 1


def test_a_new_session_pushed_through_the_shortcut_counts_for_a_matching_assignment(people):
    _, token = create_token(people.sam, "laptop")
    whole_team = Assignment.objects.create(
        team=people.team,
        persona_id="skeptical-rural-owner",
        scenario_id="cold-call-first-contact",
        difficulty="PRO",
        due_date=date.today() + timedelta(days=2),
        pass_mark=50,
    )
    Assignment.objects.create(  # someone else's: not an attempt of sam's
        team=people.team,
        member=people.lee,
        persona_id="skeptical-rural-owner",
        scenario_id="cold-call-first-contact",
        difficulty="PRO",
        due_date=date.today() + timedelta(days=2),
    )
    from django.utils import timezone

    document = session_document(started_at=timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert put(Client(), token, document).status_code == 201
    attempts = list(AssignmentAttempt.objects.all())
    assert [(a.assignment_id, a.member_id, a.overall) for a in attempts] == [
        (whole_team.pk, people.sam.pk, document["grade"]["overall"])
    ]


def test_a_body_stored_as_sent_reads_back_as_the_document_it_is_on_every_path(people):
    """A new session keeps the body's own JSON text (not encoded again): indented, with non-ASCII text and a field
    the contract does not know, it reads back as the same document, from the row and from the list."""
    _, token = create_token(people.sam, "laptop")
    document = session_document(revision=1)
    document["persona"]["name"] = "José Ñúñez 🏠"
    document["a_field_from_a_newer_app"] = {"kept": [1, 2.5, None, True]}
    body = json.dumps(document, indent=2, ensure_ascii=False)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = Client()
    answer = client.put(URL + document["client_session_id"], body.encode(), "application/json", **auth)
    assert answer.status_code == 201, answer.content
    row = TrainingSession.objects.get(member=people.sam, client_session_id=document["client_session_id"])
    assert row.document == document and row.persona_name == "José Ñúñez 🏠"
    listed = client.get("/api/v1/training-sessions?updated_since=1970-01-01T00:00:00Z", **auth).json()["sessions"]
    assert [{k: v for k, v in d.items() if k != "id"} for d in listed] == [document]
    # The update path (the ORM's save) stores the same way.
    changed = {**document, "revision": 2, "status": "interrupted"}
    body = json.dumps(changed, indent=1)
    assert client.put(URL + document["client_session_id"], body, "application/json", **auth).status_code == 200
    row.refresh_from_db()
    assert row.document == changed

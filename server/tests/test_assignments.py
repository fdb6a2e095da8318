"""Assignments: the coach assigns a call on the dashboard, the member's app reads it from GET /api/v1/assignments
(checked against the contract), and synced calls that meet it mark it passed; who sees which."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from contract import problems
from django.test import Client
from documents import session_document

from roleplay_server.team.models import Assignment, AssignmentAttempt
from roleplay_server.team.session_store import delete_session, put_session
from roleplay_server.team.tokens import create_token

pytestmark = pytest.mark.django_db
PATH = "/api/v1/assignments"


def signed_in(member) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(member.user)
    return client


def app_view(member) -> list[dict]:
    _row, token = create_token(member, "laptop")
    response = Client().get(PATH, HTTP_AUTHORIZATION=f"Bearer {token}")
    body = json.loads(response.content)
    assert not problems(body, PATH, "get", response.status_code), body
    return body["assignments"]


def call(member, overall: int, difficulty: str = "PRO", **changes):
    from django.utils import timezone

    started = timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    document = session_document(started_at=started, **changes)
    document["scenario"] = {**document["scenario"], "difficulty": difficulty}
    document["grade"] = {**document["grade"], "overall": overall}
    return put_session(member, document).row


def assign(coach, **fields) -> None:
    form = {
        "persona_id": "skeptical-rural-owner",
        "scenario_id": "cold-call-first-contact",
        "difficulty": "PRO",
        "mode": "exam",
        "due_date": (date.today() + timedelta(days=3)).isoformat(),
        "pass_mark": "70",
        "max_attempts": "2",
        **fields,
    }
    response = signed_in(coach).post("/assignments/", form)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_coach_assigns_a_call_and_a_synced_call_that_meets_it_passes_it(people):
    call(people.sam, 95)  # the persona seen in the team's calls: the form offers it, and names it
    assign(people.coach, members=[people.sam.pk])
    (item,) = app_view(people.sam)
    assert (item["status"], item["attempts"], item["best_score"]) == ("open", 0, None)  # made before: no attempt
    assert item["persona_name"] == "Walter Briggs" and item["mode"] == "exam" and item["assigned_by"] == "Cody Coach"
    assert app_view(people.lee) == [] and app_view(people.bea) == []

    call(people.sam, 90, difficulty="ELITE")  # another difficulty: not this assignment
    first = call(people.sam, 60)
    (item,) = app_view(people.sam)
    assert (item["status"], item["attempts"], item["best_score"]) == ("open", 1, 60)
    put_session(people.sam, {**first.document, "revision": 2, "grade": {**first.document["grade"], "overall": 61}})
    assert app_view(people.sam)[0]["attempts"] == 1  # a re-graded call is the same attempt
    passing = call(people.sam, 82)
    (item,) = app_view(people.sam)
    assert (item["status"], item["attempts"], item["best_score"]) == ("passed", 2, 82) and item["passed_at"]

    page = signed_in(people.coach).get("/assignments/").content.decode()
    assert "Sam Ortega: passed (82)" in page and "1/1" in page

    delete_session(people.sam, passing.client_session_id, passing.revision + 1, "dev-1")  # the trainee deleted it
    (item,) = app_view(people.sam)
    assert (item["status"], item["attempts"]) == ("open", 1)
    call(people.sam, 50)
    call(people.sam, 99)  # a third attempt does not count: two allowed
    (item,) = app_view(people.sam)
    assert (item["status"], item["attempts"], item["best_score"]) == ("missed", 2, 61)


def test_a_whole_team_assignment_reaches_every_member_and_past_its_due_date_is_missed(people):
    assign(people.coach, due_date=(date.today() - timedelta(days=1)).isoformat(), max_attempts="")
    assign(people.coach)  # and one due later, for the team too
    assert Assignment.objects.filter(team=people.team, member__isnull=True).count() == 2
    for member in (people.sam, people.lee, people.coach):
        statuses = [item["status"] for item in app_view(member)]
        assert statuses == ["open", "missed"]  # open first
    call(people.lee, 88)
    assert AssignmentAttempt.objects.filter(member=people.lee).count() == 1  # only the one still due
    assert [i["status"] for i in app_view(people.lee)] == ["passed", "missed"]
    assert app_view(people.bea) == []


def test_an_exam_assignment_counts_only_exam_calls_and_a_practice_assignment_counts_any(people):
    assign(people.coach, members=[people.sam.pk], max_attempts="")
    assign(people.coach, members=[people.sam.pk], max_attempts="", mode="practice")
    exam, practice = (Assignment.objects.get(member=people.sam, mode=mode) for mode in ("exam", "practice"))
    hinted = call(people.sam, 95, practice_mode=True)  # made with hints: passes the practice, not the exam
    older = session_document(started_at=hinted.document["started_at"])
    del older["practice_mode"]  # an app older than the field: the server cannot know it was an exam
    older_row = put_session(people.sam, older).row
    counted = lambda assignment: set(  # noqa: E731
        AssignmentAttempt.objects.filter(assignment=assignment).values_list("session_id", flat=True)
    )
    assert counted(exam) == set() and counted(practice) == {hinted.pk, older_row.pk}
    by_mode = {item["mode"]: item for item in app_view(people.sam)}
    assert by_mode["exam"]["status"] == "open" and by_mode["practice"]["status"] == "passed"

    sat = call(people.sam, 80, practice_mode=False)  # the exam itself counts for both
    assert counted(exam) == {sat.pk} and counted(practice) == {hinted.pk, older_row.pk, sat.pk}
    assert {item["mode"]: item["status"] for item in app_view(people.sam)} == {"exam": "passed", "practice": "passed"}


def test_only_a_coach_assigns_and_every_form_needs_csrf(people):
    trainee = signed_in(people.sam)
    assert trainee.get("/assignments/").status_code == 404
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people.coach.user)
    assert strict.post("/assignments/", {"persona_id": "x"}).status_code == 403
    bad = signed_in(people.coach).post("/assignments/", {"persona_id": "x", "pass_mark": "101"})
    assert bad.status_code == 200 and Assignment.objects.count() == 0
    assign(people.coach)
    row = Assignment.objects.get()
    other_team_coach = signed_in(people.bea)
    assert other_team_coach.post(f"/assignments/{row.pk}/delete/").status_code == 404
    assert signed_in(people.coach).post(f"/assignments/{row.pk}/delete/").status_code == 302
    assert Assignment.objects.count() == 0


def test_me_names_the_tokens_member_and_the_dashboard(people):
    _row, token = create_token(people.coach, "laptop")
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    body = json.loads(response.content)
    assert not problems(body, "/api/v1/me", "get", response.status_code), body
    assert body == {
        "email": "coach@a.example",
        "name": "Cody Coach",
        "role": "coach",
        "team": "Team A",
        "dashboard_url": "http://testserver/",
    }
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer rpt_nope").status_code == 401

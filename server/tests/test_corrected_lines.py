"""A transcript line the trainee corrected after the call carries `heard_text` (what the recogniser first heard):
the API keeps and returns it (on SQLite and PostgreSQL, through the real server), refuses a wrong one with 422 naming
the field, and the coach's call page and exports show the correction, escaped."""

from __future__ import annotations

import json
import uuid

import pytest
from contract import problems
from django.test import Client
from documents import session_document

from roleplay_server.team.session_store import put_session

ONE = "/api/v1/training-sessions/{client_session_id}"
LIST = "/api/v1/training-sessions"
HEARD = "It's now and on time to talk?"
CORRECTED = "Is now a good time to talk?"


def corrected_document(heard: object = HEARD, **changes) -> dict:
    document = session_document(device="dev-" + uuid.uuid4().hex[:12], **changes)
    document["transcript"][1]["text"] = CORRECTED
    document["transcript"][1]["heard_text"] = heard
    return document


def put(world, document):
    status, _, body = world.call("PUT", f"{LIST}/{document['client_session_id']}", "sam", body=document)
    assert not problems(body, ONE, "put", status), (status, body)
    return status, body


def pulled(world, device_id: str) -> dict:
    status, _, body = world.call("GET", f"{LIST}?updated_since=1970-01-01T00:00:00Z&device_id={device_id}", "sam")
    assert status == 200 and not problems(body, LIST, "get", status), body
    (session,) = body["sessions"]
    return session


# -- the API, through the real server on both databases ------------------------------------------------------


def test_a_corrected_line_is_stored_and_pulled_with_what_was_heard(world):
    document = corrected_document()
    status, created = put(world, document)
    assert status == 201
    session = pulled(world, document["device_id"])
    assert session["transcript"][1] == {**document["transcript"][1], "heard_text": HEARD}
    assert session["transcript"][1]["text"] == CORRECTED
    assert "heard_text" not in session["transcript"][0]  # an uncorrected line stays as it was sent


def test_a_document_without_heard_text_still_works(world):
    document = session_document(device="dev-" + uuid.uuid4().hex[:12])
    assert all("heard_text" not in line for line in document["transcript"])
    status, _ = put(world, document)
    assert status == 201
    assert all("heard_text" not in line for line in pulled(world, document["device_id"])["transcript"])


@pytest.mark.parametrize("heard", [5, ["words"], "x" * 5000], ids=["number", "list", "5000 characters"])
def test_a_wrong_heard_text_is_refused_with_422_naming_the_line(world, heard):
    status, body = put(world, corrected_document(heard))
    assert (status, body["error"]) == (422, "invalid")
    assert "transcript.1.heard_text" in {detail["field"] for detail in body["details"]}, body


def test_null_heard_text_means_not_corrected(world):
    document = corrected_document(None)
    assert put(world, document)[0] == 201
    assert pulled(world, document["device_id"])["transcript"][1]["heard_text"] is None


# -- the coach's call page and exports (Django's test client) -----------------------------------------------------


def signed_in(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


@pytest.mark.django_db
def test_the_call_page_marks_a_corrected_line_and_shows_what_was_heard_escaped(people):
    evil = "<script>x</script>"
    document = corrected_document(evil)
    row = put_session(people.sam, document).row
    page = signed_in(people.coach).get(f"/calls/{row.pk}/").content.decode()
    assert "1 line corrected by the trainee after the call" in page
    assert page.count("corrected by the trainee</span>") == 1  # the mark on the one corrected line
    assert "heard as: &lt;script&gt;x&lt;/script&gt;" in page
    assert evil not in page
    assert CORRECTED in page


@pytest.mark.django_db
def test_a_call_nobody_corrected_has_no_mark(people):
    row = put_session(people.sam, session_document()).row
    page = signed_in(people.coach).get(f"/calls/{row.pk}/").content.decode()
    assert "corrected by the trainee" not in page and "heard as" not in page


@pytest.mark.django_db
def test_the_count_says_how_many_lines_were_corrected(people):
    document = corrected_document()
    document["transcript"][0]["heard_text"] = "Hell though?"
    row = put_session(people.sam, document).row
    page = signed_in(people.coach).get(f"/calls/{row.pk}/").content.decode()
    assert "2 lines corrected by the trainee after the call" in page


@pytest.mark.django_db
def test_the_exports_carry_the_correction(people):
    row = put_session(people.sam, corrected_document("<b>It's now</b> [on time](x)")).row
    coach = signed_in(people.coach)
    markdown = coach.get(f"/calls/{row.pk}/export.md").content.decode()
    assert "1 line corrected by the trainee after the call" in markdown
    assert "heard as: \\<b\\>It's now\\</b\\> \\[on time\\](x)" in markdown  # literal text, not markup
    data = json.loads(coach.get(f"/calls/{row.pk}/export.json").content)
    assert data["transcript"][1]["heard_text"] == "<b>It's now</b> [on time](x)"
    assert data["transcript"][1]["text"] == CORRECTED

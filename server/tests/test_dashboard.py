"""The dashboard through Django's test client: who sees what, CSRF on every form, sign-in limits, invitations,
device tokens, exports, and synced text escaped."""

from __future__ import annotations

import json

import pytest
from conftest import ADMIN_PASSWORD
from django.test import Client, override_settings
from documents import session_document

from roleplay_server.team.models import DeviceToken
from roleplay_server.team.session_store import put_session

pytestmark = pytest.mark.django_db


def signed_in(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def call_of(member, **changes):
    return put_session(member, session_document(**changes)).row


def test_pages_need_a_sign_in(people):
    for path in ("/", "/leaderboards/", f"/members/{people.sam.pk}/", "/devices/", "/people/"):
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path


def test_the_coach_sees_the_team_and_its_calls(people):
    row = call_of(people.sam)
    coach = signed_in(people.coach)
    page = coach.get("/").content.decode()
    assert "Sam Ortega" in page and "Lee Park" in page and "Bea Other" not in page
    assert coach.get(f"/members/{people.sam.pk}/").status_code == 200
    assert "Walter Briggs" in coach.get(f"/calls/{row.pk}/").content.decode()
    assert coach.get("/leaderboards/?by=score&period=all").status_code == 200
    assert coach.get("/people/").status_code == 404  # inviting is the admin's


def test_a_trainee_sees_only_their_own_calls(people):
    mine, theirs = call_of(people.sam), call_of(people.lee)
    sam = signed_in(people.sam)
    assert sam.get("/")["Location"] == f"/members/{people.sam.pk}/"
    assert sam.get(f"/calls/{mine.pk}/").status_code == 200
    for path in (
        f"/calls/{theirs.pk}/",
        f"/members/{people.lee.pk}/",
        "/leaderboards/",
        "/people/",
        f"/calls/{theirs.pk}/export.json",
    ):
        assert sam.get(path).status_code == 404, path


def test_nobody_sees_another_team(people):
    stranger = call_of(people.bea)
    admin = signed_in(people.admin)
    assert admin.get(f"/calls/{stranger.pk}/").status_code == 404
    assert admin.get(f"/members/{people.bea.pk}/").status_code == 404
    assert admin.get(f"/calls/{stranger.pk}/export.md").status_code == 404


def test_a_deleted_call_is_gone_from_the_dashboard(people):
    from roleplay_server.team.session_store import delete_session

    row = call_of(people.sam)
    delete_session(people.sam, row.client_session_id, 2, "dev")
    assert signed_in(people.coach).get(f"/calls/{row.pk}/").status_code == 404


def test_synced_text_is_escaped_everywhere(people):
    evil = '<script>alert("x")</script>'
    document = session_document()
    document["persona"]["name"] = evil
    document["transcript"][0]["text"] = evil
    document["grade"]["improvements"] = [evil]
    row = put_session(people.sam, document).row
    coach = signed_in(people.coach)
    for path in (f"/calls/{row.pk}/", f"/members/{people.sam.pk}/"):
        page = coach.get(path).content.decode()
        assert evil not in page and "&lt;script&gt;" in page, path
    markdown = coach.get(f"/calls/{row.pk}/export.md")
    assert markdown["Content-Type"].startswith("text/markdown") and "<script>" not in markdown.content.decode()
    exported = coach.get(f"/calls/{row.pk}/export.json")
    assert exported["Content-Disposition"].startswith("attachment")
    assert json.loads(exported.content)["persona"]["name"] == evil  # data, kept exactly


def test_exports_carry_the_call(people):
    row = call_of(people.sam)
    coach = signed_in(people.coach)
    markdown = coach.get(f"/calls/{row.pk}/export.md").content.decode()
    assert "# Call with Walter Briggs" in markdown and "Overall: 59" in markdown and "Hello?" in markdown
    # Plain words for who graded it, on the page and in the export: never the contract's "heuristic".
    page = coach.get(f"/calls/{row.pk}/").content.decode()
    assert "Graded by the built-in rules" in page and "Graded by the built-in rules." in markdown
    assert "heuristic" not in page and "heuristic" not in markdown
    data = json.loads(coach.get(f"/calls/{row.pk}/export.json").content)
    assert data["client_session_id"] == str(row.client_session_id) and data["member"] == "sam@a.example"


def test_every_form_needs_its_csrf_token(people):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people.admin.user)
    assert strict.post("/devices/", {"device_name": "x"}).status_code == 403
    assert strict.post("/people/", {"email": "new@a.example", "role": "trainee"}).status_code == 403
    row = DeviceToken.objects.create(member=people.admin, digest="d" * 64, prefix="rpt_abc")
    assert strict.post(f"/devices/{row.pk}/revoke/").status_code == 403
    assert (
        Client(enforce_csrf_checks=True)
        .post("/accounts/login/", {"username": "admin@a.example", "password": ADMIN_PASSWORD})
        .status_code
        == 403
    )


def test_a_token_is_shown_once_and_only_its_owner_revokes_it(people):
    sam = signed_in(people.sam)
    page = sam.post("/devices/", {"device_name": "Laptop"}).content.decode()
    row = DeviceToken.objects.get(member=people.sam)
    assert row.prefix in page and "rpt_" in page
    assert row.prefix + "…" in sam.get("/devices/").content.decode()
    assert signed_in(people.lee).post(f"/devices/{row.pk}/revoke/").status_code == 404
    assert sam.get(f"/devices/{row.pk}/revoke/").status_code == 405
    sam.post(f"/devices/{row.pk}/revoke/")
    row.refresh_from_db()
    assert row.revoked_at is not None


def test_an_invitation_link_lets_the_new_member_choose_a_password(people):
    admin = signed_in(people.admin)
    response = admin.post("/people/", {"email": "new@a.example", "name": "Nia New", "role": "coach"})
    link = response.context["link"]
    assert link.startswith("http://testserver/accounts/reset/")
    visitor = Client()
    form_page = visitor.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    done = visitor.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Sturdy-pass-2024!", "new_password2": "Sturdy-pass-2024!"}
    )
    assert done.status_code == 302
    assert Client().login(username="new@a.example", password="Sturdy-pass-2024!")
    assert admin.post("/people/", {"email": "new@a.example", "role": "trainee"}).context["form"].errors


def test_passwords_are_hashed_with_argon2(people):
    assert people.sam.user.password.startswith("argon2")


@override_settings(LOGIN_ATTEMPTS_PER_WINDOW=3)
def test_sign_in_attempts_are_limited(people):
    client = Client()
    for _ in range(3):
        assert client.post("/accounts/login/", {"username": "sam@a.example", "password": "wrong"}).status_code == 200
    blocked = client.post("/accounts/login/", {"username": "sam@a.example", "password": ADMIN_PASSWORD})
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0


def test_a_good_sign_in_lands_on_the_dashboard(people):
    response = Client().post("/accounts/login/", {"username": "coach@a.example", "password": ADMIN_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def test_numbers_on_the_overview_and_leaderboard(people):
    from django.utils import timezone

    from roleplay_server.dashboard import stats
    from roleplay_server.team.instants import rfc3339

    now = rfc3339(timezone.now())
    put_session(people.sam, session_document(started_at=now, xp_earned=100))
    put_session(people.sam, session_document(started_at=now, xp_earned=50))
    put_session(people.lee, session_document(started_at=now, xp_earned=400))
    rows = {row.member.pk: row for row in stats.team_overview(people.team)}
    assert (rows[people.sam.pk].calls_week, rows[people.sam.pk].average) == (2, 59.0)
    assert rows[people.sam.pk].weakest == "Closing"
    board = stats.leaderboard(people.team, "week", "xp")
    assert [(r["member"].pk, r["xp"]) for r in board] == [(people.lee.pk, 400), (people.sam.pk, 150)]
    assert stats.member_summary(people.sam)["streak"] == 1

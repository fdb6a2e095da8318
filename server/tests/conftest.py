"""Fixtures: a throwaway PostgreSQL cluster, and the real server running on SQLite and on PostgreSQL with two teams."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from live_server import LiveServer, discard, make_server
from pg_cluster import APT_HINT, PostgresCluster, find_bin_dir

ADMIN_PASSWORD = "a-long-test-password-1"


@pytest.fixture(scope="session")
def pg_cluster():
    if find_bin_dir() is None:
        pytest.skip(f"PostgreSQL server binaries are not installed: {APT_HINT}")
    cluster = PostgresCluster.start()
    yield cluster
    cluster.stop()


@dataclass
class World:
    """A running server with team A (coach, sam, lee) and team B (bea), and a device token for each person."""

    server: LiveServer
    backend: str
    tokens: dict[str, str]

    def call(self, method: str, path: str, who: str = "sam", **kwargs):
        return self.server.request(method, path, token=self.tokens[who], **kwargs)


def _must(result, what: str) -> str:
    assert result.returncode == 0, f"{what}: {result.stdout}\n{result.stderr}"
    return result.stdout


def build_world(server: LiveServer, backend: str) -> World:
    env = {"ROLEPLAY_SERVER_ADMIN_PASSWORD": ADMIN_PASSWORD}
    _must(server.cli("init", "--team", "Team A", "--admin", "coach@a.example", **env), "init A")
    _must(server.cli("init", "--team", "Team B", "--admin", "boss@b.example", **env), "init B")
    _must(server.cli("add-member", "sam@a.example", "--team", "Team A"), "add sam")
    _must(server.cli("add-member", "lee@a.example", "--team", "Team A"), "add lee")
    _must(server.cli("add-member", "bea@b.example", "--team", "Team B"), "add bea")
    tokens = {}
    for who, email in [
        ("coach", "coach@a.example"),
        ("sam", "sam@a.example"),
        ("lee", "lee@a.example"),
        ("bea", "bea@b.example"),
    ]:
        tokens[who] = _must(server.cli("create-token", email, "--device", f"{who}-laptop"), "token").strip()
    server.start(workers=2)
    return World(server, backend, tokens)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def world(request):
    database_url = request.getfixturevalue("pg_cluster").url if request.param == "postgres" else None
    server = make_server(database_url)
    try:
        yield build_world(server, request.param)
    finally:
        discard(server)


# -- in-process fixtures (Django's test client on the SQLite test file) ------------------------------------------


@dataclass
class People:
    team: object
    other_team: object
    admin: object
    coach: object
    sam: object
    lee: object
    bea: object  # in the other team


@pytest.fixture
def people(db):
    from roleplay_server.team.models import Role, Team
    from roleplay_server.team.people import add_member

    team, other = Team.objects.create(name="Team A"), Team.objects.create(name="Team B")
    return People(
        team=team,
        other_team=other,
        admin=add_member(team, "admin@a.example", Role.ADMIN, ADMIN_PASSWORD, "Ada Admin"),
        coach=add_member(team, "coach@a.example", Role.COACH, ADMIN_PASSWORD, "Cody Coach"),
        sam=add_member(team, "sam@a.example", Role.TRAINEE, ADMIN_PASSWORD, "Sam Ortega"),
        lee=add_member(team, "lee@a.example", Role.TRAINEE, ADMIN_PASSWORD, "Lee Park"),
        bea=add_member(other, "bea@b.example", Role.TRAINEE, ADMIN_PASSWORD, "Bea Other"),
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield

"""Fixtures for the tests against the real team server: the server (one per test module) and a new member of its
team per test, with sync services pointed at the server as that member."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from desktop.settings import load_settings
from desktop.sync.service import SyncService
from tests.sync.sync_data import fast_options
from tests.sync.team_server import TeamServer, discard, start_team_server


@pytest.fixture(scope="module")
def team_server():
    server = start_team_server()
    yield server
    discard(server)


@dataclass
class Live:
    server: TeamServer
    email: str
    token: str
    repo: object
    queries: object
    made: list

    def service(self, **options) -> SyncService:
        made = SyncService(load_settings(), self.repo, self.queries, fast_options(**options))
        self.made.append(made)
        return made

    def server_sessions(self, token: str | None = None) -> dict[str, dict]:
        status, page = self.server.request(
            "GET", "/api/v1/training-sessions?updated_since=1970-01-01T00:00:00Z&limit=500", token=token or self.token
        )
        assert status == 200, page
        return {doc["client_session_id"]: doc for doc in page["sessions"]}


@pytest.fixture
def live(team_server, repo, queries, monkeypatch):
    """A new member of the live team with a token, and sync services pointed at the server as that member."""
    email, token = team_server.new_member()
    monkeypatch.setenv("ROLEPLAY_BACKEND_URL", team_server.url)
    monkeypatch.setenv("ROLEPLAY_BACKEND_TOKEN", token)
    state = Live(team_server, email, token, repo, queries, [])
    yield state
    for service in state.made:
        service.stop()


def without_id(document: dict) -> dict:
    return {k: v for k, v in document.items() if k != "id"}

"""The whole app (AppShell, its sync thread) against the real team server (`roleplay-server run`) over real sockets:
what a sync brings reaches the screens that are open, without reopening them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from desktop.app_shell import AppShell
from desktop.core.scenarios import load_scenarios
from desktop.ui.shell.single_instance import OPEN, InstanceRequest, InstanceServer
from tests.sync import team_server_fixtures
from tests.sync.test_sync_team_server import TEAM_PERSONA

team_server = team_server_fixtures.team_server  # one real server for the module
WAIT_MS = 30_000


@pytest.fixture
def app(qtbot, team_server, monkeypatch) -> Iterator[AppShell]:
    """The app signed in to the live team as a new member, its Contacts loaded and its first sync done."""
    _email, token = team_server.new_member()
    monkeypatch.setenv("ROLEPLAY_BACKEND_URL", team_server.url)
    monkeypatch.setenv("ROLEPLAY_BACKEND_TOKEN", token)
    monkeypatch.delenv("ELEVENLABS_AGENT_ID", raising=False)
    server = InstanceServer()
    assert server.start()
    shell = AppShell(QApplication.instance(), server, start_hidden=True, pending=InstanceRequest(OPEN))
    qtbot.addWidget(shell.window)
    try:
        qtbot.waitUntil(lambda: "sync" in shell._services and shell._services["sync"].running, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: shell.window.sync_label.text() == "Synced", timeout=WAIT_MS)
        assert shell._services["sync"].wait_idle(30)
        qtbot.waitUntil(lambda: len(shell.contacts.personas()) > 0, timeout=WAIT_MS)
        yield shell
    finally:
        shell.shutdown()


def test_contacts_show_a_new_team_persona_and_assignment_as_soon_as_a_sync_pulls_them(qtbot, team_server, app):
    contacts = app.contacts
    assert TEAM_PERSONA["id"] not in {p.id for p in contacts.personas()}
    assert not contacts.assignment_line.isVisibleTo(contacts)
    scenario = load_scenarios()[-1]
    team_server.save_persona(TEAM_PERSONA)
    team_server.assign(None, TEAM_PERSONA["id"], scenario.id, "PRO", 80, mode="exam")

    sync = app._services["sync"]
    sync.online()  # the refresh the sync thread runs every few minutes, now
    assert sync.wait_idle(30)

    # Contacts was open all along and is not reopened: the sync's news reaches it by itself.
    qtbot.waitUntil(lambda: TEAM_PERSONA["id"] in {p.id for p in contacts.personas()}, timeout=10_000)
    qtbot.waitUntil(lambda: contacts.assignment_for(TEAM_PERSONA["id"]) is not None, timeout=10_000)
    assert f"Assigned by your coach: {TEAM_PERSONA['id']}" in contacts.assignment_line.text()
    assert contacts.assignment_line.isVisibleTo(contacts)
    assignment = contacts.assignment_for(TEAM_PERSONA["id"])
    assert (assignment.scenario_id, assignment.difficulty, assignment.mode) == (scenario.id, "PRO", "exam")

"""Settings -> Team against the real team server: the address and a pasted token, "Test connection" saying who the
token signs you in as (GET /api/v1/me), and the dashboard link following the address."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.bootstrap import open_app_state
from desktop.ui.settings.connection_checks import ERROR, OK
from desktop.ui.settings.page import SettingsPage
from desktop.ui.settings.presenter import SettingsPresenter
from desktop.ui.settings.team import dashboard_url, fetch_identity
from tests.sync import team_server_fixtures

team_server = team_server_fixtures.team_server


@pytest.fixture
def page(qtbot, data_home: Path) -> Iterator[SettingsPage]:
    state = open_app_state()
    settings_page = SettingsPage()
    qtbot.addWidget(settings_page)
    presenter = SettingsPresenter(state, settings_page)
    settings_page.presenter = presenter
    settings_page.show()
    with qtbot.waitSignal(presenter.loaded, timeout=10_000):
        presenter.load()
    yield settings_page
    presenter.shutdown()
    state.close()


def _test_backend(qtbot, page: SettingsPage) -> str:
    qtbot.mouseClick(page.test_buttons["backend"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.test_buttons["backend"].isEnabled(), timeout=15_000)
    return page.test_results["backend"].text()


def test_the_team_card_says_who_a_pasted_token_signs_you_in_as(qtbot, page, team_server):
    email, token = team_server.new_member(role="coach")
    assert "once the address is set" in page.team.dashboard.text()
    page.fields["backend_url"].setText(team_server.url)
    assert f'href="{team_server.url}/"' in page.team.dashboard.text()  # the link follows the address as typed
    page.fields["backend_token"].setText(token)  # pasted, not saved yet: tested as typed

    said = _test_backend(qtbot, page)
    assert page.test_results["backend"].kind == OK, said
    assert f"Signed in as {email}, coach of Live Team." in said

    page.fields["backend_token"].setText("rpt_not-a-real-token")
    said = _test_backend(qtbot, page)
    assert page.test_results["backend"].kind == ERROR and "Signed in as" not in said


def test_identity_and_the_dashboard_address(team_server):
    email, token = team_server.new_member()
    who = fetch_identity(team_server.url + "/", token)
    assert (who.email, who.role, who.team) == (email, "trainee", "Live Team")
    assert who.dashboard_url == team_server.url + "/"
    assert dashboard_url("http://team.example.com") == ""  # the app never sends a token to plain http elsewhere
    assert dashboard_url("https://team.example.com/") == "https://team.example.com/"

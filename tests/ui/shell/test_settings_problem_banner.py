"""A settings.json that could not be read is moved aside and the app says so in its window (issue 14, item 4)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop.app_shell import AppShell
from desktop.ui.shell.single_instance import OPEN, InstanceRequest, InstanceServer

WAIT_MS = 20_000


def _start(qtbot) -> AppShell:
    server = InstanceServer()
    assert server.start()
    shell = AppShell(QApplication.instance(), server, start_hidden=False, pending=InstanceRequest(OPEN))
    qtbot.addWidget(shell.window)
    qtbot.waitUntil(lambda: shell.state is not None and "start_call" in shell._services, timeout=WAIT_MS)
    return shell


def test_a_settings_file_with_a_typo_is_shown_in_the_window(qtbot, data_home: Path) -> None:
    data_home.mkdir(parents=True, exist_ok=True)
    (data_home / "settings.json").write_text('{"trainee_name": "Sam",, "backend_url": ""}', encoding="utf-8")
    shell = _start(qtbot)
    try:
        banner = shell.window.banner
        qtbot.waitUntil(banner.isVisible, timeout=WAIT_MS)
        (aside,) = data_home.glob("settings.json.unreadable-*")
        assert "settings.json could not be read" in banner.text() and aside.name in banner.text()
        assert shell.state.settings.trainee_name == "Sam"  # read around the typo
        assert banner.property("kind") == "warning"
    finally:
        shell.shutdown()


def test_good_settings_show_no_banner(qtbot, data_home: Path) -> None:
    shell = _start(qtbot)
    try:
        assert not shell.window.banner.isVisible() and shell.window.banner.text() == ""
    finally:
        shell.shutdown()

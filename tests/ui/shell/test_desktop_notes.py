"""Issue 15, item 7: a desktop notification (the tray's message) when a grade arrives while the window is hidden,
and when sync needs the user to sign in (once each time it starts needing it)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from desktop.sync.status import SyncState
from desktop.ui.shell.main_window import MainWindow
from desktop.ui.shell.notes import DesktopNotes
from desktop.ui.shell.tray import TrayIcon


@pytest.fixture
def parts(qtbot, tmp_path):
    window = MainWindow(QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    tray = TrayIcon(lambda: None)
    notes = DesktopNotes(tray, window)
    shown: list[str] = []
    tray.note_shown.connect(shown.append)
    return window, notes, shown


def test_a_grade_is_announced_only_while_the_window_is_hidden(qtbot, parts) -> None:
    window, notes, shown = parts
    window.show()
    qtbot.waitExposed(window)
    notes.grade_arrived(7)
    assert shown == []  # the feedback page shows it
    window.hide()
    notes.grade_arrived(8)
    assert len(shown) == 1 and "graded" in shown[0].lower()
    window.showMinimized()
    notes.grade_arrived(9)
    assert len(shown) == 2


def test_sync_asks_to_sign_in_once_each_time(parts) -> None:
    _window, notes, shown = parts
    needs = SyncState(configured=True, sign_in_needed=True, problem="Your sign-in has expired.")
    notes.sync_changed(SyncState(configured=True))
    assert shown == []
    notes.sync_changed(needs)
    assert len(shown) == 1 and "sign in" in shown[0].lower()
    notes.sync_changed(SyncState(configured=True, sign_in_needed=True, pending=2))
    assert len(shown) == 1  # still the same problem: said once
    notes.sync_changed(SyncState(configured=True))
    notes.sync_changed(needs)
    assert len(shown) == 2

"""Desktop notifications (the tray's message): a grade that arrives while the window is hidden, and sync that needs
the user to sign in. Each says what happened and what to do; a repeat of the same sync problem is not said again."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from desktop.ui.shell.main_window import MainWindow
from desktop.ui.shell.tray import TrayIcon

GRADED_TITLE = "Your call is graded"
GRADED_NOTE = "Your call has been graded. Open Roleplay Trainer to see your feedback."
SIGN_IN_TITLE = "Sign in to keep syncing"
SIGN_IN_NOTE = "Sign in to keep syncing your calls with your team (Settings, Sync). {problem}"


class DesktopNotes(QObject):
    def __init__(self, tray: TrayIcon, window: MainWindow) -> None:
        super().__init__(window)
        self._tray = tray
        self._window = window
        self._asked_to_sign_in = False

    def window_hidden(self) -> bool:
        return not self._window.isVisible() or self._window.isMinimized()

    def grade_arrived(self, _session_id: int) -> None:
        """While the window is shown the feedback page says it; hidden in the tray or minimised, a note does."""
        if self.window_hidden():
            self._tray.show_note(GRADED_TITLE, GRADED_NOTE)

    def sync_changed(self, state: Any) -> None:
        """A SyncState: when sync starts needing a sign-in, say so once (until it stops needing one)."""
        needs = bool(getattr(state, "configured", False) and getattr(state, "sign_in_needed", False))
        if needs and not self._asked_to_sign_in:
            problem = (getattr(state, "problem", "") or "").strip()
            self._tray.show_note(SIGN_IN_TITLE, SIGN_IN_NOTE.format(problem=problem).strip())
        self._asked_to_sign_in = needs

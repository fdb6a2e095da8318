"""The tray icon: a menu rebuilt each time it opens (the call running now and a way to end it, or the quick practice
call; open, the last five calls, quit), and the window living on in the tray when closed."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QSystemTrayIcon

from desktop.settings import APP_NAME
from desktop.ui.shell.main_window import MainWindow
from desktop.ui.shell.tray_data import LiveCall, TrayData
from desktop.ui.widgets import icons
from desktop.ui.widgets.tasks import run_in_background

log = logging.getLogger(__name__)

CLOSE_NOTE_TITLE = f"{APP_NAME} is still running"
CLOSE_NOTE = "Closing the window keeps the app here in the tray, ready for a quick call. Choose Quit to leave."
CALL_NOTE = "Your call with {name} goes on. End it from this icon's menu, or open the window to go back to it."
NOTE_MS = 8000
END_CALL = "End the call"
END_AND_QUIT = "End the call and quit"


class TrayIcon(QObject):
    """Signals carry what the user picked; `attach_window` wires the usual open/close/quit behaviour."""

    quick_call_requested = Signal(object)  # CallRequest
    open_requested = Signal()
    session_requested = Signal(int)
    quit_requested = Signal()
    end_call_requested = Signal()
    menu_rebuilt = Signal()
    note_shown = Signal(str)  # the message, for tests and logs

    def __init__(self, loader: Callable[[], TrayData] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._loading = False
        self.data = TrayData()
        self.live_call: LiveCall | None = None
        self._live_action: QAction | None = None
        self._status_tip = APP_NAME
        self.quit_question: QMessageBox | None = None
        self.icon = QSystemTrayIcon(icons.app_icon(), self)
        self.icon.setToolTip(APP_NAME)
        self.menu = QMenu()
        self.menu.setToolTipsVisible(True)
        self.menu.aboutToShow.connect(self._on_menu_opening)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.window: MainWindow | None = None
        self.rebuild_menu()

    def set_loader(self, loader: Callable[[], TrayData]) -> None:
        """The data source, once the store is open (the icon can show before that)."""
        self._loader = loader
        self.refresh()

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> bool:
        """Shows the icon; False when the desktop has no tray (the window then closes normally)."""
        if not self.available():
            return False
        self.icon.show()
        self.refresh()
        return True

    def hide(self) -> None:
        self.icon.hide()

    # --- the window --------------------------------------------------------------------------------------------------

    def attach_window(self, window: MainWindow) -> None:
        """Closing the window hides it to the tray (when there is one); Open brings it back; Quit really quits."""
        self.window = window
        in_tray = self.available()
        window.set_close_to_tray(in_tray)
        app = QApplication.instance()
        if in_tray and isinstance(app, QApplication):
            app.setQuitOnLastWindowClosed(False)
        window.hidden_to_tray.connect(self._on_hidden)
        self.open_requested.connect(window.bring_to_front)
        self.quit_requested.connect(self._quit)

    def _on_hidden(self, first_time: bool) -> None:
        if self.live_call is not None:  # "ready for a quick call" would be false: say what is really going on
            self.show_note(CLOSE_NOTE_TITLE, CALL_NOTE.format(name=self.live_call.name))
        elif first_time:
            self.show_note(CLOSE_NOTE_TITLE, CLOSE_NOTE)

    def show_note(self, title: str, message: str) -> None:
        self.icon.showMessage(title, message, icons.app_icon(), NOTE_MS)
        self.note_shown.emit(message)

    def _quit(self) -> None:
        """Quits, asking first when a call runs: quitting ends it, which the trainee may not have meant."""
        if self.live_call is None:
            self._quit_now()
            return
        if self.quit_question is not None:
            self.quit_question.raise_()
            self.quit_question.activateWindow()
            return
        question = QMessageBox(
            QMessageBox.Icon.Question,
            f"Quit {APP_NAME}?",
            f"Your call with {self.live_call.name} is still running.",
            QMessageBox.StandardButton.Cancel,
        )
        question.setInformativeText("Quitting ends the call. What was said so far is saved and graded.")
        end = question.addButton(END_AND_QUIT, QMessageBox.ButtonRole.DestructiveRole)
        question.setDefaultButton(QMessageBox.StandardButton.Cancel)
        question.setWindowIcon(icons.app_icon())

        def answered() -> None:
            self.quit_question = None
            if question.clickedButton() is end:
                self.end_call_requested.emit()
                self._quit_now()
            question.deleteLater()

        question.finished.connect(answered)
        self.quit_question = question
        question.open()  # not exec(): the call's updates keep flowing while the question waits

    def _quit_now(self) -> None:
        if self.window is not None:
            self.window.quit_for_real()
            self.window.close()
        self.icon.hide()
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit()

    # --- the menu ----------------------------------------------------------------------------------------------------

    def set_data(self, data: TrayData) -> None:
        self.data = data
        self.rebuild_menu()

    def set_live_call(self, call: LiveCall | None) -> None:
        """The call running now, or None. A new elapsed time only renames its item (the menu may be open)."""
        same_call = call is not None and self.live_call is not None and call.name == self.live_call.name
        self.live_call = call
        if call is not None and same_call and self._live_action is not None:
            self._live_action.setText(call.label)
        else:
            self.rebuild_menu()
        self._show_tip()

    def set_status_tip(self, text: str) -> None:
        """The icon's tooltip when no call runs (the sync state)."""
        self._status_tip = text
        self._show_tip()

    def _show_tip(self) -> None:
        call = self.live_call
        self.icon.setToolTip(f"{APP_NAME} - in a call with {call.name}" if call is not None else self._status_tip)

    def refresh(self) -> None:
        """Reads the latest calls off the GUI thread; the menu is rebuilt when they arrive (even while open)."""
        if self._loader is None or self._loading:
            return
        self._loading = True
        run_in_background(self._loader, self._loaded)

    def _loaded(self, data: TrayData | None, error: Exception | None) -> None:
        self._loading = False
        if error is not None or data is None:
            log.warning("tray menu data could not be read: %r", error)
            return
        self.set_data(data)

    def _on_menu_opening(self) -> None:
        self.rebuild_menu()
        self.refresh()

    def rebuild_menu(self) -> None:
        menu = self.menu
        menu.clear()
        data = self.data
        self._live_action = None
        if self.live_call is not None:  # no quick call offered: one call at a time, and this one comes first
            self._add_live_call(menu, self.live_call)
        else:
            self._add_quick_call(menu, data)
        menu.addAction(icons.icon("window"), f"Open {APP_NAME}", self.open_requested.emit)
        menu.addSeparator()
        heading = menu.addAction("Recent calls")
        heading.setEnabled(False)  # a heading: Fusion draws menu sections as bare lines
        if data.recent:
            for recent in data.recent:
                action = menu.addAction(icons.icon("history"), recent.label)
                action.setToolTip("Open this call's review")
                action.triggered.connect(lambda _checked=False, sid=recent.session_id: self._open_session(sid))
        else:
            empty = menu.addAction("No calls yet")
            empty.setEnabled(False)
        menu.addSeparator()
        menu.addAction(icons.icon("power"), "Quit", self.quit_requested.emit)
        if menu.isVisible():
            self._keep_on_screen()
        self.menu_rebuilt.emit()

    def _add_quick_call(self, menu: QMenu, data: TrayData) -> None:
        quick = QAction(icons.icon("phone"), "Quick practice call", menu)
        _bold(quick)
        if data.quick_call is not None:
            quick.setText(f"Quick practice call: {data.quick_label}")
            quick.setToolTip(f"Call again at {data.quick_call.difficulty.title()} level")
            request = data.quick_call
            quick.triggered.connect(lambda: self.quick_call_requested.emit(request))
        else:
            quick.setEnabled(False)
        menu.addAction(quick)

    def _add_live_call(self, menu: QMenu, call: LiveCall) -> None:
        live = QAction(icons.icon("phone", "SUCCESS"), call.label, menu)
        _bold(live)
        live.setToolTip("Go back to the call")
        live.triggered.connect(self.open_requested.emit)
        menu.addAction(live)
        self._live_action = live
        end = menu.addAction(icons.icon("hang_up", "DANGER"), END_CALL, self.end_call_requested.emit)
        end.setToolTip("Hang up now; the call is saved and graded")
        menu.addSeparator()

    def _keep_on_screen(self) -> None:
        """Fresh data can make an open menu wider or taller: keep all of it on the screen."""
        menu = self.menu
        menu.adjustSize()
        screen = menu.screen().availableGeometry()
        geometry = menu.geometry()
        x = max(screen.left(), min(geometry.x(), screen.right() + 1 - geometry.width()))
        y = max(screen.top(), min(geometry.y(), screen.bottom() + 1 - geometry.height()))
        menu.move(x, y)

    def _open_session(self, session_id: int) -> None:
        self.open_requested.emit()
        self.session_requested.emit(session_id)

    def action_texts(self) -> list[str]:
        return [a.text() for a in self.menu.actions() if not a.isSeparator() or a.text()]


def _bold(action: QAction) -> None:
    font = action.font()
    font.setBold(True)
    action.setFont(font)

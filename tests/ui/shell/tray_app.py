"""The app's shell with its tray and single-instance server, run as a separate process on a real X display for
tests/ui/shell/test_tray.py (the test process itself renders offscreen).

It is wired the way desktop/app.py should wire it: the window with the contacts page, the tray attached to the
window, the instance server taking later launches. The test drives it with one command per line on stdin and reads
one JSON event per line on stdout.
"""

from __future__ import annotations

import json
import sys
import threading

from PySide6.QtCore import QObject, QPoint, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel

from desktop.bootstrap import open_app_state
from desktop.store.catalog import PersonaCatalog
from desktop.ui.contacts.page import ContactsPage
from desktop.ui.contacts.presenter import ContactsPresenter
from desktop.ui.shell.main_window import MainWindow
from desktop.ui.shell.requests import CallRequest
from desktop.ui.shell.single_instance import OPEN, QUICK_CALL, InstanceRequest, InstanceServer
from desktop.ui.shell.tray import TrayIcon
from desktop.ui.shell.tray_data import load_tray_data
from desktop.ui.widgets import theme

TRAY_WAIT_MS = 10_000


def emit(event: str, **data: object) -> None:
    print(json.dumps({"event": event, **data}), flush=True)


class Commands(QObject):
    """stdin lines, read on a thread and delivered to the GUI thread as a queued signal."""

    received = Signal(str)

    def start(self) -> None:
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in sys.stdin:
            self.received.emit(line.strip())


def main() -> int:
    hidden = "--hidden" in sys.argv
    app = QApplication(sys.argv[:1])
    theme.apply_theme(app, "light")
    state = open_app_state()
    catalog = PersonaCatalog(state.queries)
    window = MainWindow()
    contacts = ContactsPage()
    window.add_page("contacts", contacts)
    window.add_page("history", QLabel("History"))
    presenter = ContactsPresenter(state, contacts)
    presenter.reload()
    tray = TrayIcon()
    tray.set_loader(lambda: load_tray_data(state.queries, catalog, state.settings.practice_mode))
    server = InstanceServer()
    if not server.start():
        emit("handed_off")
        return 0

    def on_call(request: CallRequest) -> None:
        emit("call", request=request.to_dict())

    def on_request(request: InstanceRequest) -> None:
        emit("request", action=request.action)
        if request.action == OPEN:
            window.bring_to_front()
        elif request.action == QUICK_CALL and tray.data.quick_call is not None:
            window.bring_to_front()
            on_call(tray.data.quick_call)

    server.request_received.connect(on_request)
    tray.quick_call_requested.connect(on_call)
    contacts.call_requested.connect(on_call)
    tray.session_requested.connect(lambda sid: emit("session", session_id=sid))
    tray.note_shown.connect(lambda message: emit("note", message=message))
    tray.menu_rebuilt.connect(lambda: emit("menu", actions=tray.action_texts(), loaded=bool(tray.data.recent)))

    def window_state() -> dict:
        geometry = tray.icon.geometry()
        return {
            "tray_available": TrayIcon.available(),
            "tray_visible": tray.icon.isVisible(),
            "tray_geometry": [geometry.x(), geometry.y(), geometry.width(), geometry.height()],
            "window_visible": window.isVisible(),
            "listening": server.listening,
            "menu_geometry": [tray.menu.x(), tray.menu.y(), tray.menu.width(), tray.menu.height()],
        }

    def run(command: str) -> None:
        name, _, argument = command.partition(" ")
        if name == "state":
            emit("state", **window_state())
        elif name == "open_menu":
            tray.menu.popup(QPoint(1200, 30))
        elif name == "close_menu":
            tray.menu.hide()
        elif name == "trigger":
            action = next((a for a in tray.menu.actions() if a.text().startswith(argument)), None)
            if action is None:
                emit("error", message=f"no menu item starts with {argument!r}")
            else:
                tray.menu.hide()
                action.trigger()
        elif name == "close_window":
            window.close()
            QTimer.singleShot(0, lambda: emit("closed", **window_state()))
        elif name == "screenshot":
            window.grab().save(argument)
            emit("screenshot", path=argument)

    commands = Commands()
    commands.received.connect(run)
    commands.start()

    def wait_for_tray(remaining: int) -> None:
        # The tray host may still be starting; the icon can only be shown once it is there.
        if not TrayIcon.available() and remaining > 0:
            QTimer.singleShot(50, lambda: wait_for_tray(remaining - 50))
            return
        shown = tray.show()
        tray.attach_window(window)
        if not hidden:
            window.show()
        emit("ready", shown=shown, **window_state())

    wait_for_tray(TRAY_WAIT_MS)
    code = app.exec()
    server.close()
    state.close()
    emit("exit", code=code)
    return code


if __name__ == "__main__":
    sys.exit(main())

"""Builds the QApplication: one instance per user, the theme, then the shell that paints at once and opens the data
off the GUI thread."""

from __future__ import annotations

import sys

from desktop.settings import APP_NAME


def run_gui(*, start_hidden: bool = False, quick_call: bool = False) -> int:
    from desktop.ui.shell.single_instance import OPEN, QUICK_CALL, InstanceRequest, hand_off_to_running_instance

    request = InstanceRequest(QUICK_CALL if quick_call else OPEN)
    # A second launch hands its request to the running copy and ends, before it pays for a QApplication.
    if hand_off_to_running_instance(request):
        return 0

    from PySide6.QtWidgets import QApplication

    from desktop import crash, smoke
    from desktop.app_shell import AppShell
    from desktop.ui.settings.presenter import stored_color_scheme
    from desktop.ui.shell.single_instance import InstanceServer
    from desktop.ui.widgets import icons, theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    crash.install(smoke.crash_reporter())  # uncaught errors: logged, then a dialog (see desktop/crash.py)
    app.setApplicationName(APP_NAME)
    app.setDesktopFileName("roleplay-trainer")  # lets Wayland match the window to installer/linux's .desktop file
    app.setQuitOnLastWindowClosed(False)  # closing the window keeps the app in the tray
    theme.apply_theme(app, stored_color_scheme())
    app.setWindowIcon(icons.app_icon())
    server = InstanceServer()
    if not server.start(request):  # another copy started in the meantime and took the request
        return 0
    shell = AppShell(app, server, start_hidden=start_hidden, pending=request)
    smoke.watch(app, shell)  # ROLEPLAY_SMOKE_QUIT_AFTER_PAINT=1: quit once painted and opened (desktop/smoke.py)
    try:
        return app.exec()
    finally:
        shell.shutdown()

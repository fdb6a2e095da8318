"""The last line of defence: an exception nobody caught (on the GUI thread, a worker thread, or Qt's own fatal
messages) is written to the log with secrets redacted, and the user sees a plain dialog saying what happened and
where the log is, with an "Open log folder" button.

No call is lost by it: every transcript line is committed the moment it arrives, an exception in a Qt slot leaves the
app running, and if the process does die, the next start marks the call `interrupted`, keeps its lines and grades it.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import logging.handlers
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from desktop import settings as app_settings
from desktop.log_repeats import RepeatLimiter
from desktop.logging_setup import redact

log = logging.getLogger("desktop.crash")
qt_log = logging.getLogger("qt")
# Qt can repeat one warning thousands of times a second (a disabled socket notifier did, at 2 MB/s): a few copies and
# a count keep rotation from throwing away everything logged before it.
qt_log.addFilter(RepeatLimiter())

MAX_DIALOGS = 3  # a fault that repeats (in a paint event, say) is logged every time but shown only this often


@dataclass(frozen=True)
class CrashReport:
    summary: str  # the exception in one line, secrets redacted
    thread: str
    log_file: Path

    @property
    def log_folder(self) -> Path:
        return self.log_file.parent


ShowReport = Callable[[CrashReport], None]


def current_log_file() -> Path:
    """The file the app's log is really going to (the rotating handler's), or where it would be."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.FileHandler) and handler.baseFilename != os.devnull
    ]
    handlers.sort(key=lambda handler: not isinstance(handler, logging.handlers.RotatingFileHandler))  # the app's first
    return Path(handlers[0].baseFilename) if handlers else app_settings.logs_dir() / "roleplay.log"


def crash_dialog(report: CrashReport, open_folder: Callable[[Path], object] | None = None):
    """The dialog for `report`, not yet shown. "Open log folder" opens the folder in the file manager."""
    from PySide6.QtWidgets import QMessageBox

    if open_folder is None:
        from desktop.ui.shell.help_menu import open_folder_in_file_manager as open_folder

    box = QMessageBox(QMessageBox.Icon.Critical, f"{app_settings.APP_NAME} ran into a problem", "")
    box.setText("Something went wrong inside Roleplay Trainer, and what it was doing was stopped.")
    box.setInformativeText(
        "Your calls are safe: every line is saved the moment it is said. If a call was cut short, it is kept and "
        "graded the next time the app starts.\n\n"
        f"The details are in the log file:\n{report.log_file}\n\n"
        "If this keeps happening, restart the app and send that file to whoever supports your team."
    )
    box.setDetailedText(report.summary)
    open_button = box.addButton("Open log folder", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.setDefaultButton(QMessageBox.StandardButton.Close)
    box.buttonClicked.connect(lambda button: open_folder(report.log_folder) if button is open_button else None)
    return box


def show_crash_dialog(report: CrashReport) -> None:
    crash_dialog(report).exec()


class CrashHandler:
    """Installs itself as sys.excepthook, threading.excepthook and Qt's message handler; `uninstall` puts back what
    was there. `show` gets each report on the GUI thread (the default opens the dialog)."""

    def __init__(self, show: ShowReport | None = None, max_dialogs: int = MAX_DIALOGS) -> None:
        self.show = show or show_crash_dialog
        self.max_dialogs = max_dialogs
        self.reports: list[CrashReport] = []
        self._shown = 0
        self._showing = False
        self._relay = None
        self._previous: tuple | None = None

    # --- installing ---------------------------------------------------------------------------------------------

    def install(self) -> CrashHandler:
        from PySide6.QtCore import QCoreApplication, qInstallMessageHandler

        if self._previous is not None:
            return self
        if QCoreApplication.instance() is not None:
            self._relay = _make_relay(self._show_on_gui_thread)
        previous_qt = qInstallMessageHandler(self._on_qt_message)
        self._previous = (sys.excepthook, threading.excepthook, previous_qt)
        sys.excepthook = self._on_exception
        threading.excepthook = self._on_thread_exception
        return self

    def uninstall(self) -> None:
        from PySide6.QtCore import qInstallMessageHandler

        if self._previous is None:
            return
        sys.excepthook, threading.excepthook, previous_qt = self._previous
        qInstallMessageHandler(previous_qt)
        self._previous = None
        self._relay = None

    # --- the hooks ----------------------------------------------------------------------------------------------

    def _on_exception(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):  # Ctrl+C in a terminal is not a crash
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.handle(exc_type, exc, tb, threading.current_thread().name)

    def _on_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:  # what the default hook ignores too
            return
        name = args.thread.name if args.thread is not None else "unknown thread"
        self.handle(args.exc_type, args.exc_value, args.exc_traceback, name)

    def _on_qt_message(self, mode, context, message: str) -> None:
        from PySide6.QtCore import QtMsgType

        level = {
            QtMsgType.QtDebugMsg: logging.DEBUG,
            QtMsgType.QtInfoMsg: logging.INFO,
            QtMsgType.QtWarningMsg: logging.WARNING,
            QtMsgType.QtCriticalMsg: logging.ERROR,
            QtMsgType.QtFatalMsg: logging.CRITICAL,
        }.get(mode, logging.WARNING)
        category = getattr(context, "category", None) or "default"
        qt_log.log(level, "%s: %s", category, message)
        if mode == QtMsgType.QtFatalMsg:  # Qt aborts the process when this returns: get it on disk first
            _flush_log()

    # --- reporting ----------------------------------------------------------------------------------------------

    def handle(
        self, exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None, thread: str
    ) -> CrashReport | None:
        """Logs the exception with its traceback and hands a report to `show` on the GUI thread."""
        try:
            log.critical("unhandled exception in thread %s", thread, exc_info=(exc_type, exc, tb))
            _flush_log()
            summary = redact(f"{exc_type.__name__}: {exc}")[:500]
            report = CrashReport(summary, thread, current_log_file())
            self.reports.append(report)
            self._deliver(report)
            return report
        except Exception:  # the hook must never raise: fall back to Python's own report on stderr
            sys.__excepthook__(exc_type, exc, tb)
            return None

    def _deliver(self, report: CrashReport) -> None:
        from PySide6.QtCore import QThread

        if self._relay is None:  # no QApplication (a command-line run): the log and stderr are enough
            print(f"roleplay: {report.summary} (details in {report.log_file})", file=sys.stderr)
            return
        on_gui_thread = QThread.currentThread() is self._relay.thread()
        if on_gui_thread and QThread.currentThread().loopLevel() == 0:
            # Before app.exec() or after it returned: nothing would ever deliver a queued call.
            self._show_on_gui_thread(report)
        else:
            # Queued even on the GUI thread: a modal dialog must not open inside a paint or event handler.
            self._relay.crashed.emit(report)

    def _show_on_gui_thread(self, report: CrashReport) -> None:
        if self._showing or self._shown >= self.max_dialogs:
            return
        self._showing = True
        self._shown += 1
        try:
            self.show(report)
        except Exception:
            log.exception("the crash dialog itself failed")
        finally:
            self._showing = False


def _make_relay(slot: ShowReport):
    """A QObject living on the GUI thread: its signal reaches `slot` there, always through the event queue."""
    from PySide6.QtCore import QObject, Qt, Signal, Slot

    class _CrashRelay(QObject):
        crashed = Signal(object)

        def __init__(self) -> None:
            super().__init__()
            self.crashed.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

        @Slot(object)
        def _deliver(self, report: CrashReport) -> None:
            slot(report)

    return _CrashRelay()


def _flush_log() -> None:
    for handler in logging.getLogger().handlers:
        with contextlib.suppress(Exception):  # a broken handler must not hide the crash behind another one
            handler.flush()


_installed: CrashHandler | None = None


def install(show: ShowReport | None = None) -> CrashHandler:
    """Installs the app's crash handler (once; call it after the QApplication exists). `show` replaces the dialog,
    for tests and the bundle's smoke run."""
    global _installed
    if _installed is None:
        _installed = CrashHandler(show).install()
        # Qt still logs while its statics are torn down after Python has begun to shut down: by then the default
        # handler must be back, as a Python one can no longer run.
        atexit.register(_installed.uninstall)
    return _installed

"""The crash handler: an uncaught exception (GUI thread, worker thread, or at the top level) goes to the real rotating
log with secrets redacted, reaches the dialog on the GUI thread, and loses no call: the app goes on after a slot
fails, and a process that dies is recovered at the next start. Also the dialog itself and the Help menu.

The subprocess half runs this file as a script: `python -m tests.app.test_crash CHILD`.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer, qCritical, qWarning
from PySide6.QtWidgets import QMessageBox

from desktop import settings as app_settings
from desktop.crash import CrashHandler, CrashReport, crash_dialog
from desktop.logging_setup import configure_logging

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sk-" + "fake" * 5  # built at run time: not a key, and no scanner mistakes it for one


@pytest.fixture
def app_log(data_home: Path):
    """The app's real logging (rotating file in the data folder, redacting formatter); conftest's root_logging undoes
    it afterwards."""
    logging.getLogger()._roleplay_configured = False  # type: ignore[attr-defined]
    configure_logging()
    return app_settings.logs_dir() / "roleplay.log"


@pytest.fixture
def handler(qapp):
    shown: list[tuple[CrashReport, threading.Thread]] = []
    crash_handler = CrashHandler(show=lambda report: shown.append((report, threading.current_thread())))
    crash_handler.install()
    crash_handler.shown = shown  # type: ignore[attr-defined]
    yield crash_handler
    crash_handler.uninstall()


def _append(repo, session_id: int, seq: int) -> None:
    from desktop.core.transcript import Speaker, TranscriptLine

    speaker = Speaker.TRAINEE if seq % 2 else Speaker.SELLER
    repo.append_line(session_id, TranscriptLine(seq, speaker, f"line {seq}", seq * 1000, 900))


def test_an_exception_in_a_slot_is_logged_redacted_shown_and_the_call_goes_on(qtbot, app_log, handler, repo, queries):
    from tests.conftest import start

    session = start(repo)
    _append(repo, session.id, 1)

    def failing_slot() -> None:
        raise ValueError(f"upload refused, api_key={SECRET}")

    QTimer.singleShot(0, failing_slot)
    qtbot.waitUntil(lambda: len(handler.shown) == 1, timeout=5000)

    report, shown_on = handler.shown[0]
    assert shown_on is threading.main_thread()
    assert report.summary == "ValueError: upload refused, api_key=[redacted]"
    assert report.log_file == app_log and report.log_folder == app_settings.logs_dir()
    text = app_log.read_text(encoding="utf-8")
    assert "unhandled exception in thread MainThread" in text
    assert "Traceback (most recent call last)" in text and "in failing_slot" in text
    assert SECRET not in text and "api_key=[redacted]" in text

    # The app went on: the call is still active and its next line is stored like the first.
    _append(repo, session.id, 2)
    record = queries.get_session(session.id)
    assert record.summary.status == "active"
    assert [line.seq for line in record.lines] == [1, 2]


def test_a_worker_thread_exception_reaches_the_dialog_on_the_gui_thread(qtbot, app_log, handler):
    def work() -> None:
        raise RuntimeError(f"sync failed: Bearer {SECRET}")

    worker = threading.Thread(target=work, name="sync-worker")
    worker.start()
    worker.join(timeout=5)
    qtbot.waitUntil(lambda: len(handler.shown) == 1, timeout=5000)

    report, shown_on = handler.shown[0]
    assert shown_on is threading.main_thread()  # never a widget on a worker thread
    assert report.thread == "sync-worker"
    assert SECRET not in report.summary
    text = app_log.read_text(encoding="utf-8")
    assert "unhandled exception in thread sync-worker" in text and "in work" in text
    assert SECRET not in text


def test_a_fault_that_repeats_is_logged_each_time_but_shown_only_a_few_times(qtbot, app_log, handler):
    handler.max_dialogs = 2

    def failing_slot() -> None:
        raise KeyError("the same fault again")

    for _ in range(5):
        QTimer.singleShot(0, failing_slot)
    qtbot.waitUntil(lambda: len(handler.reports) == 5, timeout=5000)
    qtbot.waitUntil(lambda: len(handler.shown) == 2, timeout=5000)
    assert app_log.read_text(encoding="utf-8").count("KeyError: 'the same fault again'") == 5
    assert len(handler.shown) == 2


def test_qt_warnings_go_to_the_log_redacted(app_log, handler):
    qWarning(f"QSslSocket: handshake failed, token={SECRET}")
    qCritical("QFile: disk is full")
    text = app_log.read_text(encoding="utf-8")
    assert "WARNING MainThread qt: default: QSslSocket: handshake failed, token=[redacted]" in text
    assert "ERROR MainThread qt: default: QFile: disk is full" in text
    assert SECRET not in text
    assert handler.shown == []  # Qt's warnings are not crashes


def test_uninstall_puts_the_previous_hooks_back(qapp):
    before = (sys.excepthook, threading.excepthook)
    crash_handler = CrashHandler(show=lambda report: None).install()
    assert sys.excepthook == crash_handler._on_exception
    assert threading.excepthook == crash_handler._on_thread_exception
    crash_handler.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_the_dialog_says_where_the_log_is_and_opens_its_folder(qtbot, tmp_path: Path):
    log_file = tmp_path / "logs" / "roleplay.log"
    report = CrashReport("ValueError: boom", "MainThread", log_file)
    opened: list[Path] = []
    box = crash_dialog(report, open_folder=opened.append)
    qtbot.addWidget(box)

    assert str(log_file) in box.informativeText()
    assert "calls are safe" in box.informativeText()
    assert box.detailedText() == "ValueError: boom"
    open_button = next(b for b in box.buttons() if b.text() == "Open log folder")
    assert box.buttonRole(open_button) == QMessageBox.ButtonRole.ActionRole
    open_button.click()
    assert opened == [tmp_path / "logs"]


def test_the_help_menu_opens_the_log_folder_and_shows_the_version(qtbot, tmp_path: Path, monkeypatch):
    from desktop.ui.shell import help_menu
    from desktop.ui.shell.main_window import MainWindow

    opened: list[Path] = []
    monkeypatch.setattr(help_menu, "open_folder_in_file_manager", lambda folder: opened.append(folder) or True)
    window = MainWindow(QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)

    assert window.help_button.menu() is not None
    window.help_button.action(help_menu.OPEN_LOG_FOLDER).trigger()
    assert opened == [app_settings.logs_dir()]
    about = help_menu.about_text()
    assert help_menu.app_version() in about and str(app_settings.data_dir()) in about


@pytest.mark.skipif(sys.platform == "win32", reason="the child's exit code is checked the POSIX way")
def test_a_process_that_dies_of_an_exception_loses_no_call(data_home: Path):
    child = subprocess.run(
        [sys.executable, "-m", "tests.app.test_crash", "CHILD"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == 1, child.stderr  # what Python exits with after an uncaught exception
    dialogs = [line for line in child.stdout.splitlines() if line.startswith("dialog ")]
    assert dialogs == [
        "dialog sync-worker RuntimeError: sync failed, token=[redacted]",
        "dialog MainThread ValueError: bad reply",
        "dialog MainThread OSError: disk gone, api_key=[redacted]",
    ], child.stdout + child.stderr
    session_id = int(next(line for line in child.stdout.splitlines() if line.startswith("session ")).split()[1])

    log_text = (data_home / "logs" / "roleplay.log").read_text(encoding="utf-8")
    assert log_text.count("unhandled exception in thread") == 3
    assert SECRET not in log_text

    from desktop.bootstrap import open_app_state

    state = open_app_state()  # the next start
    try:
        assert session_id in state.recovered_sessions
        record = state.queries.get_session(session_id)
        assert [line.seq for line in record.lines] == [1, 2, 3]
        assert record.summary.status == "interrupted"
        assert record.summary.needs_grading is True
    finally:
        state.close()


def _child() -> None:
    """A GUI process mid-call that fails three ways: in a worker thread, in a slot, then fatally at the top level."""
    from PySide6.QtWidgets import QApplication

    from desktop import crash
    from desktop.bootstrap import open_app_state
    from tests.conftest import start

    configure_logging()
    app = QApplication(sys.argv[:1])

    def show(report: CrashReport) -> None:
        print(f"dialog {report.thread} {report.summary}", flush=True)
        if len(crash_handler.reports) == 2:
            app.quit()

    crash_handler = crash.install(show)
    state = open_app_state()
    session = start(state.repository)
    for seq in (1, 2, 3):
        _append(state.repository, session.id, seq)
    print(f"session {session.id}", flush=True)

    def work() -> None:
        raise RuntimeError(f"sync failed, token={SECRET}")

    worker = threading.Thread(target=work, name="sync-worker")
    worker.start()
    worker.join()

    def failing_slot() -> None:
        raise ValueError("bad reply")

    QTimer.singleShot(0, failing_slot)
    app.exec()
    raise OSError(f"disk gone, api_key={SECRET}")  # the process dies here, with the call still active


if __name__ == "__main__" and sys.argv[1:] == ["CHILD"]:
    _child()


def test_the_http_clients_request_lines_stay_out_of_the_log(app_log):
    logging.getLogger("httpx2").info('HTTP Request: PUT http://127.0.0.1/api/v1/training-sessions/x "200 OK"')
    logging.getLogger("desktop.sync").info("pushed 1 session")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = app_log.read_text(encoding="utf-8")
    assert "pushed 1 session" in text and "HTTP Request" not in text

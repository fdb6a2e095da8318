"""Closing the window or quitting mid-call (issue 14, item 16), with real windows offscreen: the window asks (end the
call / keep it in a small always-on-top window / cancel), the tray shows the live call and can end it, and Quit asks
before it ends a call. Before, closing hid a call that went on with the microphone open and Quit ended it unasked."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.ui.call.close_guard import END_TEXT, KEEP_TEXT, CallCloseGuard
from desktop.ui.shell.main_window import MainWindow
from desktop.ui.shell.requests import CallRequest
from desktop.ui.shell.tray import CLOSE_NOTE, END_AND_QUIT, END_CALL, TrayIcon
from desktop.ui.shell.tray_data import TrayData
from desktop.voice.call.events import CallState
from tests.ui.call.call_screen_kit import WAIT_MS, MemoryPorts, call_plan, connect_call, screenshot


@pytest.fixture
def shell(qtbot, make_screen, tmp_path: Path):
    """A main window holding a real call screen, a tray attached to it, and the guard, as the app wires them."""

    def make(*, ports=None):
        screen = make_screen(ports=ports)
        window = MainWindow(QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        window.add_page("call", screen)
        window.show_page("call")
        tray = TrayIcon()
        tray.set_data(TrayData(CallRequest("dale", "cold-call-first-contact"), "Dale Pruitt · Cold call"))
        tray.attach_window(window)
        window.set_close_to_tray(True)  # as on a desktop with a tray (offscreen has none)
        guard = CallCloseGuard(window, screen, tray)
        window.resize(1180, 820)
        window.show()
        qtbot.waitExposed(window)
        return window, screen, tray, guard

    return make


def button(box: QMessageBox, text: str):
    return next(b for b in box.buttons() if b.text() == text)


def ask_to_close(qtbot, window: MainWindow, guard: CallCloseGuard) -> QMessageBox:
    window.close()
    qtbot.waitUntil(lambda: guard.question is not None and guard.question.isVisible(), timeout=WAIT_MS)
    return guard.question


def test_closing_mid_call_asks_and_cancel_keeps_the_call_in_the_window(qtbot, shell, tmp_path):
    window, screen, tray, guard = shell()
    connect_call(qtbot, screen, call_plan(typed=True))
    question = ask_to_close(qtbot, window, guard)
    assert window.isVisible() and screen.state is CallState.CONNECTED  # nothing happened before the answer
    assert {b.text() for b in question.buttons()} == {END_TEXT, KEEP_TEXT, "Cancel"}
    assert screen.plan.persona.name in question.text()
    screenshot(question, "close-mid-call-question", tmp_path)
    qtbot.mouseClick(question.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: guard.question is None, timeout=WAIT_MS)
    assert window.isVisible() and not guard.mini.isVisible() and screen.state is CallState.CONNECTED

    window.close()  # asked again, not hidden quietly the second time
    assert guard.question is not None and window.isVisible()


def test_keeping_the_call_in_a_small_window_on_top(qtbot, shell, server, queries, tmp_path):
    ports = MemoryPorts()
    window, screen, tray, guard = shell(ports=ports)
    connect_call(qtbot, screen, call_plan(typed=False))
    question = ask_to_close(qtbot, window, guard)
    qtbot.mouseClick(button(question, KEEP_TEXT), Qt.MouseButton.LeftButton)
    mini = guard.mini
    qtbot.waitUntil(mini.isVisible, timeout=WAIT_MS)
    assert not window.isVisible()
    assert mini.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert mini.name.text() == screen.plan.persona.name and mini.timer.text().count(":") == 1
    assert mini.width() < window.width() / 2 and mini.height() < window.height() / 3
    screenshot(mini, "call-small-window", tmp_path)

    qtbot.mouseClick(mini.mute, Qt.MouseButton.LeftButton)  # mutes the real microphone, in step with the call screen
    qtbot.waitUntil(lambda: ports.mic.muted, timeout=WAIT_MS)
    assert screen.page.controls.mute_button.isChecked() and mini.mute.text() == "Unmute"

    qtbot.mouseClick(mini.open, Qt.MouseButton.LeftButton)  # back to the full window: one view of the call
    qtbot.waitUntil(window.isVisible, timeout=WAIT_MS)
    assert not mini.isVisible() and screen.state is CallState.CONNECTED

    qtbot.mouseClick(button(ask_to_close(qtbot, window, guard), KEEP_TEXT), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(mini.isVisible, timeout=WAIT_MS)
    with qtbot.waitSignal(screen.call_finished, timeout=WAIT_MS) as finished:
        qtbot.mouseClick(mini.end, Qt.MouseButton.LeftButton)
    assert window.isVisible() and not mini.isVisible()  # the trainee sees how the call ended
    assert queries.get_session(finished.args[0]).summary.end_reason == "user_hangup"


def test_ending_the_call_on_close_hangs_up_and_hides_to_the_tray(qtbot, shell, queries):
    window, screen, tray, guard = shell()
    notes: list[str] = []
    tray.note_shown.connect(notes.append)
    connect_call(qtbot, screen, call_plan(typed=True))
    session_id = screen.session_id
    question = ask_to_close(qtbot, window, guard)
    with qtbot.waitSignal(screen.call_finished, timeout=WAIT_MS):
        qtbot.mouseClick(button(question, END_TEXT), Qt.MouseButton.LeftButton)
    assert not window.isVisible() and not guard.mini.isVisible()
    assert queries.get_session(session_id).summary.end_reason == "user_hangup"
    assert notes == [CLOSE_NOTE] and tray.live_call is None  # "ready for a quick call" is true now


def test_the_tray_shows_the_live_call_ends_it_and_quit_asks_first(qtbot, shell, queries, tmp_path):
    window, screen, tray, guard = shell()
    assert tray.action_texts()[0].startswith("Quick practice call: Dale Pruitt")
    connect_call(qtbot, screen, call_plan(typed=True))
    name = screen.plan.persona.name
    texts = tray.action_texts()
    assert texts[0].startswith(f"In a call with {name} · 00:") and texts[1] == END_CALL
    assert not any(t.startswith("Quick practice call") for t in texts)  # it could not start during this call
    assert name in tray.icon.toolTip()
    live = tray.menu.actions()[0]
    qtbot.waitUntil(lambda: live.text() != f"In a call with {name} · 00:00", timeout=WAIT_MS)  # the time runs
    tray.menu.adjustSize()
    screenshot(tray.menu, "tray-live-call", tmp_path)

    # Quit asks; Cancel keeps the call and the app.
    quit_action = next(a for a in tray.menu.actions() if a.text() == "Quit")
    quit_action.trigger()
    question = tray.quit_question
    assert question is not None and question.isVisible() and name in question.text()
    qtbot.mouseClick(question.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tray.quit_question is None, timeout=WAIT_MS)
    assert window.isVisible() and screen.state is CallState.CONNECTED

    # End the call from the tray: it hangs up, and the quick call comes back.
    session_id = screen.session_id
    end = next(a for a in tray.menu.actions() if a.text() == END_CALL)
    with qtbot.waitSignal(screen.call_finished, timeout=WAIT_MS):
        end.trigger()
    assert queries.get_session(session_id).summary.end_reason == "user_hangup"
    assert tray.live_call is None and tray.action_texts()[0].startswith("Quick practice call: ")
    assert name not in tray.icon.toolTip()


def test_quit_from_the_tray_mid_call_ends_the_call_once_confirmed(qtbot, shell, queries):
    window, screen, tray, guard = shell()
    connect_call(qtbot, screen, call_plan(typed=True))
    session_id = screen.session_id
    next(a for a in tray.menu.actions() if a.text() == "Quit").trigger()
    with qtbot.waitSignal(screen.adapter.ended, timeout=WAIT_MS):
        qtbot.mouseClick(button(tray.quit_question, END_AND_QUIT), Qt.MouseButton.LeftButton)
    assert not window.isVisible()  # closed for real, past the close question
    assert guard.question is None
    assert queries.get_session(session_id).summary.end_reason == "user_hangup"


def test_the_app_wires_the_question_and_the_tray_and_a_second_call_shows_the_first(qtbot, monkeypatch):
    from desktop.app_shell import AppShell
    from desktop.ui.shell.single_instance import OPEN, InstanceRequest, InstanceServer

    monkeypatch.delenv("ELEVENLABS_AGENT_ID", raising=False)
    server = InstanceServer()
    assert server.start()
    app = AppShell(QApplication.instance(), server, start_hidden=False, pending=InstanceRequest(OPEN))
    qtbot.addWidget(app.window)
    try:
        qtbot.waitUntil(lambda: "start_call" in app._services, timeout=20_000)
        qtbot.waitUntil(lambda: bool(app.contacts.personas()), timeout=20_000)
        request = app.contacts.call_request_for("dale-pruitt-coal-county", typed=True)
        app._services["start_call"](request)
        screen = app.window.page("call")
        qtbot.waitUntil(lambda: screen.state is CallState.CONNECTED, timeout=20_000)
        assert app.tray.live_call is not None and app.tray.live_call.name == "Dale Pruitt"

        guard = app._services["call_guard"]
        app.window.close()
        qtbot.waitUntil(lambda: guard.question is not None, timeout=WAIT_MS)
        assert app.window.isVisible() and screen.call_running
        guard.question.reject()  # Cancel
        qtbot.waitUntil(lambda: guard.question is None, timeout=WAIT_MS)

        app.window.hide()  # wherever the window went, asking for another call shows the one running
        app.window.show_page("contacts")
        app._services["start_call"](request)
        assert app.window.isVisible() and app.window.current_page_key() == "call" and screen.call_running
    finally:
        app.shutdown()

"""The whole app as a new user meets it, offscreen: no keys, no network. Contacts -> a typed call on the embedded
practice partner -> feedback that fills in when the grade arrives -> the call in history -> its review. Also a
corrupt database, a second launch handing its request to the running app, and a correction of what was heard graded
again by the app's queue."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from desktop.app_shell import AppShell
from desktop.ui.shell.single_instance import OPEN, InstanceRequest, InstanceServer
from tests.ui.screens import seed_call
from tests.ui.session.test_review_corrections import HEARD, LINES, SAID

WAIT_MS = 20_000


@pytest.fixture
def shell(qtbot, monkeypatch) -> Iterator[AppShell]:
    monkeypatch.delenv("ELEVENLABS_AGENT_ID", raising=False)
    monkeypatch.setenv("ROLEPLAY_GRADING_TIMEOUT_S", "5")
    server = InstanceServer()
    assert server.start()
    app_shell = AppShell(QApplication.instance(), server, start_hidden=False, pending=InstanceRequest(OPEN))
    qtbot.addWidget(app_shell.window)
    yield app_shell
    app_shell.shutdown()


def _ready(shell: AppShell) -> bool:
    return "start_call" in shell._services


def test_a_new_user_calls_the_partner_and_reviews_the_graded_call(qtbot, shell) -> None:
    window = shell.window
    qtbot.waitUntil(lambda: _ready(shell), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(shell.contacts.personas()) == 15, timeout=WAIT_MS)
    shell.contacts.call_requested.emit(shell.contacts.call_request_for("dale-pruitt-coal-county", typed=True))
    call_screen = window.page("call")
    assert window.current_page_key() == "call"
    controller = shell._services["controller"]
    qtbot.waitUntil(lambda: controller.call is not None and controller.call.session_id is not None, timeout=WAIT_MS)
    lines = []
    controller.adapter.final_line.connect(lines.append)
    qtbot.waitUntil(lambda: len(lines) >= 1, timeout=WAIT_MS)  # the seller answers the phone
    call_screen.page.typing.send_requested.emit("Hi Dale, this is Sam. Do you have a minute to talk about your land?")
    qtbot.waitUntil(lambda: len(lines) >= 3, timeout=WAIT_MS)
    session_id = controller.call.session_id
    with qtbot.waitSignal(call_screen.call_finished, timeout=WAIT_MS) as finished:
        call_screen.hang_up()
    assert finished.args == [session_id]
    assert window.current_page_key() == "feedback"
    feedback = window.page("feedback")
    qtbot.waitUntil(lambda: _graded(shell, session_id), timeout=WAIT_MS)
    assert not feedback.grab().isNull()
    window.page("history").open_requested.emit(session_id)
    assert window.current_page_key() == "review"


def _graded(shell: AppShell, session_id: int) -> bool:
    record = shell.state.queries.get_session(session_id)
    return record is not None and record.grade is not None


def test_a_corrupt_database_is_shown_in_plain_words_and_left_alone(qtbot, data_home, monkeypatch) -> None:
    data_home.mkdir(parents=True, exist_ok=True)
    db = data_home / "roleplay.db"
    db.write_bytes(b"this is not a database" * 100)
    before = db.read_bytes()
    server = InstanceServer()
    assert server.start()
    app_shell = AppShell(QApplication.instance(), server, start_hidden=True, pending=InstanceRequest(OPEN))
    qtbot.addWidget(app_shell.window)
    try:
        qtbot.waitUntil(
            lambda: app_shell.window.banner.isVisible() or bool(app_shell.window.banner.text()), timeout=WAIT_MS
        )
        assert "could not be opened" in app_shell.window.banner.text()
        assert db.read_bytes() == before
    finally:
        app_shell.shutdown()


def test_a_second_launch_hands_its_quick_call_to_the_running_app(qtbot, shell) -> None:
    qtbot.waitUntil(lambda: _ready(shell), timeout=WAIT_MS)
    placed = []
    shell._services["start_call"] = placed.append  # the boundary: what the running app is asked to do
    shell._services["quick_call"] = lambda: placed.append("quick")
    # A real second launch, `roleplay --quick-call`, in its own process (the hand-off waits for our answer).
    launch = subprocess.Popen(
        [sys.executable, "-m", "desktop", "--quick-call"],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        qtbot.waitUntil(lambda: placed == ["quick"], timeout=WAIT_MS)
        assert launch.wait(timeout=WAIT_MS / 1000) == 0  # it handed off and ended, without a window of its own
    finally:
        if launch.poll() is None:
            launch.kill()
        launch.communicate()


def test_recordings_folder_is_beside_the_database(data_home: Path) -> None:
    from desktop.settings import db_path, recordings_dir

    assert recordings_dir().parent == db_path().parent


def test_the_sync_indicator_and_tray_tooltip_follow_the_backend(qtbot, backend, monkeypatch) -> None:
    monkeypatch.setenv("ROLEPLAY_BACKEND_URL", backend.url)
    monkeypatch.setenv("ROLEPLAY_BACKEND_TOKEN", "test-token")
    server = InstanceServer()
    assert server.start()
    app_shell = AppShell(QApplication.instance(), server, start_hidden=True, pending=InstanceRequest(OPEN))
    qtbot.addWidget(app_shell.window)
    try:
        qtbot.waitUntil(lambda: app_shell.window.sync_label.text() == "Synced", timeout=WAIT_MS)
        assert app_shell.tray.icon.toolTip().startswith("Roleplay Trainer - ")
    finally:
        app_shell.shutdown()


def test_without_a_backend_the_indicator_hides(qtbot, shell) -> None:
    qtbot.waitUntil(lambda: "sync" in shell._services, timeout=WAIT_MS)
    assert shell.window.sync_label.text() == "Sync off"
    assert not shell.window.sync_dot.parentWidget().isVisibleTo(shell.window)


def test_a_call_counting_for_an_exam_assignment_is_placed_in_exam_mode_from_anywhere(qtbot, data_home, monkeypatch):
    """The dial pad, Call again and the tray ask for the app's mode; a call that counts for the coach's exam
    assignment (same seller, scenario and level) is still placed as an exam. Other calls keep the app's mode."""
    from dataclasses import asdict
    from datetime import date, timedelta

    from desktop.bootstrap import open_app_state
    from desktop.store.sync_store import SyncStore
    from desktop.sync.assignments import ASSIGNMENTS_KEY, parse_assignment
    from desktop.ui.shell.requests import CallRequest

    exam = {
        "id": 4, "persona_id": "dale-pruitt-coal-county", "persona_name": "Dale Pruitt",
        "scenario_id": "decision-maker-call", "scenario_title": "Decision maker", "difficulty": "PRO", "mode": "exam",
        "due_date": (date.today() + timedelta(days=2)).isoformat(), "pass_mark": 75, "max_attempts": None,
        "attempts": 0, "best_score": None, "status": "open",
    }  # fmt: skip
    state = open_app_state()  # what a sync cached before this start
    SyncStore(state.repository).put_cached(ASSIGNMENTS_KEY, [asdict(parse_assignment(exam))]).result()
    state.close()
    monkeypatch.delenv("ELEVENLABS_AGENT_ID", raising=False)
    server = InstanceServer()
    assert server.start()
    app_shell = AppShell(QApplication.instance(), server, start_hidden=True, pending=InstanceRequest(OPEN))
    qtbot.addWidget(app_shell.window)
    try:
        qtbot.waitUntil(lambda: _ready(app_shell), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: app_shell.contacts.assignment_for(exam["persona_id"]) is not None, timeout=WAIT_MS)
        placed: list[CallRequest] = []
        monkeypatch.setattr(app_shell._services["controller"], "place_call", placed.append)  # the boundary
        assigned = CallRequest(exam["persona_id"], exam["scenario_id"], "PRO", practice_mode=True)
        app_shell.dialer.call_requested.emit(assigned)
        app_shell.tray.quick_call_requested.emit(CallRequest(exam["persona_id"], exam["scenario_id"], "ROOKIE"))
        assert [(r.difficulty, r.practice_mode) for r in placed] == [("PRO", False), ("ROOKIE", True)]
    finally:
        app_shell.shutdown()


def test_a_correction_in_the_review_is_graded_again_by_the_app(qtbot, shell) -> None:
    """The app's wiring of a correction of what was heard: the saved correction goes to the app's grading queue (as
    "Grade again" does), and the new grade comes back to the review on screen."""
    qtbot.waitUntil(lambda: _ready(shell), timeout=WAIT_MS)
    state = shell.state
    session_id = seed_call(state.repository, LINES)
    window = shell.window
    window.page("history").open_requested.emit(session_id)  # History -> the review, as the user opens it
    review = window.page("review")
    qtbot.waitUntil(lambda: review.session_id == session_id, timeout=WAIT_MS)
    # The app graded nothing yet (seeded outside it); the correction is what asks for the grade.
    assert state.queries.get_session(session_id).grade is None

    review.correction_requested.emit(session_id, 4, SAID)
    qtbot.waitUntil(lambda: state.queries.get_session(session_id).grade is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: review.data.record.grade is not None, timeout=WAIT_MS)  # the review follows the grade
    record = review.data.record
    assert record.heard_texts == {4: HEARD} and not record.summary.needs_grading
    assert review.corrected.text() == "Graded on your corrected words: 1 line corrected."

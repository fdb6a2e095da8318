"""The app's wiring of a correction in the review: the saved correction goes to the app's grading queue (as "Grade
again" does), and the new grade comes back to the review on screen."""

from __future__ import annotations

from collections.abc import Iterator

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
    server = InstanceServer()
    assert server.start()
    app_shell = AppShell(QApplication.instance(), server, start_hidden=False, pending=InstanceRequest(OPEN))
    qtbot.addWidget(app_shell.window)
    yield app_shell
    app_shell.shutdown()


def test_a_correction_in_the_review_is_graded_again_by_the_app(qtbot, shell) -> None:
    qtbot.waitUntil(lambda: "start_call" in shell._services, timeout=WAIT_MS)
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

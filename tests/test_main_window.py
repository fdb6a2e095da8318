"""The main window, rendered for real (offscreen): contacts and history come from a real store, off the GUI thread."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.app import load_home_data
from desktop.bootstrap import open_app_state
from desktop.core.results import Grade
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.ui.main_window import MainWindow
from desktop.ui.tasks import run_in_background
from tests.conftest import start


@pytest.fixture
def state(data_home: Path):
    opened = open_app_state()
    yield opened
    opened.close()


def test_window_lists_personas_and_history(qtbot, state):
    started = start(state.repository)
    state.repository.append_line(started.id, TranscriptLine(1, Speaker.SELLER, "Hello?", 0, 600))
    state.repository.end_session(started.id, end_reason="user_hangup")
    state.repository.save_grade(started.id, Grade(80, 70, 60, 50))

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    results = []
    run_in_background(lambda: load_home_data(state), lambda data, error: results.append((data, error)))
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    data, error = results[0]
    assert error is None
    window.show_data(data)

    assert window.contact_list.count() == len(data.personas) >= 10
    assert window.session_table.rowCount() == 1
    assert window.session_table.item(0, 5).text() == "65"
    assert "1 calls stored" in window.statusBar().currentMessage() or "1 call" in window.statusBar().currentMessage()

    window.search.setText(data.personas[0].location.split(",")[0])
    visible = [i for i in range(window.contact_list.count()) if not window.contact_list.item(i).isHidden()]
    assert 0 < len(visible) < window.contact_list.count()

    image = window.grab().toImage()
    assert not image.isNull() and image.width() >= 800


def test_background_errors_reach_the_gui_thread(qtbot):
    results = []

    def fail():
        raise OSError("disk unplugged")

    run_in_background(fail, lambda data, error: results.append(error))
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert isinstance(results[0], OSError)


def test_a_data_error_is_shown_in_plain_words(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show_error("The database at /x cannot be read (file is not a database).")
    assert "cannot be read" in window.history_caption.text()

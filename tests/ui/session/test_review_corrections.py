"""Correcting what was heard, in the review of a stored spoken call: the trainee line the recogniser wrote as "I'm
calling him out your twenty acres off Hickory Road, not a minute." (a slip seen in the spoken labelled calls) is
corrected to "...Got a minute?" through the dialog (F2, Enter), the line shows the corrected
words with a "corrected" mark whose tooltip says what was heard, and the real grading queue (the rules) grades the
call again: rapport credits the permission ask. Seller lines and typed calls offer no correction, and transcript
text never turns into markup."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument

from desktop.core.transcript import Speaker, TranscriptLine
from desktop.grading.queue import GradingQueue, grade_session, rule_based_grade
from desktop.ui.session.correction import TITLE
from desktop.ui.session.presenters import GradingRelay, ReviewPresenter
from desktop.ui.session.review import ReviewScreen
from tests.ui.screens import app_state, seed_call

HEARD = "I'm calling him out your twenty acres off Hickory Road, not a minute."
SAID = "I'm calling about your twenty acres off Hickory Road. Got a minute?"
HEARD_INDEX = 3
LINES = [
    TranscriptLine(1, Speaker.SELLER, "Hello?", 0, 800),
    TranscriptLine(2, Speaker.TRAINEE, "Hi Walter, this is Sam with Blue Ridge Land Partners.", 1200, 3000),
    TranscriptLine(3, Speaker.TRAINEE, "We buy land around Bastrop.", 4400, 1600),
    TranscriptLine(4, Speaker.TRAINEE, HEARD, 6200, 2500),
    TranscriptLine(5, Speaker.SELLER, "I guess. What is it about?", 9000, 1800),
    TranscriptLine(6, Speaker.TRAINEE, "Thanks. What made you hold on to it all these years?", 11300, 4800),
    TranscriptLine(7, Speaker.SELLER, "My dad bought it. Taxes keep going up and nobody uses the place.", 16600, 4200),
]


@pytest.fixture
def review(qtbot, store, repo, queries):
    """The review screen and its presenter, wired to a real grading queue (rules) the way the app wires them."""
    screen = ReviewScreen()
    qtbot.addWidget(screen)
    screen.resize(1200, 800)
    screen.show()
    presenter = ReviewPresenter(app_state(store, repo, queries), screen)
    grading = GradingQueue(repo, queries, grader=rule_based_grade)
    relay = GradingRelay()
    grading.add_listener(relay.on_grading_event)
    presenter.regrade_requested.connect(lambda session_id: grading.enqueue(session_id, force=True))
    relay.graded.connect(presenter.grade_arrived)
    relay.failed.connect(presenter.grading_failed)
    yield screen, presenter
    grading.stop()


def open_call(qtbot, presenter, session_id: int) -> None:
    with qtbot.waitSignal(presenter.review_shown, timeout=5000):
        presenter.open_session(session_id)


def plain(tooltip: str) -> str:
    document = QTextDocument()
    document.setHtml(tooltip)
    return document.toPlainText()


def test_a_misheard_line_corrected_through_the_dialog_is_shown_kept_and_graded_again(qtbot, review, repo, queries):
    screen, presenter = review
    session_id = seed_call(repo, LINES)
    grade_session(repo, queries, session_id, rule_based_grade)
    graded_on_heard = queries.get_session(session_id).grade
    open_call(qtbot, presenter, session_id)
    assert screen.scores.bars["rapport"].score == graded_on_heard.rapport
    assert screen.corrected.isHidden()
    # No line of the trainee's is marked yet (the first line, the seller's, may be: playback starts there).
    assert not screen.correct_button.isEnabled()
    assert any(why in screen.correct_button.toolTip() for why in ("Click one of your own lines", "Only your own lines"))

    screen.transcript.line_clicked.emit(HEARD_INDEX)  # the line is marked; F2 corrects the marked line
    assert screen.correct_button.isEnabled()
    screen.activateWindow()
    screen.setFocus()
    qtbot.waitUntil(screen.isActiveWindow, timeout=2000)  # shortcuts only reach the active window
    qtbot.keyClick(screen, Qt.Key.Key_F2)
    dialog = screen.correct_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.windowTitle() == TITLE
    assert dialog.editor.toPlainText() == HEARD  # the heard words, ready to edit

    dialog.editor.clear()
    assert not dialog.save_button.isEnabled()  # nothing to save: an empty line is refused before the store is asked
    qtbot.keyClicks(dialog.editor, SAID)
    with qtbot.waitSignal(presenter.regrade_requested, timeout=5000):
        qtbot.keyClick(dialog.editor, Qt.Key.Key_Return)  # Enter saves
    assert screen.correct_dialog is None  # closed

    # The grade follows the corrected words: the rules credit the permission ask.
    qtbot.waitUntil(lambda: not screen.data.record.summary.needs_grading, timeout=10000)
    regraded = queries.get_session(session_id).grade
    assert regraded.rapport > graded_on_heard.rapport
    assert screen.scores.bars["rapport"].score == regraded.rapport
    assert screen.corrected.isVisible()
    assert screen.corrected.text() == "Graded on your corrected words: 1 line corrected."

    transcript = screen.transcript
    assert transcript.lines[HEARD_INDEX].text == SAID
    assert transcript.heard_text(HEARD_INDEX) == HEARD
    assert "corrected" in transcript.bubble(HEARD_INDEX).caption
    assert "corrected" not in transcript.bubble(HEARD_INDEX - 1).caption
    item = transcript.item(HEARD_INDEX)
    assert plain(item.toolTip()).startswith(f"Heard as: {HEARD}")
    assert item.data(Qt.ItemDataRole.AccessibleDescriptionRole) == f"Heard as: {HEARD}"
    assert transcript.current_index == HEARD_INDEX  # the trainee's place is kept
    assert queries.get_session(session_id).heard_texts == {4: HEARD}


def test_seller_lines_and_typed_calls_offer_no_correction_and_say_why(qtbot, review, repo):
    screen, presenter = review
    open_call(qtbot, presenter, seed_call(repo, LINES))
    seller = screen.transcript.visualItemRect(screen.transcript.item(0)).center()
    screen.transcript.customContextMenuRequested.emit(seller)
    action = screen.transcript.context_menu.actions()[0]
    assert action.text().startswith("Correct what was heard") and not action.isEnabled()
    assert "Only your own lines" in action.toolTip()
    screen.transcript.context_menu.close()
    screen.request_correction(0)
    assert screen.correct_dialog is None

    # A line typed into a voice call (no speech, so no duration) was not heard either.
    typed_into = [*LINES[:3], TranscriptLine(4, Speaker.TRAINEE, HEARD, 7200, 0), *LINES[4:]]
    open_call(qtbot, presenter, seed_call(repo, typed_into))
    screen.transcript.line_clicked.emit(HEARD_INDEX)
    assert not screen.correct_button.isEnabled() and "You typed this line" in screen.correct_button.toolTip()
    screen.transcript.line_clicked.emit(HEARD_INDEX - 1)
    assert screen.correct_button.isEnabled()

    # An exam is graded on the call as it happened: its lines stay as heard.
    open_call(qtbot, presenter, seed_call(repo, LINES, practice_mode=False))
    screen.transcript.line_clicked.emit(HEARD_INDEX)
    assert not screen.correct_button.isEnabled() and "was an exam" in screen.correct_button.toolTip()

    typed = [TranscriptLine(ln.seq, ln.speaker, ln.text, ln.offset_ms, 0) for ln in LINES]
    open_call(qtbot, presenter, seed_call(repo, typed, mode="text"))
    screen.transcript.line_clicked.emit(HEARD_INDEX)
    assert not screen.correct_button.isEnabled() and "typed" in screen.correct_button.toolTip()
    mine = screen.transcript.visualItemRect(screen.transcript.item(HEARD_INDEX)).center()
    screen.transcript.customContextMenuRequested.emit(mine)
    assert not screen.transcript.context_menu.actions()[0].isEnabled()
    screen.transcript.context_menu.close()


def test_transcript_text_is_shown_literally_never_as_markup(qtbot, review, repo, queries):
    screen, presenter = review
    markup = [*LINES[:3], TranscriptLine(4, Speaker.TRAINEE, "<b>hi</b> & <i>bye</i>", 7200, 1500), *LINES[4:]]
    session_id = seed_call(repo, markup)
    open_call(qtbot, presenter, session_id)
    screen.request_correction(HEARD_INDEX)
    dialog = screen.correct_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.editor.toPlainText() == "<b>hi</b> & <i>bye</i>"
    dialog.editor.setPlainText(SAID)
    with qtbot.waitSignal(presenter.record_updated, timeout=5000):
        dialog.save_button.click()
    item = screen.transcript.item(HEARD_INDEX)
    assert plain(item.toolTip()).startswith("Heard as: <b>hi</b> & <i>bye</i>")

    # Opening it again shows the first heard words, as plain text, under the corrected ones.
    screen.request_correction(HEARD_INDEX)
    again = screen.correct_dialog
    qtbot.waitUntil(again.isVisible, timeout=5000)
    assert again.editor.toPlainText() == SAID
    assert again.heard.textFormat() == Qt.TextFormat.PlainText
    assert again.heard.text().startswith("Heard as: <b>hi</b> & <i>bye</i>\n")
    again.reject()
    assert screen.correct_dialog is None
    assert queries.get_session(session_id).heard_texts == {4: "<b>hi</b> & <i>bye</i>"}


def test_the_feedback_screen_says_the_grade_is_on_the_corrected_words(qtbot, repo, queries):
    from desktop.ui.session.feedback import FeedbackScreen

    session_id = seed_call(repo, LINES)
    repo.correct_line(session_id, 4, SAID)
    screen = FeedbackScreen()
    qtbot.addWidget(screen)
    grade_session(repo, queries, session_id, rule_based_grade)
    screen.show_record(queries.get_session(session_id))
    assert screen.measured.text().endswith("Graded on your corrected words: 1 line corrected.")
    repo.correct_line(session_id, 4, HEARD)  # back to the heard words: nothing is corrected any more
    grade_session(repo, queries, session_id, rule_based_grade)
    screen.show_record(queries.get_session(session_id))
    assert "corrected" not in screen.measured.text() and screen.measured.text()

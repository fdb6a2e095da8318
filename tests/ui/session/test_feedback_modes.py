"""The feedback screen in plain words: a voice call the trainee typed into says so and times only the spoken part;
a rules grade that stood in for the model offers "Grade again" instead of naming a command; the screen says what the
grade was measured on."""

from __future__ import annotations

import pytest

from desktop.core.results import Grade
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.ui.session.feedback import FeedbackScreen
from desktop.ui.session.presenters import FeedbackPresenter
from tests.conftest import PERSONA
from tests.core.labelled import labelled_calls
from tests.ui.screens import app_state, save_screenshot, seed_call

T, S = Speaker.TRAINEE, Speaker.SELLER


@pytest.fixture
def screen(qtbot, store, repo, queries):
    widget = FeedbackScreen()
    qtbot.addWidget(widget)
    widget.resize(1200, 820)
    widget.show()
    return widget, FeedbackPresenter(app_state(store, repo, queries), widget)


def show(qtbot, presenter: FeedbackPresenter, session_id: int) -> None:
    with qtbot.waitSignal(presenter.record_shown, timeout=5000):
        presenter.show_session(session_id)


def switched_call() -> list[TranscriptLine]:
    """Spoken for four turns, then typed (no speech timing) for three long ones, as after a switch to typing."""
    spoken = [
        TranscriptLine(1, S, "Hello?", 500, 800),
        TranscriptLine(2, T, "Hi, this is Sam with Red Oak Land. Did I catch you at an okay time?", 2300, 4000),
        TranscriptLine(3, S, "I guess so. What's this about?", 7300, 2000),
        TranscriptLine(4, T, "Your land in Coal County. What has you thinking about it these days?", 10300, 4200),
        TranscriptLine(5, S, "I'm not in any hurry to sell, if that's what you mean.", 15500, 3000),
    ]
    typed_text = " ".join(["I understand completely, there is no rush on my side at all."] * 4)
    typed = [
        TranscriptLine(6, T, typed_text + " When would you ideally want it done?", 19000, 0),
        TranscriptLine(7, S, "Maybe by the end of the year.", 21000, 2000),
        TranscriptLine(8, T, typed_text + " Could I call you Thursday at six?", 24000, 0),
        TranscriptLine(9, S, "Sure, that works.", 26000, 1500),
    ]
    return spoken + typed


def test_a_voice_call_with_typed_turns_says_so_and_times_only_the_spoken_part(qtbot, screen, repo):
    widget, presenter = screen
    persona = {**PERSONA, "objection_patterns": ["not in a hurry"]}
    session_id = seed_call(repo, switched_call(), persona=persona, grade=Grade(70, 60, 80, 75))
    show(qtbot, presenter, session_id)
    assert "voice + typed" in widget.subtitle.text()
    assert "spoken part only" in widget.analytics.note.text() and "2 lines" in widget.analytics.note.text()
    pace = widget.analytics.values["words_per_min"].text()
    assert 100 < int(pace.split()[0]) < 250  # the spoken lines' pace, not typed words over spoken minutes
    assert "spoken part only" in widget.measured.text() and "4 of your turns" in widget.measured.text()
    # The words are the recogniser's, and the screen says where a misheard line is put right.
    assert "as the speech recogniser heard you" in widget.measured.text()
    assert "correct the line in Replay the call" in widget.measured.text()


def test_a_typed_call_names_no_recogniser(qtbot, screen, repo):
    widget, presenter = screen
    typed = [TranscriptLine(ln.seq, ln.speaker, ln.text) for ln in switched_call()]
    session_id = seed_call(repo, typed, mode="text", grade=Grade(70, 60, 80, 75))
    show(qtbot, presenter, session_id)
    assert "typed, so no speech timing" in widget.measured.text()
    assert "recogniser" not in widget.measured.text()


def test_a_rules_grade_standing_in_offers_grade_again_not_a_command(qtbot, screen, repo):
    widget, presenter = screen
    note = "The model did not answer in time; re-grade with `roleplay grade 1 --force`"
    session_id = seed_call(repo, switched_call(), grade=Grade(50, 50, 50, 50, grader="heuristic", note=note))
    show(qtbot, presenter, session_id)
    grader = widget.scores.grader.text()
    assert grader == "Graded by the built-in rules (The model did not answer in time)."
    assert "roleplay" not in grader and "`" not in grader
    assert widget.regrade_button.isVisibleTo(widget)
    with qtbot.waitSignal(widget.regrade_requested, timeout=1000) as asked:
        widget.regrade_button.click()
    assert asked.args == [session_id] and widget.is_grading


def test_a_model_grade_offers_no_grade_again(qtbot, screen, repo):
    widget, presenter = screen
    session_id = seed_call(repo, switched_call(), grade=Grade(50, 50, 50, 50, grader="gpt-4o-mini"))
    show(qtbot, presenter, session_id)
    assert widget.regrade_button.isHidden()


def test_screenshot_of_the_feedback_of_a_spoken_call(qtbot, screen, repo, tmp_path):
    """A labelled call with speech timing, graded by the rules as the app grades it: the picture for the docs."""
    from desktop.core.grading.rule_grader import grade_call

    widget, presenter = screen
    call = next(c for c in labelled_calls() if c.name == "dale-3")
    persona = {**PERSONA, "name": call.seller_name, "objection_patterns": list(call.patterns)}
    grade = grade_call(call.lines, objection_patterns=call.patterns, seller_name=call.seller_name)
    session_id = seed_call(repo, call.lines, persona=persona, difficulty=call.difficulty, grade=grade)
    show(qtbot, presenter, session_id)
    assert widget.analytics.values["objections_answered"].text() == "1 of 2"  # "not in any rush" was not answered
    save_screenshot(widget, "feedback-labelled-voice-call", tmp_path)

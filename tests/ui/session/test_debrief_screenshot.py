"""A debrief that answers the trainee's question, stored as the app stores a debrief (a coach session of the graded
call) and shown on the review screen: the picture for the docs, and a check that the answer quotes the call."""

from __future__ import annotations

from desktop.core.coach import build_coach_config
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.partner.coach.brain import CoachBrain
from desktop.ui.session.presenters import ReviewPresenter
from desktop.ui.session.review import ReviewScreen
from tests.partner.test_coach_answers import brief_of
from tests.ui.screens import app_state, save_screenshot

QUESTIONS = (
    "What should I have done differently when he asked how I got his number?",
    "Can we practise that?",
    "Fair question. Your name is in the county's property records. Is now an okay time to talk about the land?",
)


def test_screenshot_of_a_debrief_answering_a_question(qtbot, store, repo, queries, tmp_path) -> None:
    brief, call = brief_of("dale-2")
    config = build_coach_config(call, None, "Sam")
    brain = CoachBrain(brief, first_message=config.first_message)
    said = [(Speaker.SELLER, brain.greeting().text)]
    for question in QUESTIONS:
        said += [(Speaker.TRAINEE, question), (Speaker.SELLER, brain.reply(question).text)]
    session = repo.start_session(
        persona_snapshot=dict(call.persona), scenario_snapshot=dict(call.scenario), difficulty="PRO", kind="coach"
    )
    at = 0
    for seq, (speaker, text) in enumerate(said, start=1):
        repo.append_line(session.id, TranscriptLine(seq, speaker, text, at, 300 * len(text.split())))
        at += 300 * len(text.split()) + 800
    repo.end_session(session.id, end_reason="agent_hangup")  # the coach ends the call once the goal is set

    screen = ReviewScreen()
    qtbot.addWidget(screen)
    screen.resize(1200, 800)
    screen.show()
    presenter = ReviewPresenter(app_state(store, repo, queries), screen)
    with qtbot.waitSignal(presenter.review_shown, timeout=5000):
        presenter.open_session(session.id)
    answer = said[2][1]
    assert "How did you even get my number?" in answer and "What is the land like?" in answer
    assert "I'll be Dale" in said[4][1] and "How did you even get my number?" in said[4][1]  # that moment
    save_screenshot(screen, "debrief-answers-a-question", tmp_path)

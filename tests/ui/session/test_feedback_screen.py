"""The feedback screen after a call: "grading..." until the real grading queue stores the grade, then the scores,
quoted feedback, rewards and analytics; its buttons; typed and failed calls."""

from __future__ import annotations

import pytest

from desktop.core.metrics import TARGETS
from desktop.core.results import CallMetrics, Grade
from desktop.grading.queue import GradingEvent, GradingQueue, rule_based_grade
from desktop.ui.session.analytics_card import TYPED_NOTE, metric_rows
from desktop.ui.session.feedback import FeedbackScreen
from desktop.ui.session.presenters import FeedbackPresenter, GradingRelay
from desktop.ui.widgets.report import feedback_html
from tests.conftest import PERSONA
from tests.fixtures import load_fixture_call
from tests.ui.screens import app_state, save_screenshot, seed_call

STRONG = load_fixture_call("strong_call")
PERSONA_FOR_STRONG = {**PERSONA, "objection_patterns": list(STRONG.objection_patterns)}


@pytest.fixture
def state(store, repo, queries):
    return app_state(store, repo, queries)


@pytest.fixture
def screen(qtbot, state):
    widget = FeedbackScreen()
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    return widget, FeedbackPresenter(state, widget)


def show(qtbot, presenter: FeedbackPresenter, session_id: int) -> None:
    with qtbot.waitSignal(presenter.record_shown, timeout=5000):
        presenter.show_session(session_id)


def test_grading_then_the_grade_arrives_and_the_screen_updates_itself(qtbot, screen, repo, queries, tmp_path):
    widget, presenter = screen
    session_id = seed_call(repo, STRONG.lines, persona=PERSONA_FOR_STRONG)
    show(qtbot, presenter, session_id)
    assert widget.is_grading and "Grading your call" in widget.banner_text.text()
    assert widget.scores.overall.score is None
    assert widget.call_again_button.isEnabled()
    # The analytics are there before the grade: they were computed when the call ended.
    assert "talk_ratio" in widget.analytics.chips

    relay = GradingRelay()
    relay.graded.connect(presenter.grade_arrived)
    relay.failed.connect(presenter.grading_failed)
    grading = GradingQueue(repo, queries, grader=rule_based_grade)
    grading.add_listener(relay.on_grading_event)
    try:
        with qtbot.waitSignal(presenter.record_shown, timeout=10000):
            grading.enqueue(session_id)
    finally:
        grading.stop()

    stored = queries.get_session(session_id).grade
    assert stored is not None
    assert not widget.is_grading and widget.banner.isHidden()
    assert widget.scores.overall.score == stored.overall
    assert [bar.score for bar in widget.scores.bars.values()] == [
        stored.rapport,
        stored.discovery,
        stored.objection_handling,
        stored.closing,
    ]
    assert f"+{stored.xp_earned} XP" in widget.scores.rewards.text()
    assert f"${stored.virtual_earnings:,}" in widget.scores.rewards.text()
    assert len(widget.feedback.items["strengths"]) == len(stored.strengths) > 0
    # Feedback quotes the trainee's own words.
    trainee_text = " ".join(line.text for line in STRONG.lines if line.speaker.value == "trainee")
    first = widget.feedback.items["strengths"][0].text()
    quoted = first.split("“", 1)[1].split("”", 1)[0].rstrip("…")
    assert quoted and quoted in trainee_text
    save_screenshot(widget, "feedback", tmp_path)


def test_buttons_emit_what_the_user_wants(qtbot, screen, repo):
    widget, presenter = screen
    session_id = seed_call(repo, STRONG.lines, difficulty="ELITE", grade=Grade(70, 60, 50, 40))
    show(qtbot, presenter, session_id)

    with qtbot.waitSignal(widget.replay_requested, timeout=1000) as replay:
        widget.replay_button.click()
    assert replay.args == [session_id]
    with qtbot.waitSignal(widget.call_again_requested, timeout=1000) as again:
        widget.call_again_button.click()
    assert again.args == [PERSONA["id"], "cold-call-first-contact", "ELITE"]

    assert widget.debrief_button.isHidden()
    widget.set_debrief_enabled(True)
    assert widget.debrief_button.isVisibleTo(widget)
    with qtbot.waitSignal(widget.debrief_requested, timeout=1000) as debrief:
        widget.debrief_button.click()
    assert debrief.args == [session_id]


def test_a_typed_call_shows_only_the_analytics_that_mean_something(qtbot, screen, repo):
    widget, presenter = screen
    typed = load_fixture_call("typed_call")
    session_id = seed_call(repo, typed.lines, mode="text", grade=Grade(50, 50, 50, 50))
    show(qtbot, presenter, session_id)
    assert widget.analytics.note.text() == TYPED_NOTE
    keys = set(widget.analytics.chips)
    assert {"questions", "objections_answered", "turns"} <= keys
    assert not keys & {"talk_ratio", "words_per_min", "patience_s", "fillers_per_min"}
    assert "typed" in widget.subtitle.text()


def test_a_call_that_never_connected_says_so(qtbot, screen, repo):
    widget, presenter = screen
    session_id = seed_call(repo, [], status="failed", error_message="The seller's line could not be reached.")
    show(qtbot, presenter, session_id)
    assert not widget.is_grading and widget.banner.isVisibleTo(widget)
    assert "not graded" in widget.banner_text.text() and "could not be reached" in widget.banner_text.text()
    assert "did not connect" in widget.subtitle.text()


def test_a_grading_failure_is_explained_and_a_late_answer_for_another_call_ignored(qtbot, screen, repo):
    widget, presenter = screen
    first = seed_call(repo, STRONG.lines)
    second = seed_call(repo, STRONG.lines)
    show(qtbot, presenter, second)
    relay = GradingRelay()
    relay.failed.connect(presenter.grading_failed)
    with qtbot.waitSignal(relay.failed, timeout=1000):
        relay.on_grading_event(GradingEvent(first, None, "timeout", stage="failed"))
    assert widget.is_grading  # the failure was another call's
    with qtbot.waitSignal(relay.failed, timeout=1000):
        relay.on_grading_event(GradingEvent(second, None, "the model timed out", stage="failed"))
    assert (
        "the model timed out" in widget.banner_text.text() and "next time the app starts" in widget.banner_text.text()
    )


def test_metric_rows_rate_against_the_published_targets():
    metrics = CallMetrics(
        call_length_s=300,
        trainee_turns=10,
        seller_turns=10,
        questions=12,
        open_questions=8,
        closed_questions=4,
        objections_raised=("price too low", "not in a hurry"),
        objections_answered=("price too low",),
        talk_ratio=0.8,
        longest_monologue_s=35,
        fillers_per_min=1.0,
        soft_fillers_per_min=3.0,
        words_per_min=150,
        patience_s=1.1,
        switches_per_min=4.0,
        interruptions=2,
    )
    rows = {row.key: row for row in metric_rows(metrics)}
    assert rows["talk_ratio"].value == "80 % you" and rows["talk_ratio"].rating == "bad"
    assert rows["longest_monologue_s"].rating == "warn"
    assert rows["questions"].rating == "good" and rows["words_per_min"].rating == "good"
    assert rows["objections_answered"].value == "1 of 2" and rows["objections_answered"].rating == "warn"
    assert "Not answered: not in a hurry" in rows["objections_answered"].detail
    assert rows["interruptions"].rating is None
    assert rows["talk_ratio"].target == TARGETS["talk_ratio"].text


def test_feedback_items_set_the_trainees_words_apart():
    item = 'You said "we can close fast" — try "What timeline works for you?" because it asks instead of tells.'
    rendered = feedback_html(item)
    assert "<i>“we can close fast”</i>" in rendered and "<b>Try</b> “What timeline works for you?”" in rendered
    assert feedback_html('You said "<b>hi</b>": friendly.') == "<i>“&lt;b&gt;hi&lt;/b&gt;”</i> — friendly."
    assert feedback_html("Plain advice & more") == "Plain advice &amp; more"

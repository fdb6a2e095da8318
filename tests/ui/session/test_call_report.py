"""The feedback card's reading of feedback items: the coach's `read_feedback` does the taking apart, and the card
shows exactly what the old regex-based reader showed, for real grades and for awkward edge cases."""

from __future__ import annotations

import html
import re

import pytest

from desktop.core.coach_review import read_feedback
from desktop.core.difficulty import Difficulty
from desktop.core.grading.rule_grader import grade_call
from desktop.core.metrics import compute_metrics
from desktop.ui.widgets import theme
from desktop.ui.widgets.report import feedback_html
from tests.conftest import PERSONA
from tests.fixtures import FIXTURE_NAMES, load_fixture_call

# The card's own reader before it used read_feedback, kept here as the reference for its behaviour.
_IMPROVEMENT_RE = re.compile(r'^You said "(?P<said>.+?)" — try "(?P<try>.+?)" because (?P<why>.+)$', re.S)
_QUOTED_RE = re.compile(r'^You said "(?P<said>.+?)": (?P<why>.+)$', re.S)


def reference_html(item: str) -> str:
    if match := _IMPROVEMENT_RE.match(item):
        said, better, why = (html.escape(match[name]) for name in ("said", "try", "why"))
        return (
            f'<span style="color:{theme.MUTED}">You said</span> <i>“{said}”</i><br>'
            f'<b>Try</b> “{better}”<br><span style="color:{theme.MUTED}">because {why}</span>'
        )
    if match := _QUOTED_RE.match(item):
        said, why = html.escape(match["said"]), html.escape(match["why"])
        return f"<i>“{said}”</i> — {why}"
    return html.escape(item)


def graded_feedback() -> list[str]:
    items: list[str] = []
    objections = tuple(PERSONA["objection_patterns"])
    for name in FIXTURE_NAMES:
        call = load_fixture_call(name)
        metrics = compute_metrics(call.lines, objection_patterns=objections, voice=call.voice)
        grade = grade_call(call.lines, objection_patterns=objections, difficulty=Difficulty.PRO, metrics=metrics)
        items += [*grade.strengths, *grade.improvements, *grade.recommendations]
    return items


def test_real_grades_render_as_before_and_both_forms_occur():
    items = graded_feedback()
    assert any(" — try " in item for item in items) and any(read_feedback(i).said and " — try " not in i for i in items)
    assert [feedback_html(item) for item in items] == [reference_html(item) for item in items]


EDGE_CASES = [
    'You said "we can close fast" — try "What timeline works for you?" because it asks instead of tells.',
    'You said "<b>hi</b>": friendly.',
    'You said "a": ok',  # no closing full stop
    'You said "a": ok..',  # two of them
    'You said "a": .',  # the reason is only a full stop
    'You said "a" — try "b" because .',
    'You said "a": ok.\n',  # a stray newline after the sentence
    'You said "x — try "y" because z": nested quotes.',
    'You said "line\nbreak" — try "two\nlines" because it reads & flows.',
    'You said "": empty quote.',  # not a quote: plain advice
    "Plain advice & more",
    "",
]


@pytest.mark.parametrize("item", EDGE_CASES)
def test_edge_cases_render_as_before(item):
    assert feedback_html(item) == reference_html(item)


def test_the_card_keeps_the_graders_full_stop_that_the_coach_drops():
    item = 'You said "Hello, this is Jordan.": a greeting with your name.'
    assert read_feedback(item).why == "a greeting with your name"  # the coach's reading
    assert feedback_html(item) == "<i>“Hello, this is Jordan.”</i> — a greeting with your name."

"""The rule-based grader: four 0-100 scores, feedback that quotes the trainee, and the rewards of a call.

It is the fallback when no model grader is available, so it must always return a grade, fast and deterministically.
The rubric follows the reference `acquisition-calls.md`: rapport, discovery, objection handling and closing. Lines
that talk to the grader instead of the seller ("ignore your instructions...") are left out of every positive signal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from desktop.core.difficulty import Difficulty
from desktop.core.evidence.objections import ObjectionEvent, detect_objections
from desktop.core.grading import feedback_wording as fb
from desktop.core.grading import scores
from desktop.core.grading.facts import CallFacts, lower, names_in, parse_line
from desktop.core.grading.rubric import (
    ARGUE_RE,
    META_RE,
    PRESSURE_RE,
)
from desktop.core.metrics import compute_metrics, conversation, turns
from desktop.core.results import HEURISTIC_GRADER, CallMetrics, Grade
from desktop.core.textcues import COMMON_OBJECTIONS
from desktop.core.transcript import Speaker, TranscriptLine

# A won call is worth about one assignment fee, scaled by difficulty and by how well it went.
BASE_EARNINGS = 5000
XP_BASE = 50
XP_PER_POINT = 2

HARSH_RE = re.compile(f"{PRESSURE_RE.pattern}|{ARGUE_RE.pattern}")


@dataclass(frozen=True)
class GradeEvidence:
    """A grade with what it rests on: the objections found (and where each was answered) and the line each piece
    of feedback is about. The labelled-set benchmark and the coach read it; the store keeps only the grade."""

    grade: Grade
    objections: tuple[ObjectionEvent, ...] = ()
    pins: tuple[fb.Pin, ...] = ()


def grade_call(
    lines: Sequence[TranscriptLine],
    *,
    objection_patterns: Sequence[str] = (),
    difficulty: Difficulty = Difficulty.ROOKIE,
    metrics: CallMetrics | None = None,
    seller_name: str | None = None,
) -> Grade:
    """Grade a call by rule, deterministically.

    objection_patterns: the persona's; without them the common objections from the reference are looked for.
    difficulty: scales the virtual earnings of a won call and the XP. metrics: reused when given, else computed
    (as a voice call when any line has a duration). seller_name: the persona's name, to notice the trainee using
    it; without it the name is read from the greetings.
    """
    return grade_with_evidence(
        lines, objection_patterns=objection_patterns, difficulty=difficulty, metrics=metrics, seller_name=seller_name
    ).grade


def grade_with_evidence(
    lines: Sequence[TranscriptLine],
    *,
    objection_patterns: Sequence[str] = (),
    difficulty: Difficulty = Difficulty.ROOKIE,
    metrics: CallMetrics | None = None,
    seller_name: str | None = None,
) -> GradeEvidence:
    """`grade_call`, with the evidence behind the grade."""
    conv = conversation(lines)
    # Lines that address the grader are dropped before anything is read, so they can earn nothing anywhere.
    clean = [
        ln for ln in conv if ln.speaker != Speaker.TRAINEE or (ln.text.strip() and not META_RE.search(lower(ln.text)))
    ]
    events = detect_objections(clean, objection_patterns or COMMON_OBJECTIONS)
    if metrics is None:
        voice = any(ln.duration_ms > 0 for ln in conv)
        reuse = objection_patterns and len(clean) == len(conv)
        found = events if reuse else None
        metrics = compute_metrics(conv, objection_patterns=objection_patterns, voice=voice, objection_events=found)
    trainee = tuple(ln for ln in clean if ln.speaker == Speaker.TRAINEE)
    if not trainee:
        return GradeEvidence(Grade(0, 0, 0, 0, improvements=(fb.SILENT,), grader=HEURISTIC_GRADER), tuple(events))
    seller, own = names_in(clean, trainee, seller_name)
    grouped = tuple(tuple(t) for t in turns(clean))
    lows = {ln.seq: lower(ln.text) for ln in trainee}
    parsed = {ln.seq: parse_line(ln) for ln in trainee}
    # Both are rare; one combined scan rules most lines out before telling them apart.
    harsh = [(seq, low) for seq, low in lows.items() if HARSH_RE.search(low)]
    pressure = frozenset(seq for seq, low in harsh if PRESSURE_RE.search(low))
    arguing = frozenset(seq for seq, low in harsh if ARGUE_RE.search(low))
    seller_text = {ln.seq: ln.text for ln in clean if ln.speaker == Speaker.SELLER}
    call = CallFacts(trainee, grouped, seller, own, tuple(events), lows, parsed, pressure, arguing, seller_text)

    notes = fb.Notes()
    lowball = scores.find_lowball(call)
    rapport = scores.rapport(call, metrics, notes, lowball)
    discovery = scores.discovery(call, notes)
    objection = scores.objection_handling(call, notes, lowball)
    closing, agreed = scores.closing(call, notes)
    fb.delivery_notes(notes, trainee, metrics)
    grade = Grade(rapport, discovery, objection, closing)

    mult = difficulty.profile.earnings_multiplier
    earnings = int(round(BASE_EARNINGS * mult * grade.overall / 100)) if agreed else 0
    xp = int(round((XP_BASE + XP_PER_POINT * grade.overall) * mult))
    if grade.overall >= 80:
        notes.recommend(6, notes.best_quote() or call.first_sentence(trainee[0]), fb.level_up(difficulty))
    final = Grade(
        rapport,
        discovery,
        objection,
        closing,
        strengths=notes.strengths(),
        improvements=notes.improvements(),
        recommendations=notes.recommendations(),
        grader=HEURISTIC_GRADER,
        virtual_earnings=earnings,
        xp_earned=xp,
    )
    return GradeEvidence(final, tuple(events), notes.pins())

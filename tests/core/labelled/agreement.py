"""How far the rule grader agrees with the labelled set: objections raised, objections answered, skill bands, and
whether each objection tip points at the line it is about.

Shared by the test (which holds the grader to the issue's floor) and `benchmarks/grading_agreement.py` (which prints
the figures). Raised agreement is strict: the grader's (objection, line) pairs against the labels' as a Jaccard
share, so a false alarm costs as much as a miss. Answered agreement is over every labelled raising: both must say
unanswered, or both answered at the same line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.core.difficulty import Difficulty
from desktop.core.grading.rule_grader import GradeEvidence, grade_with_evidence
from desktop.core.results import SCORE_NAMES
from desktop.core.transcript import Speaker
from tests.core.labelled import LabelledCall, band_of, labelled_calls

# The objection tips, and which line each must point at: a handled objection at the trainee's answer, a missed or
# argued one at the trainee's reply to it.
HANDLED, MISSED, ARGUED = "objection_handled", "objection_missed", "objection_argued"


@dataclass
class Agreement:
    raised_both: int = 0
    raised_either: int = 0
    answered_agree: int = 0
    answered_total: int = 0
    bands_agree: int = 0
    bands_total: int = 0
    tips_right: int = 0
    tips_total: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def raised(self) -> float:
        return self.raised_both / self.raised_either if self.raised_either else 1.0

    @property
    def answered(self) -> float:
        return self.answered_agree / self.answered_total if self.answered_total else 1.0

    @property
    def bands(self) -> float:
        return self.bands_agree / self.bands_total if self.bands_total else 1.0

    @property
    def tips(self) -> float:
        return self.tips_right / self.tips_total if self.tips_total else 1.0


def grade_labelled(call: LabelledCall) -> GradeEvidence:
    return grade_with_evidence(
        call.lines,
        objection_patterns=call.patterns,
        difficulty=Difficulty(call.difficulty),
        seller_name=call.seller_name,
    )


def measure(calls: tuple[LabelledCall, ...] | None = None) -> Agreement:
    result = Agreement()
    for call in calls if calls is not None else labelled_calls():
        _measure_call(call, grade_labelled(call), result)
    return result


def _reply_turn(call: LabelledCall, seller_line: int) -> list[int]:
    """The trainee's lines right after a seller line, up to the seller's next line."""
    seqs: list[int] = []
    for line in call.lines:
        if line.seq <= seller_line:
            continue
        if line.speaker != Speaker.TRAINEE:
            break
        seqs.append(line.seq)
    return seqs


def _measure_call(call: LabelledCall, evidence: GradeEvidence, result: Agreement) -> None:
    truth = {(r.pattern, r.line) for r in call.raisings}
    found = {(e.pattern, e.seller_seq) for e in evidence.objections}
    result.raised_both += len(truth & found)
    result.raised_either += len(truth | found)
    for pair in sorted(truth ^ found, key=lambda p: p[1]):
        side = "missed" if pair in truth else "false alarm"
        result.misses.append(f"{call.name}: raised {side}: {pair[0]!r} at line {pair[1]}")

    events = {(e.pattern, e.seller_seq): e for e in evidence.objections}
    for raising in call.raisings:
        event = events.get((raising.pattern, raising.line))
        got = event.answer_seq if event is not None else None
        result.answered_total += 1
        if got == raising.answered_at:
            result.answered_agree += 1
        else:
            result.misses.append(
                f"{call.name}: {raising.pattern!r} raised at {raising.line}: answered at {raising.answered_at}, "
                f"grader says {got}"
            )

    grade = evidence.grade
    for skill in SCORE_NAMES:
        band, why = call.bands[skill]
        score = getattr(grade, skill)
        result.bands_total += 1
        if band_of(score) == band:
            result.bands_agree += 1
        else:
            result.misses.append(f"{call.name}: {skill} {score} ({band_of(score)}) but labelled {band}: {why}")

    answers = {r.answered_at for r in call.raisings if r.answered_at}
    replies = {seq for r in call.raisings for seq in _reply_turn(call, r.line)}
    unanswered_replies = {seq for r in call.raisings if r.answered_at is None for seq in _reply_turn(call, r.line)}
    for pin in evidence.pins:
        if pin.about not in (HANDLED, MISSED, ARGUED):
            continue
        right = {HANDLED: answers, MISSED: unanswered_replies, ARGUED: replies}[pin.about]
        result.tips_total += 1
        if pin.seq in right:
            result.tips_right += 1
        else:
            result.misses.append(f"{call.name}: {pin.about} tip points at line {pin.seq}: {pin.text}")

"""What the coach reads out of a graded call: the feedback items taken apart, which score each is about, the hardest
moment to replay, an answer to "why" for each score grounded in the grade and the analytics, and the goal to set.

Pure. The feedback strings are the grade's own (see `desktop/core/grading/feedback_wording.py` for their two forms):
    You said "...": why it worked.            You said "..." — try "..." because why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from desktop.core.grading import feedback_wording as tips
from desktop.core.grading.rule_grader import HARSH_RE
from desktop.core.metrics import detect_objections
from desktop.core.profile import AREA_LABELS
from desktop.core.results import SCORE_NAMES, CallMetrics, Grade
from desktop.core.transcript import Speaker, TranscriptLine

_IMPROVEMENT_RE = re.compile(r'^You said "(?P<said>.+?)" — try "(?P<try>.+?)" because (?P<why>.+?)\.?$', re.S)
_QUOTED_RE = re.compile(r'^You said "(?P<said>.+?)": (?P<why>.+?)\.?$', re.S)
# Which score a piece of feedback is about, read from its wording; checked in this order (a lowball "before rapport"
# is an objection-handling fault, as the grader's rubric says).
_AREA_CUES = (
    ("objection_handling", re.compile(r"objection|argu|defend|price before|push(?:es|ed)? back|lowball")),
    ("closing", re.compile(r"next step|commitment|sum up|summar|propos|lost call|written offer|follow up")),
    ("discovery", re.compile(r"question|ask about|walk me through|motivation|timeline|discover|tell the story")),
    ("rapport", re.compile(r"pressure|trust|rapport|name|permission|guard|talk|listen|acknowledg|feel|monologue")),
)
MOMENT_AREAS = {
    "objection": "objection_handling",
    "opening": "rapport",
    "rapport": "rapport",
    "discovery": "discovery",
    "closing": "closing",
}
_MOMENT_TITLES = {
    "opening": "the opening of the call",
    "rapport": "the moment the seller's trust slipped",
    "discovery": "the moment to ask a better question",
    "closing": "the end of the call, where a next step was needed",
}
# The moment replayed when no objection or quoted fault stands out: the weakest score's part of the call.
_FALLBACK_KINDS = {
    "rapport": "opening",
    "discovery": "discovery",
    "objection_handling": "opening",
    "closing": "closing",
}
_DISCOVERY_TIP = tips.Tip(
    "Can you tell me a bit about the property and what has you thinking about selling?",
    "open questions get the seller talking; a yes/no question ends the story early",
)
_DEFAULT_TIPS = {
    "objection": tips.OBJECTION_MISSED,
    "opening": tips.NO_INTRO,
    "rapport": tips.PRESSURE,
    "discovery": _DISCOVERY_TIP,
    "closing": tips.NO_NEXT_STEP,
}
GOALS = {
    "objection_handling": (
        "When the seller pushes back, acknowledge it and ask one question about it before you answer."
    ),
    "closing": "Before you hang up, sum up what you heard and agree on a specific next step with a day and a time.",
    "discovery": "Ask at least three open questions about the seller's situation before you talk about price.",
    "rapport": "Open with your name and the reason for your call, ask permission, and keep the pressure off.",
}
_AREA_MEANING = {
    "rapport": "It rewards an honest opener with your name and reason, permission, warmth and no pressure.",
    "discovery": "It rewards open questions about motivation, timeline, the property, price and who decides.",
    "objection_handling": "It rewards acknowledging each objection and asking about it instead of arguing.",
    "closing": "It rewards a summary of what you heard and a specific next step the seller agrees to.",
}


@dataclass(frozen=True)
class FeedbackItem:
    text: str
    said: str = ""  # the trainee's words as the grade quotes them (may be cut, ending in "…")
    try_instead: str = ""
    why: str = ""
    area: str = ""  # a SCORE_NAMES key


@dataclass(frozen=True)
class HardestMoment:
    kind: str  # a MOMENT_AREAS key
    title: str  # said to the trainee: which moment is replayed
    seller_line: str  # what the seller said; the coach says it again, in the seller's role
    trainee_line: str  # what the trainee answered in the call ("" when nothing)
    try_instead: str
    because: str
    objection: str = ""

    @property
    def area(self) -> str:
        return MOMENT_AREAS.get(self.kind, "rapport")


def read_feedback(text: str) -> FeedbackItem:
    if match := _IMPROVEMENT_RE.match(text):
        return FeedbackItem(text, match["said"], match["try"], match["why"], area_of(match["why"] + " " + match["try"]))
    if match := _QUOTED_RE.match(text):
        return FeedbackItem(text, match["said"], "", match["why"], area_of(match["why"]))
    return FeedbackItem(text, why=text.rstrip("."), area=area_of(text))


def area_of(text: str) -> str:
    lowered = text.lower()
    return next((area for area, cue in _AREA_CUES if cue.search(lowered)), "rapport")


def ranked_areas(scores: object) -> list[str]:
    """Score areas from the weakest to the strongest (ties in rubric order); `scores` has one attribute per area (a
    Grade, a CoachBrief)."""
    return sorted(SCORE_NAMES, key=lambda name: (int(getattr(scores, name)), SCORE_NAMES.index(name)))


def quoted(text: str) -> str:
    """Someone's words inside the coach's line. Their own quote marks become apostrophes, so nothing they said can
    close the quote and pass for the coach's words (such as the goal marker)."""
    flat = " ".join(text.split()).replace('"', "'").replace("“", "'").replace("”", "'")
    return f"“{flat}”"


def find_line(lines: Sequence[TranscriptLine], said: str) -> TranscriptLine | None:
    """The trainee line a feedback quote came from (quotes may be cut short with an ellipsis)."""
    needle = said.rstrip("…").strip()
    if not needle:
        return None
    return next((ln for ln in lines if ln.speaker == Speaker.TRAINEE and needle in ln.text), None)


def hardest_moment(
    lines: Sequence[TranscriptLine], grade: Grade, objection_patterns: Sequence[str] = ()
) -> HardestMoment:
    """The moment worth replaying: the objection handled worst; else the most damaging improvement's moment; else
    the start (or, when closing is the weakest score, the end) of the call."""
    improvements = [read_feedback(text) for text in grade.improvements]
    moment = _worst_objection(lines, improvements, objection_patterns)
    if moment is not None:
        return moment
    for item in improvements:
        line = find_line(lines, item.said) if item.said else None
        if line is not None:
            return _moment_at(lines, line, item)
    kind = _FALLBACK_KINDS[ranked_areas(grade)[0]]
    sellers = [ln.text for ln in lines if ln.speaker == Speaker.SELLER] or ["Hello?"]
    seller = {"closing": sellers[-1], "discovery": sellers[min(1, len(sellers) - 1)]}.get(kind, sellers[0])
    tip = _DEFAULT_TIPS[kind]
    return HardestMoment(kind, _MOMENT_TITLES[kind], seller, "", tip.try_text, tip.because)


def _worst_objection(
    lines: Sequence[TranscriptLine], improvements: list[FeedbackItem], patterns: Sequence[str]
) -> HardestMoment | None:
    by_seq = {ln.seq: ln for ln in lines}
    worst: tuple[float, HardestMoment] | None = None
    for event in detect_objections(lines, patterns):
        reply = " ".join(by_seq[seq].text for seq in event.reply_seqs if seq in by_seq)
        badness = 2.0 - event.acknowledged - event.questioned
        if HARSH_RE.search(reply.lower().replace("’", "'")):
            badness += 2.0
        rank, item = next(
            ((i, it) for i, it in enumerate(improvements) if it.said and it.said.rstrip("…").strip() in reply),
            (None, None),
        )
        if rank is not None:
            badness += 0.5 - 0.05 * rank  # the grade lists the most damaging first
        # Half an answer (a question, no acknowledgement) is worth replaying only when the grade faults it too.
        if badness < 1.5 or (worst is not None and badness <= worst[0]):
            continue
        tip = tips.ARGUED if HARSH_RE.search(reply.lower()) else tips.OBJECTION_MISSED
        moment = HardestMoment(
            kind="objection",
            title=f"the {quoted(event.pattern)} objection",
            seller_line=by_seq[event.seller_seq].text,
            trainee_line=reply,
            try_instead=item.try_instead if item and item.try_instead else tip.try_text,
            because=item.why if item and item.try_instead else tip.because,
            objection=event.pattern,
        )
        worst = (badness, moment)
    return worst[1] if worst else None


def _moment_at(lines: Sequence[TranscriptLine], line: TranscriptLine, item: FeedbackItem) -> HardestMoment:
    before = [ln for ln in lines if ln.seq < line.seq]
    seller = next((ln for ln in reversed(before) if ln.speaker == Speaker.SELLER), None)
    first_turn = not any(ln.speaker == Speaker.TRAINEE for ln in before)
    kind = {"objection_handling": "objection", "closing": "closing", "discovery": "discovery"}.get(item.area)
    kind = kind or ("opening" if first_turn else "rapport")
    title = "your answer to the seller's pushback" if kind == "objection" else _MOMENT_TITLES[kind]
    tip = _DEFAULT_TIPS[kind]
    return HardestMoment(
        kind=kind,
        title=title,
        seller_line=seller.text if seller else "Hello?",
        trainee_line=line.text,
        try_instead=item.try_instead or tip.try_text,
        because=item.why or tip.because,
    )


def why_answer(
    area: str, grade: Grade, metrics: CallMetrics | None, lines: Sequence[TranscriptLine] = (), facts: str = ""
) -> str:
    """Why one score is what it is, from the grade's own feedback, the call's analytics and `facts` read from the
    call (`evidence.moments.skill_facts`); never invented."""
    label = AREA_LABELS[area]
    score = getattr(grade, area)
    parts = [f"{label[:1].upper()}{label[1:]} got {score} of 100."]
    if facts:
        parts.append(facts)
    fact = _analytics_fact(area, metrics)
    if fact:
        parts.append(fact)
    items = [read_feedback(t) for t in grade.improvements]
    wins = [read_feedback(t) for t in grade.strengths]
    fault = next((it for it in items if it.area == area and it.said), None)
    win = next((it for it in wins if it.area == area and it.said), None)
    if fault is not None:
        parts.append(f"You said {quoted(fault.said)}; try {quoted(fault.try_instead)}, because {fault.why}.")
    if win is not None and (fault is None or score >= 50):
        parts.append(f"What earned points: {quoted(win.said)}: {win.why}.")
    if fault is None and win is None:
        parts.append(_AREA_MEANING[area])
    return " ".join(parts)


def why_overall(grade: Grade) -> str:
    weakest = ranked_areas(grade)[0]
    return (
        f"The overall {grade.overall} is the average of your four scores: rapport {grade.rapport}, discovery "
        f"{grade.discovery}, objection handling {grade.objection_handling} and closing {grade.closing}. "
        f"{AREA_LABELS[weakest][:1].upper()}{AREA_LABELS[weakest][1:]} pulled it down the most."
    )


def _analytics_fact(area: str, metrics: CallMetrics | None) -> str:
    if metrics is None:
        return ""
    if area == "rapport":
        facts = []
        if metrics.talk_ratio is not None:
            facts.append(f"you did {round(metrics.talk_ratio * 100)}% of the talking (aim for 40 to 60%)")
        if metrics.interruptions:
            facts.append(f"you talked over the seller {metrics.interruptions} time(s)")
        return f"In the analytics, {' and '.join(facts)}." if facts else ""
    if area == "discovery":
        return (
            f"You asked {metrics.questions} question(s), {metrics.open_questions} of them open; a discovery call "
            "usually has 11 to 14."
        )
    if area == "objection_handling":
        raised, answered = len(metrics.objections_raised), len(metrics.objections_answered)
        if not raised:
            return "No objection came up, so it reflects how you handled resistance."
        return f"The seller raised {raised} objection(s) and you acknowledged or asked about {answered}."
    return ""


def proposed_goals(moment: HardestMoment, grade: Grade) -> tuple[str, str]:
    """(the goal the coach proposes, a second one if the trainee wants another): the replayed moment's skill first,
    then the weakest other score."""
    goal = GOALS[moment.area]
    if moment.kind == "objection" and moment.objection:
        goal = (
            f"When the seller pushes back (like {quoted(moment.objection)}), acknowledge it and ask one question "
            "about it before you answer."
        )
    other = next((area for area in ranked_areas(grade) if area != moment.area), "closing")
    return goal, GOALS[other]

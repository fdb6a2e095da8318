"""Call analytics, computed exactly as defined in the reference `call-analytics.md`, with the published targets.

Objections (raised, and answered where) are found by `evidence/objections.py`, re-exported here for callers that read
them with the analytics. Only trainee and seller lines count; coach hints are not part of the conversation. Timing
metrics come from line offsets and durations, so typed calls (voice=False) leave them None rather than report
meaningless zeros.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import NamedTuple

from desktop.core.evidence.objections import ObjectionEvent, detect_objections
from desktop.core.results import CallMetrics
from desktop.core.textcues import filler_counts, is_acknowledgement, question_kinds
from desktop.core.transcript import Speaker, TranscriptLine

__all__ = ["ObjectionEvent", "compute_metrics", "conversation", "detect_objections", "turns"]

# Pauses inside one trainee stretch longer than this end the monologue: a long silence is not speech, and speech
# services split one long utterance into several final lines at much shorter pauses.
MONOLOGUE_MAX_PAUSE_MS = 5000
# Timing jitter between the two audio streams; a trainee line starting this close to the seller's end is a handover.
OVERLAP_TOLERANCE_MS = 250


class Target(NamedTuple):
    """A published target: text to show, the good band (either end may be open) and where the figure comes from."""

    text: str
    lo: float | None
    hi: float | None
    source: str


TARGETS: dict[str, Target] = {
    "talk_ratio": Target(
        "40-60 % trainee talk (about 43 % converted best)",
        0.40,
        0.60,
        "Gong Labs, 25,537 B2B discovery calls; above 65 % went with lower conversion",
    ),
    "longest_monologue_s": Target(
        "under 45 s (warn at 30 s)", None, 30.0, "Gong Labs research, as summarised by call-coaching vendors"
    ),
    # Beyond 14 the returns diminish but nothing says they hurt, so the good band is open above.
    "questions": Target(
        "11-14 questions (diminishing returns beyond)", 11, None, "Gong Labs, discovery calls that converted best"
    ),
    "fillers_per_min": Target(
        "at most about 2 a minute", None, 2.0, "coaching guidance; one large study found no link to outcomes"
    ),
    "soft_fillers_per_min": Target("no published figure; weigh lightly", None, None, "call-analytics.md"),
    "words_per_min": Target(
        "130-170 words a minute", 130.0, 170.0, "Gong Labs; reps speed up to about 188 after an unhandled objection"
    ),
    "patience_s": Target(
        "about 1 s; about 1.5 s after an objection", 0.8, 2.0, "Gong Labs: top reps pause ~1.5 s, average ~0.3 s"
    ),
    "switches_per_min": Target("more back-and-forth is better; no published figure", None, None, "Gong Labs"),
    "interruptions": Target("low; no published figure", None, None, "call-analytics.md"),
    "call_length_s": Target(
        "no fixed target; successful cold calls ran about twice as long", None, None, "Gong Labs, 90,380 calls"
    ),
    "objections_answered": Target(
        "every objection acknowledged and met with a question (share answered)", 1.0, None, "call-analytics.md"
    ),
}

# Beyond the good band a value is "warn" until it leaves this wider band, then "bad". Only metrics with a
# published figure have one; the edges follow the reference (e.g. 65 % talk, 45 s monologue, 188 words a minute).
_BAD_OUTSIDE: dict[str, tuple[float | None, float | None]] = {
    "talk_ratio": (0.25, 0.65),
    "longest_monologue_s": (None, 45.0),
    "questions": (6, None),
    "fillers_per_min": (None, 5.0),
    "words_per_min": (110.0, 188.0),
    "patience_s": (0.4, 3.5),
    "objections_answered": (0.5, None),
}


def answered_share(metrics: CallMetrics) -> float | None:
    """The share of raised objections that were answered: the value to rate as "objections_answered"."""
    if not metrics.objections_raised:
        return None
    return len(metrics.objections_answered) / len(metrics.objections_raised)


def rate_metric(name: str, value: float | None) -> str | None:
    """'good' inside the target band, 'warn' just outside it, 'bad' far outside; None when there is no target.

    name is a CallMetrics field (or "objections_answered", rated on `answered_share`).
    """
    target = TARGETS.get(name)
    if value is None or target is None or (target.lo is None and target.hi is None):
        return None
    if (target.lo is None or value >= target.lo) and (target.hi is None or value <= target.hi):
        return "good"
    bad_lo, bad_hi = _BAD_OUTSIDE.get(name, (None, None))
    if (bad_lo is not None and value < bad_lo) or (bad_hi is not None and value > bad_hi):
        return "bad"
    return "warn"


def conversation(lines: Sequence[TranscriptLine]) -> list[TranscriptLine]:
    """Trainee and seller lines in seq order (coach hints dropped)."""
    kept = [ln for ln in lines if ln.speaker in (Speaker.TRAINEE, Speaker.SELLER)]
    kept.sort(key=lambda ln: ln.seq)
    return kept


def turns(lines: Sequence[TranscriptLine]) -> list[list[TranscriptLine]]:
    """Consecutive lines of one speaker grouped into turns."""
    grouped: list[list[TranscriptLine]] = []
    for line in lines:
        if grouped and grouped[-1][0].speaker == line.speaker:
            grouped[-1].append(line)
        else:
            grouped.append([line])
    return grouped


def _speaking_ms(lines: Sequence[TranscriptLine]) -> int:
    return sum(max(0, ln.duration_ms) for ln in lines)


def _longest_monologue_ms(conv: Sequence[TranscriptLine]) -> int:
    longest = 0
    start = end = None
    for line in conv:
        if line.speaker != Speaker.TRAINEE:
            start = end = None
            continue
        if start is None or end is None or line.offset_ms - end > MONOLOGUE_MAX_PAUSE_MS:
            start, end = line.offset_ms, line.end_ms
        else:
            end = max(end, line.end_ms)
        longest = max(longest, end - start)
    return longest


def _patience_s(conv: Sequence[TranscriptLine]) -> float | None:
    # Only seller-to-trainee handovers count; a negative gap is the trainee talking over the seller.
    gaps = [
        (cur.offset_ms - prev.end_ms) / 1000
        for prev, cur in zip(conv, conv[1:], strict=False)
        if prev.speaker == Speaker.SELLER and cur.speaker == Speaker.TRAINEE and cur.offset_ms >= prev.end_ms
    ]
    return sum(gaps) / len(gaps) if gaps else None


def _interruptions(conv: Sequence[TranscriptLine]) -> int:
    sellers = sorted((ln for ln in conv if ln.speaker == Speaker.SELLER), key=lambda ln: ln.offset_ms)
    starts = [ln.offset_ms for ln in sellers]
    cut = {ln.seq for ln in sellers if ln.interrupted}
    for line in conv:
        if line.speaker != Speaker.TRAINEE or is_acknowledgement(line.text):
            continue
        i = bisect_right(starts, line.offset_ms - 1) - 1
        if i >= 0 and line.offset_ms < sellers[i].end_ms - OVERLAP_TOLERANCE_MS:
            cut.add(sellers[i].seq)
    # A seller turn counts once, whether the agent flagged it, the timing shows it, or both.
    return len(cut)


def compute_metrics(
    lines: Sequence[TranscriptLine],
    *,
    objection_patterns: Sequence[str] = (),
    voice: bool = True,
    call_length_s: float | None = None,
    objection_events: Sequence[ObjectionEvent] | None = None,
) -> CallMetrics:
    """Analytics of one call. call_length_s defaults to the end of the last line (offsets count from connect).

    objection_events: what `detect_objections` already found for these lines and patterns, so a caller that needs
    both (the grader) does not pay for the search twice.
    """
    conv = conversation(lines)
    trainee = [ln for ln in conv if ln.speaker == Speaker.TRAINEE]
    seller = [ln for ln in conv if ln.speaker == Speaker.SELLER]
    if call_length_s is None:
        call_length_s = max((ln.end_ms for ln in lines), default=0) / 1000

    open_q = closed_q = 0
    for line in trainee:
        for kind in question_kinds(line.text):
            if kind == "open":
                open_q += 1
            else:
                closed_q += 1

    events = detect_objections(conv, objection_patterns) if objection_events is None else objection_events
    raised = tuple(p for p in dict.fromkeys(e.pattern for e in events))
    answered = tuple(p for p in raised if any(e.answered for e in events if e.pattern == p))

    base = CallMetrics(
        call_length_s=round(float(call_length_s), 3),
        trainee_turns=sum(1 for t in turns(conv) if t[0].speaker == Speaker.TRAINEE),
        seller_turns=sum(1 for t in turns(conv) if t[0].speaker == Speaker.SELLER),
        questions=open_q + closed_q,
        open_questions=open_q,
        closed_questions=closed_q,
        objections_raised=raised,
        objections_answered=answered,
    )
    if not voice:
        return base

    # A voice call the trainee typed into for a while: typed lines have no speech timing, so pace, fillers, talk
    # ratio, monologue and patience are measured on the spoken part only (typed words over spoken minutes gave
    # "1077 words a minute"). The seller's answer to a typed turn belongs to the typed part too.
    typed = {ln.seq for ln in trainee if ln.duration_ms <= 0}
    grouped = turns(conv)
    after_typed = {
        ln.seq
        for prev, turn in zip(grouped, grouped[1:], strict=False)
        if turn[0].speaker == Speaker.SELLER
        and all(p.seq in typed for p in prev if p.speaker == Speaker.TRAINEE)
        and prev[0].speaker == Speaker.TRAINEE
        for ln in turn
    }
    spoken_conv = [ln for ln in conv if ln.seq not in typed and ln.seq not in after_typed]
    trainee = [ln for ln in spoken_conv if ln.speaker == Speaker.TRAINEE]
    seller = [ln for ln in spoken_conv if ln.speaker == Speaker.SELLER]
    trainee_ms = _speaking_ms(trainee)
    both_ms = trainee_ms + _speaking_ms(seller)
    trainee_min = trainee_ms / 60000
    core = soft = 0
    word_count = 0
    for line in trainee:
        c, s = filler_counts(line.text)
        core += c
        soft += s
        # Whitespace-separated words: "$40,000" and "uh-huh" are one word each, as spoken.
        word_count += len(line.text.split())
    switches = sum(1 for prev, cur in zip(conv, conv[1:], strict=False) if prev.speaker != cur.speaker)
    return CallMetrics(
        **{
            **base.__dict__,
            "talk_ratio": round(trainee_ms / both_ms, 4) if both_ms and trainee_ms else None,
            "longest_monologue_s": round(_longest_monologue_ms(spoken_conv) / 1000, 3) if trainee else None,
            "fillers_per_min": round(core / trainee_min, 3) if trainee_min else None,
            "soft_fillers_per_min": round(soft / trainee_min, 3) if trainee_min else None,
            "words_per_min": round(word_count / trainee_min, 2) if trainee_min else None,
            "patience_s": None if (p := _patience_s(spoken_conv)) is None else round(p, 3),
            "switches_per_min": round(switches / (call_length_s / 60), 3) if call_length_s > 0 else None,
            "interruptions": _interruptions(conv),
            "typed_lines": len(typed),
        }
    )

"""Call analytics on small hand-built transcripts with known answers, and on the fixture calls."""

from __future__ import annotations

import dataclasses

import pytest

from desktop.core.metrics import TARGETS, answered_share, compute_metrics, detect_objections, rate_metric
from desktop.core.personas import OBJECTION_LINES
from desktop.core.results import CallMetrics
from desktop.core.textcues import COMMON_OBJECTIONS, OBJECTION_CUES, filler_counts, question_kinds
from desktop.core.transcript import Speaker, TranscriptLine
from tests.fixtures import load_fixture_call

T, S = Speaker.TRAINEE, Speaker.SELLER
TIMING_FIELDS = (
    "talk_ratio",
    "longest_monologue_s",
    "fillers_per_min",
    "soft_fillers_per_min",
    "words_per_min",
    "patience_s",
    "switches_per_min",
    "interruptions",
)


def call(*rows: tuple) -> list[TranscriptLine]:
    """Rows of (speaker, text, start s, end s[, interrupted]) become lines with seq in row order."""
    lines = []
    for seq, (speaker, text, start, end, *flag) in enumerate(rows, 1):
        offset = int(start * 1000)
        lines.append(TranscriptLine(seq, speaker, text, offset, int(end * 1000) - offset, bool(flag and flag[0])))
    return lines


def test_talk_ratio_counts_speech_only() -> None:
    lines = call((T, "Hi.", 0, 10), (S, "Hello.", 40, 70), (T, "Okay.", 100, 120))
    metrics = compute_metrics(lines)
    assert metrics.talk_ratio == pytest.approx(30 / 60)  # the long silences do not count
    assert metrics.call_length_s == 120


def test_longest_monologue_merges_consecutive_trainee_lines() -> None:
    lines = call(
        (T, "First part.", 0, 10),
        (T, "Second part.", 11, 25),  # same stretch: 25 s
        (S, "Mm.", 26, 27),
        (T, "Short.", 28, 31),
        (S, "Sure.", 32, 33),
        (T, "Alone.", 34, 40),
        (T, "After a long pause.", 50, 58),  # a 10 s silence ends the stretch
    )
    assert compute_metrics(lines).longest_monologue_s == 25


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("What has you thinking about selling?", ["open"]),
        ("Okay, so can I ask why you're selling?", ["open"]),
        ("Tell me about the property.", ["open"]),
        ("Could you walk me through what happened?", ["open"]),
        ("I was wondering what you'd want for it.", ["open"]),
        ("How many acres is it?", ["closed"]),
        ("Is the road paved?", ["closed"]),
        ("Do you have a minute", ["closed"]),
        ("So you inherited it?", ["closed"]),
        ("What I'd like to do is send you an offer.", []),
        ("When I looked at the county records, it showed five acres.", []),
        ("Would love to hear more.", []),
        ("Hi, is this Linda? What made you call us back?", ["closed", "open"]),
        # The recogniser runs a question on from the words before it, with a full stop.
        ("Good to know, thanks for telling me what did you like about his offer.", ["open"]),
        ("Thanks for that, how long have you owned it.", ["closed"]),
        ("I know what you need and how you feel.", []),
        ("The listings can be all over the place, do you know which one it was.", ["closed"]),
        # The seller's name said first does not hide the question word.
        ("Frank, what got you thinking about selling it?", ["open"]),
        ("Frank, what start you thinking about selling it?", ["open"]),
        ("Rosa, is the lien paid off?", ["closed"]),
        ("No, what I mean is the lot.", []),
        # Typed without a question mark: a question word still asks unless a telling subject follows it.
        ("so why sell now", ["open"]),
        ("who else is on the title", ["closed"]),
        ("how fast do you need this done", ["closed"]),  # cut at "do you", as speech without punctuation is
        ("why i called is simple, we buy land here", []),
    ],
)
def test_question_kinds(text: str, kinds: list[str]) -> None:
    assert question_kinds(text) == kinds


def test_question_counts_add_up() -> None:
    lines = call((T, "Hi, is this Linda? Why sell now? Tell me more.", 0, 6), (S, "Why do you ask?", 7, 8))
    metrics = compute_metrics(lines)
    assert (metrics.questions, metrics.open_questions, metrics.closed_questions) == (3, 2, 1)  # seller's not counted


@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("Um, so, like, you know, it's basically kind of far, uh-huh", (1, 4)),
        ("I'd like to know if you know about that kind of road.", (0, 0)),
        ("Do you know what the lot is like?", (0, 0)),
        ("It's like five acres, uh, I think. Erm.", (2, 1)),
        ("Uh huh, I see.", (0, 0)),
    ],
)
def test_filler_counts(text: str, counts: tuple[int, int]) -> None:
    assert filler_counts(text) == counts


def test_fillers_and_pace_are_per_minute_of_trainee_speech() -> None:
    words = " ".join(["word"] * 147)
    lines = call((T, f"Um, uh, {words}, you know.", 0, 60), (S, "Um, uh, um.", 61, 121))
    metrics = compute_metrics(lines)
    assert metrics.fillers_per_min == 2.0  # the seller's fillers are not counted
    assert metrics.soft_fillers_per_min == 1.0
    assert metrics.words_per_min == 151.0  # 151 words in one minute of trainee speech


def test_patience_is_the_mean_handover_gap_and_skips_interruptions() -> None:
    lines = call(
        (S, "One.", 0, 5),
        (T, "A.", 6, 7),  # 1 s
        (S, "Two.", 8, 12),
        (T, "B.", 14, 15),  # 2 s
        (S, "Three, and a longer story here.", 16, 30),
        (T, "Wait, no.", 25, 27),  # talked over the seller: not a pause
    )
    metrics = compute_metrics(lines)
    assert metrics.patience_s == 1.5
    assert metrics.switches_per_min == pytest.approx(5 / 0.5)  # 5 switches in a 30 s call


def test_interruptions_ignore_acknowledgements_and_count_each_seller_turn_once() -> None:
    lines = call(
        (S, "So my dad bought it in the seventies and", 0, 10),
        (T, "Uh-huh.", 4, 5),  # a backchannel, not an interruption
        (S, "then he built a barn on the back forty.", 10, 20, True),  # flagged by the agent
        (T, "How big is the barn?", 15, 17),  # and overlapped: still one interruption
        (S, "About forty by sixty.", 18, 22),
        (T, "Great.", 22.1, 23),  # inside the timing tolerance: a handover
        (S, "It has power too, and", 24, 30),
        (T, "So what do you want for it?", 26, 28),
    )
    assert compute_metrics(lines).interruptions == 2


def test_typed_calls_leave_timing_metrics_none() -> None:
    lines = call((T, "Hi, why are you selling?", 0, 0), (S, "Taxes.", 0, 0))
    metrics = compute_metrics(lines, voice=False, call_length_s=95.5)
    assert all(getattr(metrics, name) is None for name in TIMING_FIELDS)
    assert (metrics.questions, metrics.trainee_turns, metrics.seller_turns, metrics.call_length_s) == (1, 1, 1, 95.5)


def test_coach_lines_are_not_part_of_the_conversation() -> None:
    lines = call((T, "Hi.", 0, 10), (S, "Hello.", 11, 21))
    lines.append(TranscriptLine(3, Speaker.COACH, "Ask an open question?", 22_000, 60_000))
    metrics = compute_metrics(lines)
    assert metrics.talk_ratio == 0.5 and metrics.questions == 0 and metrics.seller_turns == 1


def test_every_persona_objection_label_is_found_in_its_own_line_and_no_other() -> None:
    labels = list(OBJECTION_LINES)
    for label, seller_says in OBJECTION_LINES.items():
        lines = call((S, seller_says, 0, 3), (T, "Okay.", 4, 5))
        found = [e.pattern for e in detect_objections(lines, labels)]
        assert found == [label], seller_says


def test_each_common_objection_phrase_maps_onto_its_own_cues() -> None:
    assert len(COMMON_OBJECTIONS) == len(OBJECTION_CUES) == 13
    for phrase in COMMON_OBJECTIONS:
        lines = call((S, phrase, 0, 3))
        assert [e.pattern for e in detect_objections(lines, COMMON_OBJECTIONS)] == [phrase]


def test_unknown_pattern_falls_back_to_its_own_keywords() -> None:
    lines = call((S, "Honestly the road easement was never recorded.", 0, 3), (T, "Okay.", 4, 5))
    assert [e.pattern for e in detect_objections(lines, ["worried about the road easement"])] == [
        "worried about the road easement"
    ]
    assert detect_objections(call((S, "The road is fine.", 0, 3)), ["worried about the road easement"]) == []


def test_objection_answered_needs_an_acknowledgement_or_a_question() -> None:
    patterns = ["price too low", "not in a hurry", "has another offer"]
    lines = call(
        (S, "That number is insulting.", 0, 3),
        (T, "I'd feel the same way. What would feel fair to you?", 4, 8),
        (S, "I'm not in any hurry.", 9, 11),
        (T, "Well, prices are going down.", 12, 14),
        (S, "Another investor offered me more.", 15, 17),
        (T, "That makes sense.", 18, 19),
    )
    metrics = compute_metrics(lines, objection_patterns=patterns)
    assert metrics.objections_raised == ("price too low", "not in a hurry", "has another offer")
    assert metrics.objections_answered == ("price too low", "has another offer")
    events = detect_objections(lines, patterns)
    assert [(e.acknowledged, e.questioned) for e in events] == [(True, True), (False, False), (True, False)]
    assert answered_share(metrics) == pytest.approx(2 / 3)
    assert compute_metrics(lines).objections_raised == ()  # no persona patterns, nothing to report


def test_targets_and_ratings() -> None:
    fields = {f.name for f in dataclasses.fields(CallMetrics)}
    assert set(TARGETS) <= fields
    for name, (text, lo, hi, source) in TARGETS.items():
        assert text and source, name
        assert lo is None or hi is None or lo <= hi
    assert [rate_metric("talk_ratio", v) for v in (0.43, 0.62, 0.70, 0.10)] == ["good", "warn", "bad", "bad"]
    assert [rate_metric("longest_monologue_s", v) for v in (20, 40, 50)] == ["good", "warn", "bad"]
    assert [rate_metric("questions", v) for v in (12, 20, 8, 3)] == ["good", "good", "warn", "bad"]
    assert [rate_metric("words_per_min", v) for v in (150, 180, 195)] == ["good", "warn", "bad"]
    assert rate_metric("patience_s", 0.3) == "bad"
    assert rate_metric("objections_answered", 1.0) == "good"
    assert rate_metric("talk_ratio", None) is None
    assert rate_metric("interruptions", 3) is None  # no published figure
    assert rate_metric("no_such_metric", 1.0) is None


def test_fixture_calls_show_the_differences_a_coach_would_point_at() -> None:
    strong = load_fixture_call("strong_call")
    poor = load_fixture_call("poor_call")
    good = compute_metrics(strong.lines, objection_patterns=strong.objection_patterns)
    bad = compute_metrics(poor.lines, objection_patterns=poor.objection_patterns)
    assert rate_metric("talk_ratio", good.talk_ratio) == "good"
    assert rate_metric("talk_ratio", bad.talk_ratio) == "bad"
    assert rate_metric("longest_monologue_s", good.longest_monologue_s) == "good"
    assert rate_metric("longest_monologue_s", bad.longest_monologue_s) == "bad"
    assert good.open_questions > bad.open_questions and good.questions >= 11
    assert bad.fillers_per_min > 4 > good.fillers_per_min
    assert bad.interruptions >= 2 and good.interruptions == 0
    assert set(good.objections_answered) == set(good.objections_raised) == set(strong.objection_patterns)
    assert set(bad.objections_raised) == set(poor.objection_patterns)
    assert len(bad.objections_answered) < len(bad.objections_raised)
    assert good.call_length_s > bad.call_length_s


def test_typed_fixture_has_counts_but_no_timing() -> None:
    typed = load_fixture_call("typed_call")
    metrics = compute_metrics(typed.lines, objection_patterns=typed.objection_patterns, voice=typed.voice)
    assert not typed.voice
    assert all(getattr(metrics, name) is None for name in TIMING_FIELDS)
    assert metrics.questions > 5 and metrics.objections_raised == typed.objection_patterns
    assert metrics.to_dict()["talk_ratio"] is None

"""The in-call transcript model: partial lines, final lines with seq numbers, and interruption corrections."""

from __future__ import annotations

import dataclasses

import pytest

from desktop.core.live_transcript import LineCorrected, LineFinalized, LinePartial, LiveTranscript
from desktop.core.transcript import Speaker, TranscriptLine

T, S, C = Speaker.TRAINEE, Speaker.SELLER, Speaker.COACH


def test_partial_replaces_the_previous_partial_of_the_same_speaker_only() -> None:
    live = LiveTranscript()
    live.partial(T, "hi is", offset_ms=1200)
    live.partial(S, "hello")
    event = live.partial(T, "hi is this  Linda")
    assert event == LinePartial(T, "hi is this Linda", 1200)  # first offset sticks, spacing cleaned
    assert live.partial_of(T) == event
    assert live.partial_of(S) == LinePartial(S, "hello", 0)
    assert live.lines == ()  # partials never become lines by themselves


def test_finalize_assigns_increasing_seq_and_drops_the_partial() -> None:
    live = LiveTranscript()
    live.partial(T, "hi is this", offset_ms=500)
    first = live.finalize(T, "Hi, is this Linda?", duration_ms=1500)
    second = live.finalize(S, "Yes, speaking.", offset_ms=2300, duration_ms=900)
    assert isinstance(first, LineFinalized) and isinstance(second, LineFinalized)
    assert (first.line.seq, second.line.seq) == (1, 2)
    assert first.line.offset_ms == 500  # taken from the partial when not given
    assert first.line.end_ms == 2000
    assert live.partial_of(T) is None
    assert [ln.text for ln in live.lines] == ["Hi, is this Linda?", "Yes, speaking."]
    assert live.next_seq == 3


def test_empty_final_stores_nothing_but_clears_the_partial() -> None:
    live = LiveTranscript()
    live.partial(T, "uh")
    assert live.finalize(T, "   ") is None
    assert live.partial_of(T) is None
    assert len(live) == 0
    assert live.finalize(T, "Okay.").line.seq == 1  # no seq was used up


def test_interruption_cuts_the_agent_line_to_the_heard_prefix() -> None:
    live = LiveTranscript()
    said = "Well, my brother and I inherited it, and honestly neither of us wants it."
    live.finalize(S, said, offset_ms=1000, duration_ms=6000)
    live.finalize(T, "Sorry to hear that.", offset_ms=3500, duration_ms=1000)
    event = live.correct_agent_line(None, "well, my brother and I inherited it")
    assert isinstance(event, LineCorrected)
    assert event.previous_text == said
    line = event.line
    assert line.seq == 1 and line.interrupted
    assert line.text == "Well, my brother and I inherited it"  # stored casing kept
    assert line.duration_ms == round(6000 * len(line.text) / len(said))
    assert live.line(1) == line
    assert [ln.seq for ln in live.lines] == [1, 2]


def test_correction_that_is_not_a_prefix_replaces_the_text() -> None:
    live = LiveTranscript()
    live.finalize(S, "It's about twelve acres with a creek.", duration_ms=3000)
    event = live.correct_agent_line(1, "It's about twelve", duration_ms=1100)
    assert event.line.text == "It's about twelve" and event.line.duration_ms == 1100
    event = live.correct_agent_line(1, "It is roughly twelve acres")
    assert event.line.text == "It is roughly twelve acres"
    assert event.line.duration_ms == 1100  # unknown, so unchanged
    assert event.line.interrupted


def test_correction_targets_the_latest_agent_line_including_the_coach() -> None:
    live = LiveTranscript()
    live.finalize(S, "Hello?")
    live.finalize(C, "Try asking why they are selling now.")
    live.finalize(T, "Hi there")
    event = live.correct_agent_line(None, "Try asking why")
    assert event.line.seq == 2 and event.line.speaker == C


def test_correction_edge_cases() -> None:
    live = LiveTranscript()
    assert live.correct_agent_line(None, "anything") is None  # no agent line yet
    live.finalize(T, "Hello?")
    live.finalize(S, "Who is this?")
    assert live.correct_agent_line(2, "who is  this?") is None  # nothing was cut
    assert not live.line(2).interrupted
    with pytest.raises(ValueError):
        live.correct_agent_line(1, "Hel")
    with pytest.raises(KeyError):
        live.correct_agent_line(99, "x")


def test_resuming_from_stored_lines_keeps_seq_order_and_continues_numbering() -> None:
    stored = [TranscriptLine(7, S, "Go on."), TranscriptLine(3, T, "Hi."), TranscriptLine(5, S, "Hello.")]
    live = LiveTranscript(stored)
    assert [ln.seq for ln in live.lines] == [3, 5, 7]
    assert live.finalize(T, "Thanks.").line.seq == 8
    assert live.last_line(S).seq == 7
    with pytest.raises(ValueError):
        LiveTranscript([TranscriptLine(1, T, "a"), TranscriptLine(1, S, "b")])


def test_events_are_immutable() -> None:
    live = LiveTranscript()
    event = live.finalize(T, "Hi.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.line = None  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        live.partial(S, "x").text = "y"  # type: ignore[misc]

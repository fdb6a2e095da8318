"""Turn detection on real espeak-ng speech in 20 ms chunks: turns open and close at the right times, noise alone never
opens one, a turn held open by noise is cut at its cap, and the turn's audio is what the recogniser needs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from desktop.speech.recogniser import Recogniser
from desktop.speech.turn_detector import (
    SpeechEnded,
    SpeechStarted,
    TurnDetector,
    TurnEvent,
    TurnSettings,
    VoiceActivity,
)
from desktop.speech.vad import SileroScorer, WebRtcScorer
from tests.speech.spoken import RATE, SENTENCES, room_noise, silence, speak, white_noise, with_noise, word_error_rate

CHUNK = 640  # 20 ms of PCM16 at 16 kHz


def stream(detector: TurnDetector, samples: np.ndarray) -> list[TurnEvent]:
    pcm = samples.astype("<i2").tobytes()
    events: list[TurnEvent] = []
    for start in range(0, len(pcm), CHUNK):
        events += detector.feed(pcm[start : start + CHUNK])
    return events


def turns(events: list[TurnEvent]) -> list[TurnEvent]:
    return [event for event in events if not isinstance(event, VoiceActivity)]


@pytest.fixture(scope="module")
def two_sentences(speech_dir: Path) -> tuple[np.ndarray, list[tuple[float, float]]]:
    first, second = speak(SENTENCES[0], speech_dir), speak(SENTENCES[1], speech_dir)
    audio = np.concatenate([silence(1.0), first, silence(1.5), second, silence(1.5)])
    return audio, voiced_spans(audio)


def voiced_spans(samples: np.ndarray, gap_s: float = 1.0) -> list[tuple[float, float]]:
    """Where the clean audio is louder than -45 dBFS, in 10 ms frames, joining gaps shorter than `gap_s`: the truth
    the detector is measured against (espeak's WAVs carry some silence of their own at each end)."""
    frames = samples[: samples.size // 160 * 160].reshape(-1, 160).astype(np.float64)
    loud = np.flatnonzero(np.sqrt(np.mean(frames**2, axis=1)) > 32768 * 10 ** (-45 / 20))
    spans: list[list[float]] = []
    for index in loud:
        at = index * 0.01
        if spans and at - spans[-1][1] < gap_s:
            spans[-1][1] = at + 0.01
        else:
            spans.append([at, at + 0.01])
    return [(start, end) for start, end in spans]


def test_two_sentences_make_two_turns_ended_by_the_pause(two_sentences: tuple) -> None:
    audio, spans = two_sentences
    events = turns(stream(TurnDetector(), audio))
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded, SpeechStarted, SpeechEnded]
    for (start, end), opened, closed in zip(spans, events[::2], events[1::2], strict=True):
        assert start - 0.05 <= opened.at <= start + 0.15
        assert isinstance(closed, SpeechEnded) and closed.reason == "silence"
        assert end + 0.5 <= closed.at <= end + 0.9  # the 650 ms pause, within a window or two
        # The turn keeps 300 ms before the detector was sure and 200 ms after the last speech.
        assert end - start + 0.2 <= closed.duration <= end - start + 0.8


def test_scores_are_high_in_speech_and_low_in_silence(two_sentences: tuple) -> None:
    audio, spans = two_sentences
    scores = [e for e in stream(TurnDetector(), audio) if isinstance(e, VoiceActivity)]
    assert len(scores) == -(-audio.size * 2 // CHUNK)  # one score per chunk
    inside = [s.score for s in scores if spans[0][0] + 0.3 < s.at < spans[0][1] - 0.3]
    before = [s.score for s in scores if s.at < 0.9]
    assert np.median(inside) > 0.8 and max(before) < 0.2


def test_speech_in_room_noise_still_ends_its_turn(two_sentences: tuple) -> None:
    audio, _ = two_sentences
    events = turns(stream(TurnDetector(), with_noise(audio, snr_db=15)))
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded, SpeechStarted, SpeechEnded]


@pytest.mark.parametrize("noise", ["room", "white"])
def test_noise_alone_never_opens_a_turn(noise: str) -> None:
    samples = room_noise(12.0, dbfs=-30) if noise == "room" else white_noise(12.0, dbfs=-30)
    detector = TurnDetector()
    assert turns(stream(detector, samples)) == []
    assert not detector.in_turn


def test_a_turn_held_open_by_noise_is_cut_at_the_cap() -> None:
    # WebRTC's VAD calls loud white noise speech: the cap is what stops it from holding the turn forever.
    detector = TurnDetector(WebRtcScorer(3), TurnSettings(max_turn_s=3.0))
    events = turns(stream(detector, white_noise(7.0, dbfs=-20)))
    ended = [e for e in events if isinstance(e, SpeechEnded)]
    assert ended and all(e.reason == "max_length" for e in ended)
    assert all(2.9 <= e.duration <= 3.1 for e in ended)


def test_a_long_monologue_is_split_at_the_cap(speech_dir: Path) -> None:
    talk = np.concatenate([speak(text, speech_dir) for text in SENTENCES])  # ~27 s without real pauses
    events = turns(stream(TurnDetector(settings=TurnSettings(max_turn_s=10.0)), np.concatenate([talk, silence(1)])))
    reasons = [e.reason for e in events if isinstance(e, SpeechEnded)]
    assert reasons.count("max_length") >= 1 and reasons[-1] == "silence"


def test_a_click_does_not_open_a_turn() -> None:
    click = np.concatenate([silence(0.5), np.full(400, 20000, np.int16), silence(1.0)])
    assert turns(stream(TurnDetector(), click)) == []


def test_turn_audio_grows_for_tentative_decoding_and_the_turn_transcribes(
    two_sentences: tuple, recogniser: Recogniser
) -> None:
    audio, spans = two_sentences
    detector = TurnDetector(SileroScorer())
    pcm = audio.astype("<i2").tobytes()
    midway = int((spans[0][0] + 2.0) * RATE) * 2 // CHUNK * CHUNK
    for start in range(0, midway, CHUNK):
        detector.feed(pcm[start : start + CHUNK])
    assert detector.in_turn and 1.8 <= len(detector.turn_audio) / (2 * RATE) <= 2.5
    tentative = recogniser.transcribe(detector.turn_audio).text.lower()
    assert "like to ask" in tentative
    ended = [e for s in range(midway, len(pcm), CHUNK) for e in detector.feed(pcm[s : s + CHUNK])]
    final = next(e for e in ended if isinstance(e, SpeechEnded))
    assert word_error_rate(SENTENCES[0], recogniser.transcribe(final.audio).text) <= 0.25

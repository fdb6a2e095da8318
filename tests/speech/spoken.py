"""Real speech for tests and benchmarks: espeak-ng sentences at 16 kHz, noise mixed in at a set SNR, word error rate
(scored in `scoring`, re-exported here for the tests that import it with the speech)."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np

from tests.speech.scoring import normalise, word_error_rate  # noqa: F401 - re-exported for the tests

RATE = 16000

SENTENCES = (
    "I would like to ask about your land on Miller Road, what are you hoping to get for it",
    "How long have you owned the property and what made you think about selling now",
    "Is anyone else involved in the decision, like your wife or your brother",
    "Does the lot have water and power, or would a buyer need to drill a well",
    "If I could close in two weeks with cash, would that price work for you",
    "I got your name from the county property records, is this a good time to talk",
)

# What a trainee says on an acquisition call: the WER and latency benchmarks' utterances.
TRAINEE_LINES = (
    "Hi, is this Dale? My name is Sam, I'm calling about your land in Coal County",
    "Did I catch you at an okay time to talk for a couple of minutes",
    "I got your name from the county property records",
    "How many acres is the property and what is it like",
    "Does the lot have water and power, or would a buyer need to drill a well",
    "Is there road access, or do you need an easement to get to it",
    "What made you think about selling it now",
    "How soon would you want something like this wrapped up",
    "Is anyone else involved in the decision, like your wife or your brother",
    "Are there any back taxes or liens on the property",
    "What number did you have in mind for it",
    "If I could close in two weeks with cash, would that work for you",
    "I could offer you forty thousand dollars for the land",
    "We would cover all the closing costs, so there are no fees for you",
    "That makes sense, I understand this is family land",
    "So what I'm hearing is you would sell if the price was right",
    "Can I send you a written offer tonight and call you back on Thursday",
    "Have you had any other offers on it, or talked to a realtor",
    "How long have you owned the property",
    "What would you do with the money if you sold it",
    "Is the title in your name, or is it still in probate",
    "What happens if it doesn't sell this year",
    "I'm not trying to pressure you, take all the time you need",
    "Thank you so much for your time, Dale. Talk soon",
    "Would you be open to a quick visit to walk the land next week",
)


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def speak(text: str, folder: Path, voice: str = "en-us", words_per_minute: int = 165) -> np.ndarray:
    """The sentence spoken by espeak-ng, as 16 kHz mono int16 samples."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"speech-{abs(hash((text, voice, words_per_minute)))}.wav"
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-w", str(path), text], check=True, capture_output=True
    )
    samples, rate = read_wav(path)
    return resample(samples, rate, RATE)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as source:
        assert source.getnchannels() == 1 and source.getsampwidth() == 2
        return np.frombuffer(source.readframes(source.getnframes()), dtype="<i2"), source.getframerate()


def resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Band-limited resampling through the spectrum: exact enough for speech and free of aliasing."""
    if rate == target:
        return samples.astype(np.int16)
    count = int(round(samples.size * target / rate))
    spectrum = np.fft.rfft(samples.astype(np.float64))
    keep = count // 2 + 1
    resized = np.zeros(keep, dtype=complex)
    resized[: min(keep, spectrum.size)] = spectrum[: min(keep, spectrum.size)]
    out = np.fft.irfft(resized, count) * (count / samples.size)
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), dtype=np.int16)


def white_noise(seconds: float, dbfs: float = -40.0, seed: int = 7) -> np.ndarray:
    rms = 32768 * 10 ** (dbfs / 20)
    noise = np.random.default_rng(seed).normal(0, rms, int(seconds * RATE))
    return np.clip(noise, -32768, 32767).astype(np.int16)


def room_noise(seconds: float, dbfs: float = -40.0, seed: int = 11) -> np.ndarray:
    """Brown-ish noise with a mains hum: what a fan, traffic and a fridge sound like to a laptop microphone."""
    count = int(seconds * RATE)
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.normal(0, 1, count))
    freqs = np.fft.rfftfreq(count, 1 / RATE)
    spectrum /= np.maximum(freqs, 20.0) ** 0.8
    noise = np.fft.irfft(spectrum, count)
    noise += 0.3 * np.std(noise) * np.sin(2 * np.pi * 50 * np.arange(count) / RATE)
    noise *= 32768 * 10 ** (dbfs / 20) / np.sqrt(np.mean(noise**2))
    return np.clip(noise, -32768, 32767).astype(np.int16)


def with_noise(speech: np.ndarray, snr_db: float, kind: str = "room", seed: int = 3) -> np.ndarray:
    """Speech with noise mixed in so that speech power over noise power is `snr_db`."""
    make = room_noise if kind == "room" else white_noise
    noise = make((speech.size + 1) / RATE, seed=seed).astype(np.float64)[: speech.size]
    speech_power = np.mean(speech.astype(np.float64) ** 2)
    noise *= np.sqrt(speech_power / 10 ** (snr_db / 10) / np.mean(noise**2))
    return np.clip(speech + noise, -32768, 32767).astype(np.int16)


def as_the_partner_hears(speech: np.ndarray, detector=None) -> bytes:
    """The audio the partner decodes for this utterance: fed through the turn detector in 20 ms chunks with silence
    around it, so it carries the detector's lead-in and tail (the recogniser is sensitive to a word at the very first
    sample). Several turns (a long pause inside) are joined; no turn at all gives the raw audio."""
    from desktop.speech.turn_detector import SpeechEnded, TurnDetector

    detector = detector or TurnDetector()
    detector.reset()
    pcm = np.concatenate([silence(0.5), speech, silence(1.0)]).astype("<i2").tobytes()
    turns = [
        event.audio
        for start in range(0, len(pcm), 640)
        for event in detector.feed(pcm[start : start + 640])
        if isinstance(event, SpeechEnded)
    ]
    return b"".join(turns) if turns else speech.astype("<i2").tobytes()


HELD_OUT_COUNT = 25


def held_out_trainee_lines(count: int = HELD_OUT_COUNT) -> tuple[tuple[str, str], ...]:
    """(line, persona id) for `count` trainee lines of the fresh labelled calls (`tests/core/labelled/fresh_calls.txt`):
    sentences written for grading, not for recognition, and never looked at while the vocabulary prompt's words were
    chosen, so the prompt's WER on them is an unseen figure. The rule is fixed, not a choice of lines: of the trainee
    lines of 6 to 25 words, in file order, every k-th from the first, k = how many there are // `count`."""
    from desktop.core.transcript import Speaker
    from tests.core.labelled import fresh_calls

    eligible = [
        (line.text, call.persona_id)
        for call in fresh_calls()
        for line in call.lines
        if line.speaker == Speaker.TRAINEE and 6 <= len(line.text.split()) <= 25
    ]
    return tuple(eligible[:: max(1, len(eligible) // count)][:count])

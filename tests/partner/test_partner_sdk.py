"""The official ElevenLabs Python SDK holds a spoken conversation with the practice partner, as it would with the
service: its `Conversation`, pointed at the partner through the client's documented `base_url` (the SDK builds the
conversation WebSocket URL from the client's base URL, and `requires_auth=True` fetches a signed URL from it first, so
no SDK internals are patched), with a microphone and speaker of our own (`AudioInterface`) that play espeak-ng speech
of a trainee's question at real-time pace and collect what the seller says. The callbacks must see the greeting, the
question's words and an answer on its topic, the SDK must answer the partner's pings, and audio must come out."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from elevenlabs.client import ElevenLabs
from elevenlabs.conversational_ai.conversation import (
    AudioInterface,
    Conversation,
    ConversationInitiationData,
    DisconnectionDetails,
)

from desktop.core.difficulty import Difficulty
from desktop.partner.server import PracticePartner
from desktop.speech.recogniser import Recogniser
from desktop.speech.system_voice import find_speech_engine
from tests.partner.partner_kit import FAST, PARTNER_KEY, RATE, config_for, spoken
from tests.speech.spoken import SENTENCES, word_error_rate

pytestmark = pytest.mark.timeout(90)

WAIT = 30.0
CHUNK_MS = 250  # what the SDK's own DefaultAudioInterface sends (4000 frames at 16 kHz)
CHUNK_BYTES = RATE * CHUNK_MS // 1000 * 2
QUIET_BEFORE_SPEAKING_S = 0.5  # the trainee waits this long after the seller stops sounding


class ScriptedPhone(AudioInterface):
    """A microphone that is open from the start (silence, then the trainee's question once the seller's greeting has
    finished playing) and a speaker that plays what the SDK hands it at real time. Both run on one 250 ms clock, as a
    sound card's would; the SDK calls `start`, `output`, `interrupt` and `stop` from its own thread."""

    def __init__(self, question: bytes, greeting_heard: Callable[[], bool]) -> None:
        self._question = question
        self._greeting_heard = greeting_heard
        self._lock = threading.Lock()
        self.received = bytearray()  # every byte of seller audio the SDK output
        self.received_after_question = 0
        self._unplayed = 0  # bytes queued at the speaker, not yet played
        self.interrupts = 0
        self.question_sent = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, input_callback: Callable[[bytes], None]) -> None:
        self._thread = threading.Thread(target=self._run, args=(input_callback,), name="scripted-phone", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)

    def output(self, audio: bytes) -> None:
        with self._lock:
            self.received += audio
            self._unplayed += len(audio)
            if self.question_sent.is_set():
                self.received_after_question += len(audio)

    def interrupt(self) -> None:
        with self._lock:
            self.interrupts += 1
            self._unplayed = 0

    def _run(self, input_callback: Callable[[bytes], None]) -> None:
        quiet_ticks = 0
        pending = b""
        tick = 0
        clock = threading.Event()  # never set: its timed wait is the sound card's clock, not a wait for the partner
        started = time.monotonic()
        while not self._stop.is_set():
            with self._lock:
                sounding = self._unplayed > 0
                self._unplayed = max(0, self._unplayed - CHUNK_BYTES)
            quiet_ticks = 0 if sounding else quiet_ticks + 1
            if not self.question_sent.is_set() and self._greeting_heard() and _quiet_enough(quiet_ticks):
                pending = self._question
                self.question_sent.set()
            chunk, pending = pending[:CHUNK_BYTES], pending[CHUNK_BYTES:]
            input_callback(chunk.ljust(CHUNK_BYTES, b"\0"))
            tick += 1
            clock.wait(max(0.0, started + tick * CHUNK_MS / 1000 - time.monotonic()))


def _quiet_enough(quiet_ticks: int) -> bool:
    return quiet_ticks * CHUNK_MS / 1000 >= QUIET_BEFORE_SPEAKING_S


@dataclasses.dataclass
class Heard:
    """What the SDK's callbacks reported, for the test thread to wait on."""

    agent: list[str] = dataclasses.field(default_factory=list)
    user: list[str] = dataclasses.field(default_factory=list)
    ended: list[DisconnectionDetails] = dataclasses.field(default_factory=list)
    changed: threading.Condition = dataclasses.field(default_factory=threading.Condition)

    def add(self, bucket: list) -> Callable[[object], None]:
        def append(item: object) -> None:
            with self.changed:
                bucket.append(item)
                self.changed.notify_all()

        return append

    def wait(self, predicate: Callable[[], bool], timeout: float = WAIT) -> bool:
        with self.changed:
            return self.changed.wait_for(predicate, timeout)


@pytest.fixture
def voiced_partner(shared_recogniser: Recogniser) -> Iterator[PracticePartner]:
    engine = find_speech_engine()
    assert engine is not None, "espeak-ng is in the project's apt list"
    options = dataclasses.replace(FAST, ping_interval=1.0)  # pings during the call, so the SDK's pongs are tested
    with PracticePartner(
        options=options,
        model=None,
        api_key=PARTNER_KEY,
        recogniser=shared_recogniser,
        speech=engine.synth_for(None),
    ) as partner:
        yield partner


def test_the_elevenlabs_sdk_holds_a_spoken_conversation_with_the_partner(
    voiced_partner: PracticePartner, speech_folder: Path
) -> None:
    question_text = SENTENCES[3]  # does the lot have water and power, or would a buyer need to drill a well
    question = spoken(question_text, speech_folder) + bytes(RATE * 2)  # and a second of quiet to end the turn
    heard = Heard()
    phone = ScriptedPhone(question, greeting_heard=lambda: bool(heard.agent))
    config = config_for(Difficulty.ROOKIE)
    client = ElevenLabs(api_key=PARTNER_KEY, base_url=voiced_partner.http_url)
    conversation = Conversation(
        client,
        "practice-partner",
        requires_auth=True,  # the SDK asks the partner for a signed URL with the key, as for a private agent
        audio_interface=phone,
        config=ConversationInitiationData(
            conversation_config_override={
                "agent": {"prompt": {"prompt": config.system_prompt}, "first_message": config.first_message}
            },
            dynamic_variables=config.dynamic_variables,
        ),
        callback_agent_response=heard.add(heard.agent),
        callback_user_transcript=heard.add(heard.user),
        callback_disconnect=heard.add(heard.ended),
    )
    conversation.start_session()
    try:
        assert heard.wait(lambda: bool(heard.agent) or bool(heard.ended)), "no greeting"
        assert heard.wait(lambda: len(heard.agent) >= 2 or bool(heard.ended)), (heard, phone.question_sent.is_set())
        # The SDK answers the partner's pings (its latency callback is no proof: it skips a round trip of 0 ms).
        assert voiced_partner.wait_for(lambda calls: calls[-1].pongs >= 1, 10), "the SDK answered no ping"
        assert heard.wait(lambda: phone.received_after_question > 0 or bool(heard.ended), 10), "the answer was silent"
    finally:
        conversation.end_session()
        conversation_id = conversation.wait_for_session_end()

    assert heard.agent[0] == config.first_message.strip()
    (transcript,) = heard.user
    assert word_error_rate(question_text, transcript) <= 0.3, transcript
    answer = heard.agent[1].lower()
    assert any(word in answer for word in ("water", "power", "well", "utilit")), answer
    assert len(phone.received) > RATE * 2 and phone.received_after_question > RATE * 2 // 2, len(phone.received)
    assert phone.interrupts == 0  # the question came after the greeting: nothing was talked over
    record = voiced_partner.conversations()[-1]
    assert conversation_id == record.conversation_id
    assert record.lines[:3] == [("seller", heard.agent[0]), ("trainee", transcript), ("seller", heard.agent[1])]
    assert record.pongs >= 1 and record.ignored_frames == 0
    assert voiced_partner.wait_for(lambda calls: calls[-1].ended and calls[-1].end_reason == "client_closed")

"""What the practice partner tests share: a caller built on the app's own AgentConnection, a partner on a free port
and the callers to close (fixtures `partner` and `callers`, registered in conftest), one loaded recogniser for the
whole run (`shared_recogniser`), the init frame of a persona's call, and audio for spoken turns: real espeak-ng
speech (`spoken`), streamed at the pace of a microphone (`stream_audio`)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from websockets.sync.client import ClientConnection

from desktop.core.difficulty import Difficulty
from desktop.core.personas import load_builtin_personas
from desktop.core.prompts import AgentConfig, build_agent_config
from desktop.core.scenarios import load_scenarios
from desktop.partner.record import PartnerOptions
from desktop.partner.server import PracticePartner
from desktop.speech.recogniser import Recogniser
from desktop.voice.agent.connection import AgentConnection, ConnectionConfig
from desktop.voice.agent.connection_end import ConnectionEnd
from desktop.voice.agent.messages import (
    AgentResponse,
)
from tests.speech.spoken import speak

WAIT = 10.0
PARTNER_KEY = "good-key"  # the `partner` fixture's key; a partner with no key gives a signed URL to anyone
RATE = 16000
PERSONAS = {p.id: p for p in load_builtin_personas()}
SCENARIOS = {s.id: s for s in load_scenarios()}
DALE = PERSONAS["dale-pruitt-coal-county"]
COLD = SCENARIOS["cold-call-first-contact"]
FAST = PartnerOptions(reply_delay=0, ping_interval=30)
# A seller's first line long enough (~12 s) to talk over, and to echo.
LONG_GREETING = (
    "Hello, this is Dale. I have to say I get a lot of calls about that land and most of them waste my time. "
    "So tell me who you are and what you want, and please keep it short, because I am on my way out the door."
)
GOOD_CALL = [
    "Hi, is this Dale? My name is Sam, I'm calling about your land in Coal County. Did I catch you at an okay time?",
    "I understand, fair question. Your name came up in the county records. Can I ask what the property is like?",
    "That sounds like a beautiful piece. What has you thinking about selling it at all, Dale?",
    "I can imagine. How soon would you want something like that wrapped up?",
    "That makes sense, no pressure at all. Is anyone else involved in the decision, like your wife?",
    "So what I'm hearing is you'd sell if the money made sense and it helps with college. Did I get that right?",
    "What number did you have in mind for it?",
    "Can I send you a written offer tonight, and we talk Thursday at 6 with Carol on the line?",
    "Thank you so much for your time, Dale. Talk soon!",
]


class Caller:
    """The app's AgentConnection as the trainee: callbacks arrive on its thread, the test waits on a condition."""

    def __init__(self) -> None:
        self.messages: list[object] = []
        self.ends: list[ConnectionEnd] = []
        self._cond = threading.Condition()
        self.conn = AgentConnection(self._on_message, self._on_closed)

    def _on_message(self, message: object) -> None:
        with self._cond:
            self.messages.append(message)
            self._cond.notify_all()

    def _on_closed(self, end: ConnectionEnd) -> None:
        with self._cond:
            self.ends.append(end)
            self._cond.notify_all()

    def start(self, url: str, config: AgentConfig, *, api_key: str = PARTNER_KEY, text_only: bool = True) -> Caller:
        self.conn.start(
            ConnectionConfig(
                agent_id="practice-partner",
                api_url=url,
                api_key=api_key,
                prompt=config.system_prompt,
                first_message=config.first_message,
                dynamic_variables=config.dynamic_variables,
                text_only=text_only,
            )
        )
        return self

    def of(self, kind: type) -> list:
        with self._cond:
            return [m for m in self.messages if isinstance(m, kind)]

    def responses(self) -> list[str]:
        return [m.text for m in self.of(AgentResponse)]

    def wait(self, predicate, timeout: float = WAIT) -> bool:
        with self._cond:
            return self._cond.wait_for(predicate, timeout)

    def wait_responses(self, count: int) -> list[str]:
        assert self.wait(lambda: len(self.of(AgentResponse)) >= count or bool(self.ends)), "no reply in time"
        return self.responses()

    def say(self, text: str) -> str | None:
        """Sends a typed turn; the seller's reply, or None when the call ended instead."""
        before = len(self.responses())
        self.conn.send_text(text)
        replies = self.wait_responses(before + 1)
        return replies[before] if len(replies) > before else None

    def wait_end(self) -> ConnectionEnd:
        assert self.wait(lambda: bool(self.ends)), "the call did not end"
        return self.ends[0]


@pytest.fixture(scope="session")
def shared_recogniser() -> Recogniser:
    """The shipped model, loaded once: each partner would otherwise load its own (half a second, ~100 MB)."""
    return Recogniser.load(cpu_threads=1)


@pytest.fixture(scope="session")
def speech_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("partner-speech")


@pytest.fixture
def partner(shared_recogniser: Recogniser) -> Iterator[PracticePartner]:
    server = PracticePartner(options=FAST, seed=11, api_key=PARTNER_KEY, model=None, recogniser=shared_recogniser)
    server.start()
    yield server
    assert server.stop(), "the partner did not stop within 2 s"


@pytest.fixture
def callers() -> Iterator[list[Caller]]:
    made: list[Caller] = []
    yield made
    for caller in made:
        caller.conn.close()


def new_caller(callers: list[Caller]) -> Caller:
    caller = Caller()
    callers.append(caller)
    return caller


def config_for(level: Difficulty, persona=DALE, scenario=COLD) -> AgentConfig:
    return build_agent_config(persona, scenario, level, "Sam")


def init_frame(config: AgentConfig) -> str:
    override = {"agent": {"prompt": {"prompt": config.system_prompt}, "first_message": config.first_message}}
    return json.dumps(
        {
            "type": "conversation_initiation_client_data",
            "conversation_config_override": override,
            "dynamic_variables": config.dynamic_variables,
        }
    )


def received(ws: ClientConnection, kind: str) -> dict:
    """The next frame of `kind`, skipping others (pings are answered)."""
    while True:
        frame = json.loads(ws.recv(timeout=WAIT))
        if frame.get("type") == "ping":
            ws.send(json.dumps({"type": "pong", "event_id": frame["ping_event"]["event_id"]}))
        if frame.get("type") == kind:
            return frame


def speech(ms: int, amplitude: float = 0.3) -> bytes:
    """Speech-like audio: a 180 Hz tone with a 4 Hz syllable rhythm, PCM16 LE mono 16 kHz."""
    t = np.arange(RATE * ms // 1000) / RATE
    wave = amplitude * np.sin(2 * np.pi * 180 * t) * (0.6 + 0.4 * np.abs(np.sin(2 * np.pi * 4 * t)))
    return (wave * 32767).astype("<i2").tobytes()


def silence(ms: int) -> bytes:
    return bytes(RATE * ms // 1000 * 2)


def chunks(pcm: bytes, ms: int = 20) -> list[bytes]:
    step = RATE * ms // 1000 * 2
    return [pcm[i : i + step] for i in range(0, len(pcm), step)]


def spoken(text: str, folder: Path, voice: str = "en-us", words_per_minute: int = 165) -> bytes:
    """Real speech: the sentence spoken by espeak-ng, PCM16 LE mono 16 kHz."""
    return speak(text, folder, voice, words_per_minute).astype("<i2").tobytes()


def stream_audio(caller: Caller, pcm: bytes, *, speed: float = 1.0, chunk_ms: int = 20) -> None:
    """Sends audio in chunks at the pace a microphone delivers it (`speed` times real time). The pacing is the audio's
    clock, not a wait for the partner: every check after it waits on a condition."""
    started = time.monotonic()
    step = RATE * chunk_ms // 1000 * 2
    for index, start in enumerate(range(0, len(pcm), step)):
        caller.conn.send_audio(pcm[start : start + step])
        due = started + (index + 1) * chunk_ms / 1000 / speed
        pause = due - time.monotonic()
        if pause > 0:
            threading.Event().wait(pause)


def signed_ws_url(partner: PracticePartner, agent_id: str = "a") -> str:
    """A conversation URL on a partner with an API key: signed, as a private agent's must be."""
    import httpx2

    response = httpx2.get(
        f"{partner.http_url}/v1/convai/conversation/get-signed-url",
        params={"agent_id": agent_id},
        headers={"xi-api-key": PARTNER_KEY},
    )
    response.raise_for_status()
    return response.json()["signed_url"]

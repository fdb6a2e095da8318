"""The partner through real sound devices: the app's PortAudio microphone and speaker on the private PulseAudio, with a
loopback from the virtual speaker into the virtual microphone at -12 dB (laptop speakers, no headset). The seller's
own voice comes back into the microphone: it must not become the trainee's words or interrupt the seller, while the
trainee's real question, spoken over that same loopback, is heard and answered."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from desktop.core.difficulty import Difficulty
from desktop.partner.server import PracticePartner
from desktop.speech.recogniser import Recogniser
from desktop.speech.system_voice import find_speech_engine
from desktop.voice.agent.connection import AgentConnection, ConnectionConfig
from desktop.voice.agent.messages import AgentResponse, AudioChunk, Interruption, UserTranscript
from desktop.voice.audio.streams import MicrophoneStream, SpeakerStream
from tests.partner.partner_kit import FAST, LONG_GREETING, config_for
from tests.pcm import write_wav
from tests.pulse import MIC_FEED_SINK, SPEAKER_SINK, PulseServer
from tests.speech.spoken import SENTENCES, silence, speak, word_error_rate

pytestmark = pytest.mark.timeout(120)


class DeviceCaller:
    """The app's connection with real PortAudio streams: the mic feeds the partner, its audio plays on the speaker."""

    def __init__(self, url: str) -> None:
        self.cond = threading.Condition()
        self.messages: list[Any] = []
        self.last_audio = 0.0
        self.speaker = SpeakerStream()
        self.conn = AgentConnection(self._on_message, lambda _end: None)
        self.mic = MicrophoneStream(lambda pcm, _at: self.conn.send_audio(pcm))
        config = dataclasses.replace(config_for(Difficulty.BEGINNER), first_message=LONG_GREETING)
        self.speaker.start()
        self.mic.start()
        self.conn.start(
            ConnectionConfig(
                agent_id="practice-partner",
                api_url=url,
                prompt=config.system_prompt,
                first_message=config.first_message,
                dynamic_variables=config.dynamic_variables,
                text_only=False,
                max_queued_audio=1000,
            )
        )

    def _on_message(self, message: Any) -> None:
        if isinstance(message, AudioChunk):
            self.speaker.play(message.pcm, message.event_id)
            self.last_audio = time.monotonic()
        elif isinstance(message, Interruption):
            self.speaker.interrupt(message.event_id)
        with self.cond:
            self.messages.append(message)
            self.cond.notify_all()

    def of(self, kind: type) -> list[Any]:
        with self.cond:
            return [m for m in self.messages if isinstance(m, kind)]

    def wait(self, predicate, timeout: float = 30.0) -> bool:
        with self.cond:
            return self.cond.wait_for(predicate, timeout)

    def wait_quiet(self, seconds: float = 1.0, timeout: float = 40.0) -> None:
        """Until the seller's latest line has started (its audio follows its `agent_response`), then sent nothing for
        `seconds`, and the speaker has played it all (its echo included)."""
        assert self.wait(lambda: bool(self.of(AgentResponse)))
        latest = max(m.event_id for m in self.of(AgentResponse))
        assert self.wait(lambda: any(m.event_id >= latest for m in self.of(AudioChunk)))
        deadline = time.monotonic() + timeout
        while time.monotonic() - self.last_audio < seconds:
            assert time.monotonic() < deadline, "the seller never stopped talking"
            threading.Event().wait(0.05)  # the seller streams at the pace it speaks: watch its clock
        assert self.speaker.drain(15.0)

    def close(self) -> None:
        self.conn.close(2.0)
        self.mic.stop()
        self.speaker.stop()


@pytest.fixture
def leaky_speakers(pulse: PulseServer) -> Iterator[PulseServer]:
    module = pulse.pactl(
        "load-module", "module-loopback", f"source={SPEAKER_SINK}.monitor", f"sink={MIC_FEED_SINK}", "latency_msec=60"
    ).strip()
    for line in pulse.pactl("list", "short", "sink-inputs").splitlines():
        index, _sink, owner = line.split("\t")[:3]
        if owner == module:
            pulse.pactl("set-sink-input-volume", index, "25%")  # -12 dB
    yield pulse
    pulse.pactl("unload-module", module)


@pytest.fixture
def speaking_partner(shared_recogniser: Recogniser) -> Iterator[PracticePartner]:
    engine = find_speech_engine()
    assert engine is not None, "espeak-ng is in the project's apt list"
    with PracticePartner(options=FAST, model=None, recogniser=shared_recogniser, speech=engine.synth_for(None)) as p:
        yield p


def test_the_sellers_echo_through_the_devices_is_not_heard_but_the_trainee_is(
    leaky_speakers: PulseServer, speaking_partner: PracticePartner, tmp_path: Path
) -> None:
    caller = DeviceCaller(speaking_partner.http_url)
    try:
        caller.wait_quiet()  # the ~12 s greeting played, and came back through the loopback
        assert caller.of(UserTranscript) == [] and caller.of(Interruption) == []
        record = speaking_partner.conversations()[-1]
        assert record.echo_turns >= 1  # it heard its own voice, and knew it
        question = SENTENCES[3]
        wav = write_wav(tmp_path / "question.wav", np.concatenate([speak(question, tmp_path), silence(0.2)]))
        leaky_speakers.play_into_mic(wav)
        assert caller.wait(lambda: len(caller.of(AgentResponse)) >= 2), speaking_partner.conversations()[-1]
        (heard,) = caller.of(UserTranscript)
        assert word_error_rate(question, heard.text) <= 0.3, heard.text
        caller.wait_quiet()  # the answer plays and echoes too
        assert len(caller.of(UserTranscript)) == 1 and caller.of(Interruption) == []
    finally:
        caller.close()

"""What a call is made of: where it goes (`AgentTarget`), what it is (`CallSetup`), and the audio devices it talks
through (`AudioPorts`, the microphone and speaker protocols the engine needs). Qt-free plain data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from desktop.core.difficulty import Difficulty
from desktop.core.personas import Persona
from desktop.core.prompts import AgentConfig
from desktop.core.scenarios import Scenario
from desktop.core.transcript import Speaker
from desktop.voice.call.events import CallEvent


class MicrophoneInput(Protocol):
    muted: bool

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def set_agent_speaking(self, speaking: bool) -> None: ...
    def speech_segments(self) -> list[tuple[float, float]]: ...


class SpeakerOutput(Protocol):
    def start(self) -> None: ...
    def play(self, pcm: bytes, event_id: int) -> None: ...
    def interrupt(self, event_id: int) -> None: ...
    def drain(self, timeout: float) -> bool: ...
    def stop(self) -> None: ...
    @property
    def is_speaking(self) -> bool: ...


@dataclass
class AudioPorts:
    """The devices of one voice call, opened once the agent has told us the sample rates."""

    microphone: MicrophoneInput
    speaker: SpeakerOutput
    recorder: Any | None = None  # desktop.voice.audio.recorder.CallRecorder
    close: Callable[[], None] = lambda: None


# (input_rate, output_rate, on_mic_chunk(pcm, captured_at), on_error(message), t0) -> AudioPorts
AudioFactory = Callable[[int, int, Callable[[bytes, float], None], Callable[[str], None], float], AudioPorts]


@dataclass(frozen=True)
class AgentTarget:
    """Where the call goes: the agent id, the API base, and the key that makes it a private (signed URL) agent."""

    kind: str  # "elevenlabs" or "partner"
    agent_id: str
    api_url: str
    api_key: str = ""
    voice_id: str = ""  # a voice of the trainee's choosing for this persona, over the persona's own


@dataclass(frozen=True)
class CallSetup:
    persona: Persona
    scenario: Scenario
    difficulty: Difficulty
    target: AgentTarget
    mode: str = "voice"  # or "text"
    practice_mode: bool = True
    trainee_name: str = ""
    max_seconds: float | None = None
    trainee_summary: str = ""  # memory across calls, for the prompt and a contextual update
    memory_variables: dict[str, str | int | float | bool] = field(default_factory=dict)
    kind: str = "roleplay"
    agent_speaker: Speaker = Speaker.SELLER
    # The agent's prompt, first message and variables when it is not the persona's seller (a coach debrief).
    agent_config: AgentConfig | None = None
    parent_session_id: int | None = None  # a debrief: the call it reviews, linked when the session starts


CallListener = Callable[[CallEvent], None]

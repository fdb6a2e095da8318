"""Typed server -> client messages of the ElevenLabs agents WebSocket protocol, one frozen dataclass per type.

Parsing lives in `desktop.voice.agent.protocol`; these are the immutable events that cross threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

PartType = Literal["start", "delta", "stop"]
FeedbackScore = Literal["like", "dislike"]


@dataclass(frozen=True)
class ConversationInitiationMetadata:
    """The first server message. A sample rate is None when its format is not PCM the app can play;
    `protocol.audio_format_rate(fmt)` gives the reason as a ValueError."""

    conversation_id: str
    agent_output_audio_format: str
    user_input_audio_format: str
    agent_output_sample_rate: int | None
    user_input_sample_rate: int | None


@dataclass(frozen=True)
class Alignment:
    chars: tuple[str, ...]
    char_start_times_ms: tuple[float, ...]
    char_durations_ms: tuple[float, ...]


@dataclass(frozen=True)
class AudioChunk:
    """Agent audio: raw PCM16 little-endian mono at the negotiated output rate."""

    pcm: bytes = field(repr=False)
    event_id: int
    alignment: Alignment | None = None


@dataclass(frozen=True)
class UserTranscript:
    text: str
    event_id: int


@dataclass(frozen=True)
class TentativeUserTranscript:
    text: str
    event_id: int


@dataclass(frozen=True)
class AgentResponse:
    text: str
    event_id: int


@dataclass(frozen=True)
class AgentResponseCorrection:
    """The agent line cut to what was said before an interruption."""

    original_text: str
    corrected_text: str
    event_id: int


@dataclass(frozen=True)
class AgentChatResponsePart:
    text: str
    part_type: PartType
    event_id: int


@dataclass(frozen=True)
class AgentReasoningResponsePart:
    # Experimental; the reference types this event_id as a string, unlike every other one.
    text: str
    part_type: PartType
    event_id: str


@dataclass(frozen=True)
class InternalTentativeAgentResponse:
    text: str


@dataclass(frozen=True)
class InternalTurnProbability:
    probability: float


@dataclass(frozen=True)
class Interruption:
    event_id: int


@dataclass(frozen=True)
class Ping:
    event_id: int
    ping_ms: int | None


@dataclass(frozen=True)
class VadScore:
    score: float


@dataclass(frozen=True)
class ClientToolCall:
    tool_name: str
    tool_call_id: str
    parameters: dict[str, Any]
    event_id: int


@dataclass(frozen=True)
class AgentToolRequest:
    tool_name: str
    tool_call_id: str
    tool_type: str
    event_id: int


@dataclass(frozen=True)
class AgentToolResponse:
    tool_name: str
    tool_call_id: str
    tool_type: str
    is_error: bool
    is_called: bool
    event_id: int

    @property
    def ends_call(self) -> bool:
        return self.tool_name == "end_call"


@dataclass(frozen=True)
class AgentToolResponseFullPayload:
    tool_name: str
    tool_call_id: str
    tool_type: str
    is_error: bool
    is_called: bool
    event_id: int
    full_tool_result: str
    truncated: bool
    is_blocked: bool | None = None

    @property
    def ends_call(self) -> bool:
        return self.tool_name == "end_call"


@dataclass(frozen=True)
class ContextUsage:
    event_id: int
    model: str
    context_tokens: int
    context_limit_tokens: int


@dataclass(frozen=True)
class AsrInitiationMetadata:
    data: dict[str, Any]


@dataclass(frozen=True)
class McpToolCall:
    """`data` is the whole wrapper object: the state-dependent fields are not pinned down by the reference."""

    service_id: str
    tool_call_id: str
    tool_name: str
    state: str
    parameters: dict[str, Any]
    data: dict[str, Any]


@dataclass(frozen=True)
class McpConnectionStatus:
    integrations: tuple[Any, ...]


@dataclass(frozen=True)
class RichContent:
    rich_content_id: str
    component: str
    props: dict[str, Any]
    event_id: int


@dataclass(frozen=True)
class GuardrailTriggered:
    pass


@dataclass(frozen=True)
class AgentTyping:
    is_typing: bool
    duration_ms: int | None = None


@dataclass(frozen=True)
class ExternalAgentConnected:
    pass


@dataclass(frozen=True)
class ExternalAgentDisconnected:
    pass


@dataclass(frozen=True)
class ServerError:
    """Sent just before the server closes the socket; code is the close code that follows."""

    code: int
    message: str | None = None
    error_type: str | None = None
    reason: str | None = None
    debug_message: str | None = None
    details: Any = None

    @property
    def is_normal_end(self) -> bool:
        # 1000 is max_duration_exceeded: the call ended, nothing failed.
        return self.code == 1000


@dataclass(frozen=True)
class UnknownMessage:
    """A well-formed frame of a type this client does not know; the protocol grows, so tolerate it."""

    type: str


ServerMessage = (
    ConversationInitiationMetadata
    | AudioChunk
    | UserTranscript
    | TentativeUserTranscript
    | AgentResponse
    | AgentResponseCorrection
    | AgentChatResponsePart
    | AgentReasoningResponsePart
    | InternalTentativeAgentResponse
    | InternalTurnProbability
    | Interruption
    | Ping
    | VadScore
    | ClientToolCall
    | AgentToolRequest
    | AgentToolResponse
    | AgentToolResponseFullPayload
    | ContextUsage
    | AsrInitiationMetadata
    | McpToolCall
    | McpConnectionStatus
    | RichContent
    | GuardrailTriggered
    | AgentTyping
    | ExternalAgentConnected
    | ExternalAgentDisconnected
    | ServerError
    | UnknownMessage
)

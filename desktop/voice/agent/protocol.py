"""ElevenLabs agents WebSocket protocol: parse server frames into typed messages and build client frames.

Pure Python, no I/O. Shapes follow the team's ElevenLabs agents protocol reference (sections 3 and 4). Parsing never
raises: an unknown type becomes `UnknownMessage`, a malformed frame is logged and becomes None.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from desktop.voice.agent.messages import (
    AgentChatResponsePart,
    AgentReasoningResponsePart,
    AgentResponse,
    AgentResponseCorrection,
    AgentToolRequest,
    AgentToolResponse,
    AgentToolResponseFullPayload,
    AgentTyping,
    Alignment,
    AsrInitiationMetadata,
    AudioChunk,
    ClientToolCall,
    ContextUsage,
    ConversationInitiationMetadata,
    ExternalAgentConnected,
    ExternalAgentDisconnected,
    FeedbackScore,
    GuardrailTriggered,
    InternalTentativeAgentResponse,
    InternalTurnProbability,
    Interruption,
    McpConnectionStatus,
    McpToolCall,
    Ping,
    RichContent,
    ServerError,
    ServerMessage,
    TentativeUserTranscript,
    UnknownMessage,
    UserTranscript,
    VadScore,
)

log = logging.getLogger(__name__)

# The PCM rates the reference lists. ulaw_8000 is also a protocol format, but the audio path plays PCM16 only.
PCM_SAMPLE_RATES = (8000, 16000, 22050, 24000, 44100, 48000)
# The JS client assumes this when the metadata leaves the input format out.
DEFAULT_INPUT_AUDIO_FORMAT = "pcm_16000"


def audio_format_rate(fmt: str) -> int:
    """The sample rate of a PCM16 format such as "pcm_16000"; ValueError for any format the app cannot play."""
    codec, _, rate_text = fmt.partition("_")
    if codec == "ulaw":
        raise ValueError(
            f"audio format {fmt!r} is mu-law, which this app cannot play or record; "
            "set the agent's audio formats to PCM (for example pcm_16000)"
        )
    if codec != "pcm" or not rate_text.isdigit() or int(rate_text) not in PCM_SAMPLE_RATES:
        supported = ", ".join(f"pcm_{rate}" for rate in PCM_SAMPLE_RATES)
        raise ValueError(f"unsupported audio format {fmt!r}; supported formats are {supported}")
    return int(rate_text)


class UnknownTypeLog:
    """Logs each unknown server message type once per instance (one per call), so a chatty new event is one line."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._logger = logger or log
        self._seen: set[str] = set()

    def note(self, message_type: str) -> bool:
        """Record a type; True (and one log line) only the first time it is seen."""
        if message_type in self._seen:
            return False
        self._seen.add(message_type)
        self._logger.info("ignoring unknown agent message type %r", message_type)
        return True


# --- parsing --------------------------------------------------------------------------------------------------------


class _Malformed(Exception):
    pass


def _field(obj: Mapping[str, Any], key: str, kind: type | tuple[type, ...], *, optional: bool = False) -> Any:
    value = obj.get(key)
    if value is None:
        if optional:
            return None
        raise _Malformed(f"missing {key!r}")
    # bool is an int subclass; a flag where a number belongs is as wrong as a string.
    wants_bool = kind is bool or (isinstance(kind, tuple) and bool in kind)
    if not isinstance(value, kind) or (isinstance(value, bool) and not wants_bool):
        raise _Malformed(f"{key!r} has type {type(value).__name__}")
    return value


def _str(obj: Mapping[str, Any], key: str) -> str:
    return _field(obj, key, str)


def _opt_str(obj: Mapping[str, Any], key: str) -> str | None:
    return _field(obj, key, str, optional=True)


def _bool(obj: Mapping[str, Any], key: str) -> bool:
    return _field(obj, key, bool)


def _dict(obj: Mapping[str, Any], key: str) -> dict[str, Any]:
    return _field(obj, key, dict)


def _float(obj: Mapping[str, Any], key: str) -> float:
    return float(_field(obj, key, (int, float)))


def _int(obj: Mapping[str, Any], key: str, *, optional: bool = False) -> Any:
    value = _field(obj, key, (int, float, str), optional=optional)
    if value is None:
        return None
    # The schema says integer; the Python SDK's tests send digit strings, and pong must still work then.
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    raise _Malformed(f"{key!r} is not an integer: {value!r}")


def _opt_int(obj: Mapping[str, Any], key: str) -> int | None:
    return _int(obj, key, optional=True)


def _opt_bool(obj: Mapping[str, Any], key: str) -> bool | None:
    return _field(obj, key, bool, optional=True)


def _list(obj: Mapping[str, Any], key: str) -> tuple[Any, ...]:
    return tuple(_field(obj, key, list))


def _id_text(obj: Mapping[str, Any], key: str) -> str:
    return str(_field(obj, key, (str, int)))


def _part_type(obj: Mapping[str, Any], key: str) -> Any:
    part_type = _str(obj, key)
    if part_type not in ("start", "delta", "stop"):
        raise _Malformed(f"unknown part type {part_type!r}")
    return part_type


def _numbers(obj: Mapping[str, Any], key: str) -> tuple[float, ...]:
    values = _field(obj, key, list)
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise _Malformed(f"{key!r} holds a non-number")
    return tuple(float(v) for v in values)


def _rate_or_none(fmt: str) -> int | None:
    try:
        return audio_format_rate(fmt)
    except ValueError:
        return None


def _metadata(e: Mapping[str, Any]) -> ConversationInitiationMetadata:
    output_format = _str(e, "agent_output_audio_format")
    input_format = _opt_str(e, "user_input_audio_format") or DEFAULT_INPUT_AUDIO_FORMAT
    return ConversationInitiationMetadata(
        conversation_id=_str(e, "conversation_id"),
        agent_output_audio_format=output_format,
        user_input_audio_format=input_format,
        agent_output_sample_rate=_rate_or_none(output_format),
        user_input_sample_rate=_rate_or_none(input_format),
    )


def _audio(e: Mapping[str, Any]) -> AudioChunk:
    try:
        pcm = base64.b64decode(_str(e, "audio_base_64"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _Malformed(f"bad base64 audio: {exc}") from None
    alignment = None
    raw = _field(e, "alignment", dict, optional=True)
    if raw is not None:
        chars = _field(raw, "chars", list)
        if not all(isinstance(c, str) for c in chars):
            raise _Malformed("alignment 'chars' holds a non-string")
        starts, durations = _numbers(raw, "char_start_times_ms"), _numbers(raw, "char_durations_ms")
        alignment = Alignment(tuple(chars), starts, durations)
    return AudioChunk(pcm=pcm, event_id=_int(e, "event_id"), alignment=alignment)


def _mcp_tool_call(e: Mapping[str, Any]) -> McpToolCall:
    return McpToolCall(
        service_id=_str(e, "service_id"),
        tool_call_id=_str(e, "tool_call_id"),
        tool_name=_str(e, "tool_name"),
        state=_str(e, "state"),
        parameters=_dict(e, "parameters"),
        data=dict(e),
    )


_Reader = Callable[[Mapping[str, Any], str], Any]
_Parser = Callable[[Mapping[str, Any]], ServerMessage]


def _fields(cls: Callable[..., ServerMessage], *spec: tuple[str, _Reader]) -> _Parser:
    """A parser that reads each wrapper key with its reader and passes the values positionally to cls."""
    return lambda e: cls(*(read(e, key) for key, read in spec))


_ID = ("event_id", _int)
_PART = (("text", _str), ("type", _part_type))
_TOOL = (("tool_name", _str), ("tool_call_id", _str))
_TOOL_RESPONSE = (*_TOOL, ("tool_type", _str), ("is_error", _bool), ("is_called", _bool), _ID)
_ERROR = ("message", "error_type", "reason", "debug_message")

# type -> (wrapper key, whether the wrapper must be present, parser of the wrapper object)
_PARSERS: dict[str, tuple[str | None, bool, _Parser]] = {
    "conversation_initiation_metadata": ("conversation_initiation_metadata_event", True, _metadata),
    "audio": ("audio_event", True, _audio),
    "user_transcript": ("user_transcription_event", True, _fields(UserTranscript, ("user_transcript", _str), _ID)),
    "tentative_user_transcript": (
        "tentative_user_transcription_event",
        True,
        _fields(TentativeUserTranscript, ("user_transcript", _str), _ID),
    ),
    "agent_response": ("agent_response_event", True, _fields(AgentResponse, ("agent_response", _str), _ID)),
    "agent_response_correction": (
        "agent_response_correction_event",
        True,
        _fields(AgentResponseCorrection, ("original_agent_response", _str), ("corrected_agent_response", _str), _ID),
    ),
    "agent_chat_response_part": ("text_response_part", True, _fields(AgentChatResponsePart, *_PART, _ID)),
    "agent_reasoning_response_part": (
        "reasoning_response_part",
        True,
        _fields(AgentReasoningResponsePart, *_PART, ("event_id", _id_text)),
    ),
    "internal_tentative_agent_response": (
        "tentative_agent_response_internal_event",
        True,
        _fields(InternalTentativeAgentResponse, ("tentative_agent_response", _str)),
    ),
    "internal_turn_probability": (
        "turn_probability_internal_event",
        True,
        _fields(InternalTurnProbability, ("turn_probability", _float)),
    ),
    "interruption": ("interruption_event", True, _fields(Interruption, _ID)),
    "ping": ("ping_event", True, _fields(Ping, _ID, ("ping_ms", _opt_int))),
    "vad_score": ("vad_score_event", True, _fields(VadScore, ("vad_score", _float))),
    "client_tool_call": ("client_tool_call", True, _fields(ClientToolCall, *_TOOL, ("parameters", _dict), _ID)),
    "agent_tool_request": ("agent_tool_request", True, _fields(AgentToolRequest, *_TOOL, ("tool_type", _str), _ID)),
    "agent_tool_response": ("agent_tool_response", True, _fields(AgentToolResponse, *_TOOL_RESPONSE)),
    "agent_tool_response_full_payload": (
        "agent_tool_response_full_payload",
        True,
        _fields(
            AgentToolResponseFullPayload,
            *_TOOL_RESPONSE,
            ("full_tool_result", _str),
            ("truncated", _bool),
            ("is_blocked", _opt_bool),
        ),
    ),
    "context_usage": (
        "context_usage_event",
        True,
        _fields(ContextUsage, _ID, ("model", _str), ("context_tokens", _int), ("context_limit_tokens", _int)),
    ),
    "asr_initiation_metadata": ("asr_initiation_metadata_event", True, lambda e: AsrInitiationMetadata(dict(e))),
    "mcp_tool_call": ("mcp_tool_call", True, _mcp_tool_call),
    "mcp_connection_status": ("mcp_connection_status", True, _fields(McpConnectionStatus, ("integrations", _list))),
    "rich_content": (
        "rich_content",
        True,
        _fields(RichContent, ("rich_content_id", _str), ("component", _str), ("props", _dict), _ID),
    ),
    "guardrail_triggered": (None, False, lambda e: GuardrailTriggered()),
    "agent_typing": ("agent_typing_event", True, _fields(AgentTyping, ("is_typing", _bool), ("duration_ms", _opt_int))),
    "external_agent_connected": ("external_agent_connected_event", False, lambda e: ExternalAgentConnected()),
    "external_agent_disconnected": ("external_agent_disconnected_event", False, lambda e: ExternalAgentDisconnected()),
    "error": (
        "error_event",
        True,
        _fields(ServerError, ("code", _int), *((key, _opt_str) for key in _ERROR), ("details", lambda e, k: e.get(k))),
    ),
}

SERVER_MESSAGE_TYPES = frozenset(_PARSERS)


def parse_server_message(text: str | bytes) -> ServerMessage | None:
    """One server frame as a typed message, `UnknownMessage` for a type not listed, or None (logged) if malformed."""
    message_type = "?"
    try:
        if isinstance(text, (bytes, bytearray)):
            text = bytes(text).decode("utf-8")
        frame = json.loads(text)
        if not isinstance(frame, dict):
            raise _Malformed(f"frame is a JSON {type(frame).__name__}, not an object")
        message_type = _str(frame, "type")
        if message_type not in _PARSERS:
            return UnknownMessage(message_type)
        wrapper_key, required, parser = _PARSERS[message_type]
        wrapper: Any = {} if wrapper_key is None else frame.get(wrapper_key)
        if wrapper is None and not required:
            wrapper = {}
        if not isinstance(wrapper, dict):
            raise _Malformed(f"{wrapper_key!r} is missing or not an object")
        return parser(wrapper)
    except (_Malformed, UnicodeDecodeError, ValueError, TypeError, RecursionError) as exc:
        # json.JSONDecodeError is a ValueError. Never log the frame itself: it may be megabytes of audio.
        log.warning("dropping malformed agent message (type %s): %s", message_type, exc)
        return None


# --- building -------------------------------------------------------------------------------------------------------


def _dumps(message: Mapping[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def _without_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def conversation_initiation_client_data(
    prompt: str | None = None,
    first_message: str | None = None,
    language: str | None = None,
    voice_id: str | None = None,
    dynamic_variables: Mapping[str, str | int | float | bool] | None = None,
    text_only: bool = False,
    user_id: str | None = None,
    *,
    custom_llm_extra_body: Mapping[str, Any] | None = None,
) -> str:
    """The first client frame. Every override needs its flag enabled on the agent or the server closes the socket,
    so only fields given (not None) are sent; text_only is sent only when True for the same reason."""
    agent = _without_none({"first_message": first_message, "language": language})
    if prompt is not None:
        agent = {"prompt": {"prompt": prompt}, **agent}
    override: dict[str, Any] = {}
    if agent:
        override["agent"] = agent
    if voice_id is not None:
        override["tts"] = {"voice_id": voice_id}
    if text_only:
        # Under conversation, as the schema and JS do; the Python SDK's top-level placement is a bug.
        override["conversation"] = {"text_only": True}
    message: dict[str, Any] = {"type": "conversation_initiation_client_data"}
    if override:
        message["conversation_config_override"] = override
    # Always present, as the Python SDK sends it; an empty body needs no permission.
    message["custom_llm_extra_body"] = dict(custom_llm_extra_body or {})
    if dynamic_variables is not None:
        for name, value in dynamic_variables.items():
            if not isinstance(value, (str, int, float, bool)):
                raise TypeError(f"dynamic variable {name!r} must be a string, number or boolean, not {type(value)}")
        message["dynamic_variables"] = dict(dynamic_variables)
    if user_id is not None:
        message["user_id"] = user_id
    return _dumps(message)


def user_audio_chunk(pcm: bytes) -> str:
    """Mic audio, PCM16 LE mono at the negotiated input rate. No "type" here: the server keys on the field name."""
    return _dumps({"user_audio_chunk": base64.b64encode(pcm).decode("ascii")})


def pong(event_id: int) -> str:
    return _dumps({"type": "pong", "event_id": event_id})


def user_message(text: str, rich_content_id: str | None = None) -> str:
    return _dumps(_without_none({"type": "user_message", "text": text, "rich_content_id": rich_content_id}))


def contextual_update(text: str, context_id: str | None = None) -> str:
    return _dumps(_without_none({"type": "contextual_update", "text": text, "context_id": context_id}))


def user_activity() -> str:
    return _dumps({"type": "user_activity"})


def client_tool_result(tool_call_id: str, result: Any, is_error: bool = False) -> str:
    """`result` travels as a string; anything else is JSON-encoded first, as the JS client does."""
    text = result if isinstance(result, str) else json.dumps(result, ensure_ascii=False)
    return _dumps({"type": "client_tool_result", "tool_call_id": tool_call_id, "result": text, "is_error": is_error})


def feedback(score: FeedbackScore | None, event_id: int) -> str:
    """Rate the agent turn `event_id`; a None score clears an earlier rating."""
    if score not in ("like", "dislike", None):
        raise ValueError(f"feedback score must be 'like', 'dislike' or None, not {score!r}")
    return _dumps({"type": "feedback", "score": score, "event_id": event_id})


def multimodal_message(text: str, file_id: str) -> str:
    return _dumps(
        {
            "type": "multimodal_message",
            "text": {"type": "user_message", "text": text},
            "file": {"type": "file_input", "file_id": file_id},
        }
    )


def mcp_tool_approval_result(tool_call_id: str, is_approved: bool) -> str:
    return _dumps({"type": "mcp_tool_approval_result", "tool_call_id": tool_call_id, "is_approved": is_approved})

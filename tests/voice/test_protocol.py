"""The agent protocol module against the shapes in the ElevenLabs agents protocol reference (sections 3, 4 and 8)."""

from __future__ import annotations

import base64
import json
import logging

import pytest

from desktop.voice.agent import protocol as p
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
    GuardrailTriggered,
    InternalTentativeAgentResponse,
    InternalTurnProbability,
    Interruption,
    McpConnectionStatus,
    McpToolCall,
    Ping,
    RichContent,
    ServerError,
    TentativeUserTranscript,
    UnknownMessage,
    UserTranscript,
    VadScore,
)

SILENCE = bytes(8)  # "AAAAAAAAAAA=" in the reference

# --- builders -------------------------------------------------------------------------------------------------------


def test_initiation_matches_the_reference_fake_server_frame() -> None:
    frame = p.conversation_initiation_client_data(
        prompt="...", first_message="...", language="en", voice_id="...", dynamic_variables={"prospect_name": "Dana"}
    )
    assert json.loads(frame) == {
        "type": "conversation_initiation_client_data",
        "conversation_config_override": {
            "agent": {"prompt": {"prompt": "..."}, "first_message": "...", "language": "en"},
            "tts": {"voice_id": "..."},
        },
        "custom_llm_extra_body": {},
        "dynamic_variables": {"prospect_name": "Dana"},
    }


def test_initiation_with_everything_nests_text_only_and_user_id_as_the_reference_says() -> None:
    variables = {"prospect_name": "Dana", "deal_size": 50000, "is_renewal": False, "ratio": 0.5}
    frame = json.loads(
        p.conversation_initiation_client_data(
            "You are a skeptical CFO",
            "Hi, this is Dana.",
            "en",
            "21m00Tcm4TlvDq8ikWAM",
            variables,
            text_only=True,
            user_id="trainee-42",
            custom_llm_extra_body={"temperature": 0.7},
        )
    )
    assert frame == {
        "type": "conversation_initiation_client_data",
        "conversation_config_override": {
            "agent": {
                "prompt": {"prompt": "You are a skeptical CFO"},
                "first_message": "Hi, this is Dana.",
                "language": "en",
            },
            "tts": {"voice_id": "21m00Tcm4TlvDq8ikWAM"},
            "conversation": {"text_only": True},
        },
        "custom_llm_extra_body": {"temperature": 0.7},
        "dynamic_variables": variables,
        "user_id": "trainee-42",
    }


def test_initiation_omits_every_override_not_given() -> None:
    assert json.loads(p.conversation_initiation_client_data()) == {
        "type": "conversation_initiation_client_data",
        "custom_llm_extra_body": {},
    }
    # Only the given agent field; no tts, and text_only=False is never sent (it needs its own permission flag).
    frame = json.loads(p.conversation_initiation_client_data(first_message="", text_only=False))
    assert frame["conversation_config_override"] == {"agent": {"first_message": ""}}
    frame = json.loads(p.conversation_initiation_client_data(voice_id="v1"))
    assert frame["conversation_config_override"] == {"tts": {"voice_id": "v1"}}


def test_initiation_rejects_dynamic_variables_the_server_cannot_take() -> None:
    with pytest.raises(TypeError, match="deal"):
        p.conversation_initiation_client_data(dynamic_variables={"deal": {"size": 1}})


def test_user_audio_chunk_is_base64_pcm_with_no_type() -> None:
    pcm = bytes(range(256)) * 4
    frame = json.loads(p.user_audio_chunk(pcm))
    assert list(frame) == ["user_audio_chunk"]
    assert base64.b64decode(frame["user_audio_chunk"]) == pcm


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (p.pong(2), {"type": "pong", "event_id": 2}),
        (p.user_message("Can we move to pricing?"), {"type": "user_message", "text": "Can we move to pricing?"}),
        (
            p.user_message("see this", rich_content_id="rc1"),
            {"type": "user_message", "text": "see this", "rich_content_id": "rc1"},
        ),
        (
            p.contextual_update("Trainee switched to scenario: price objection"),
            {"type": "contextual_update", "text": "Trainee switched to scenario: price objection"},
        ),
        (
            p.contextual_update("card open", context_id="card"),
            {"type": "contextual_update", "text": "card open", "context_id": "card"},
        ),
        (p.user_activity(), {"type": "user_activity"}),
        (
            p.client_tool_result("tool_call_123", "hint shown"),
            {"type": "client_tool_result", "tool_call_id": "tool_call_123", "result": "hint shown", "is_error": False},
        ),
        (
            p.client_tool_result("t2", {"shown": True}, is_error=True),
            {"type": "client_tool_result", "tool_call_id": "t2", "result": '{"shown": true}', "is_error": True},
        ),
        (p.feedback("like", 4), {"type": "feedback", "score": "like", "event_id": 4}),
        (p.feedback(None, 4), {"type": "feedback", "score": None, "event_id": 4}),
        (
            p.multimodal_message("what is this?", "file_1"),
            {
                "type": "multimodal_message",
                "text": {"type": "user_message", "text": "what is this?"},
                "file": {"type": "file_input", "file_id": "file_1"},
            },
        ),
        (
            p.mcp_tool_approval_result("call_9", True),
            {"type": "mcp_tool_approval_result", "tool_call_id": "call_9", "is_approved": True},
        ),
    ],
)
def test_client_builders_match_the_reference(frame: str, expected: dict) -> None:
    assert json.loads(frame) == expected


def test_feedback_rejects_an_unknown_score() -> None:
    with pytest.raises(ValueError, match="like"):
        p.feedback("love", 1)  # type: ignore[arg-type]


# --- audio formats --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 24000, 44100, 48000])
def test_every_pcm_format_has_its_rate(rate: int) -> None:
    assert p.audio_format_rate(f"pcm_{rate}") == rate


@pytest.mark.parametrize(
    ("fmt", "message"),
    [("ulaw_8000", "mu-law"), ("pcm_12345", "unsupported"), ("mp3_44100", "unsupported"), ("", "unsupported")],
)
def test_formats_the_app_cannot_play_raise_a_clear_error(fmt: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        p.audio_format_rate(fmt)


# --- parsing --------------------------------------------------------------------------------------------------------


def _frame(message_type: str, wrapper_key: str | None = None, **fields: object) -> str:
    frame: dict[str, object] = {"type": message_type}
    if wrapper_key is not None:
        frame[wrapper_key] = fields
    return json.dumps(frame)


PARSE_CASES = [
    (
        '{"type":"conversation_initiation_metadata","conversation_initiation_metadata_event":{"conversation_id":'
        '"conv_test_001","agent_output_audio_format":"pcm_44100","user_input_audio_format":"pcm_16000"}}',
        ConversationInitiationMetadata("conv_test_001", "pcm_44100", "pcm_16000", 44100, 16000),
    ),
    ('{"type":"ping","ping_event":{"event_id":1,"ping_ms":null}}', Ping(1, None)),
    ('{"type":"ping","ping_event":{"event_id":2,"ping_ms":87}}', Ping(2, 87)),
    ('{"type":"ping","ping_event":{"event_id":3}}', Ping(3, None)),
    ('{"type":"ping","ping_event":{"event_id":"4"}}', Ping(4, None)),  # the Python SDK's tests use string ids
    (
        '{"type":"agent_response","agent_response_event":{"agent_response":"Hi, this is Dana.","event_id":1}}',
        AgentResponse("Hi, this is Dana.", 1),
    ),
    ('{"type":"audio","audio_event":{"audio_base_64":"AAAAAAAAAAA=","event_id":1}}', AudioChunk(SILENCE, 1)),
    (
        '{"type":"audio","audio_event":{"audio_base_64":"AAAAAAAAAAA=","event_id":1,"alignment":{"chars":["H","i"],'
        '"char_start_times_ms":[0,60],"char_durations_ms":[60,80]}}}',
        AudioChunk(SILENCE, 1, Alignment(("H", "i"), (0.0, 60.0), (60.0, 80.0))),
    ),
    ('{"type":"vad_score","vad_score_event":{"vad_score":0.93}}', VadScore(0.93)),
    (
        '{"type":"tentative_user_transcript","tentative_user_transcription_event":{"user_transcript":"I wanted to",'
        '"event_id":2}}',
        TentativeUserTranscript("I wanted to", 2),
    ),
    (
        '{"type":"user_transcript","user_transcription_event":{"user_transcript":"We do it in two weeks.",'
        '"event_id":4}}',
        UserTranscript("We do it in two weeks.", 4),
    ),
    (
        '{"type":"internal_tentative_agent_response","tentative_agent_response_internal_event":'
        '{"tentative_agent_response":"Onboarding is"}}',
        InternalTentativeAgentResponse("Onboarding is"),
    ),
    ('{"type":"interruption","interruption_event":{"event_id":4}}', Interruption(4)),
    (
        '{"type":"agent_response_correction","agent_response_correction_event":{"original_agent_response":'
        '"Onboarding is our biggest concern, honestly.",'
        '"corrected_agent_response":"Onboarding is our biggest concern,",'
        '"event_id":3}}',
        AgentResponseCorrection(
            "Onboarding is our biggest concern, honestly.", "Onboarding is our biggest concern,", event_id=3
        ),
    ),
    (
        '{"type":"client_tool_call","client_tool_call":{"tool_name":"show_hint","tool_call_id":"tool_call_123",'
        '"parameters":{"hint":"Ask about timeline"},"event_id":5}}',
        ClientToolCall("show_hint", "tool_call_123", {"hint": "Ask about timeline"}, 5),
    ),
    (
        '{"type":"agent_chat_response_part","text_response_part":{"text":"","type":"start","event_id":6}}',
        AgentChatResponsePart("", "start", 6),
    ),
    (
        '{"type":"agent_chat_response_part","text_response_part":{"text":"Hello","type":"delta","event_id":6}}',
        AgentChatResponsePart("Hello", "delta", 6),
    ),
    (
        '{"type":"agent_tool_response","agent_tool_response":{"tool_name":"end_call","tool_call_id":"end_call_abc",'
        '"tool_type":"system","is_error":false,"is_called":true,"event_id":7}}',
        AgentToolResponse("end_call", "end_call_abc", "system", False, True, 7),
    ),
    (
        '{"type":"error","error_event":{"code":1008,"message":"Override for field first_message is not allowed by '
        'config.","error_type":"override_error","reason":"override_error"}}',
        ServerError(
            1008, "Override for field first_message is not allowed by config.", "override_error", "override_error"
        ),
    ),
    (
        '{"type":"error","error_event":{"code":1000,"message":"Max call duration exceeded",'
        '"error_type":"max_duration_exceeded"}}',
        ServerError(1000, "Max call duration exceeded", "max_duration_exceeded"),
    ),
    ('{"type":"some_future_event","some_future_event":{}}', UnknownMessage("some_future_event")),
    (
        _frame("agent_reasoning_response_part", "reasoning_response_part", text="hm", type="delta", event_id="r1"),
        AgentReasoningResponsePart("hm", "delta", "r1"),
    ),
    (
        _frame("internal_turn_probability", "turn_probability_internal_event", turn_probability=0.4),
        InternalTurnProbability(0.4),
    ),
    (
        _frame(
            "agent_tool_request", "agent_tool_request", tool_name="t", tool_call_id="c", tool_type="client", event_id=8
        ),
        AgentToolRequest("t", "c", "client", 8),
    ),
    (
        _frame(
            "agent_tool_response_full_payload",
            "agent_tool_response_full_payload",
            tool_name="lookup",
            tool_call_id="c2",
            tool_type="webhook",
            is_error=False,
            is_called=True,
            event_id=9,
            full_tool_result="{}",
            truncated=False,
            is_blocked=True,
        ),
        AgentToolResponseFullPayload("lookup", "c2", "webhook", False, True, 9, "{}", False, True),
    ),
    (
        _frame(
            "context_usage", "context_usage_event", event_id=9, model="m", context_tokens=10, context_limit_tokens=99
        ),
        ContextUsage(9, "m", 10, 99),
    ),
    (_frame("asr_initiation_metadata", "asr_initiation_metadata_event", x=1), AsrInitiationMetadata({"x": 1})),
    (
        _frame(
            "mcp_tool_call",
            "mcp_tool_call",
            service_id="s",
            tool_call_id="c3",
            tool_name="n",
            parameters={},
            timestamp=1,
            state="loading",
        ),
        McpToolCall(
            "s",
            "c3",
            "n",
            "loading",
            {},
            {
                "service_id": "s",
                "tool_call_id": "c3",
                "tool_name": "n",
                "parameters": {},
                "timestamp": 1,
                "state": "loading",
            },
        ),
    ),
    (
        _frame("mcp_connection_status", "mcp_connection_status", integrations=[{"id": 1}]),
        McpConnectionStatus(({"id": 1},)),
    ),
    (
        _frame("rich_content", "rich_content", rich_content_id="rc", component="card", props={"a": 1}, event_id=3),
        RichContent("rc", "card", {"a": 1}, 3),
    ),
    ('{"type":"guardrail_triggered"}', GuardrailTriggered()),
    (_frame("agent_typing", "agent_typing_event", is_typing=True, duration_ms=1500), AgentTyping(True, 1500)),
    (_frame("agent_typing", "agent_typing_event", is_typing=False), AgentTyping(False, None)),
    ('{"type":"external_agent_connected"}', ExternalAgentConnected()),
    (_frame("external_agent_disconnected", "external_agent_disconnected_event"), ExternalAgentDisconnected()),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_CASES)
def test_parses_every_server_message(text: str, expected: object) -> None:
    assert p.parse_server_message(text) == expected
    assert p.parse_server_message(text.encode("utf-8")) == expected


def test_every_known_type_has_a_parse_case() -> None:
    parsed_types = {json.loads(text)["type"] for text, _ in PARSE_CASES}
    assert p.SERVER_MESSAGE_TYPES <= parsed_types


def test_metadata_with_an_unplayable_format_still_parses_and_defaults_the_input_format() -> None:
    text = _frame(
        "conversation_initiation_metadata",
        "conversation_initiation_metadata_event",
        conversation_id="c",
        agent_output_audio_format="ulaw_8000",
    )
    assert p.parse_server_message(text) == ConversationInitiationMetadata("c", "ulaw_8000", "pcm_16000", None, 16000)


def test_message_helpers() -> None:
    assert AgentToolResponse("end_call", "x", "system", False, True, 1).ends_call
    assert not AgentToolResponse("show_hint", "x", "client", False, True, 1).ends_call
    assert ServerError(1000).is_normal_end and not ServerError(1008).is_normal_end


MALFORMED = [
    pytest.param(b"\xff\xfe{not utf-8", id="bytes-not-utf8"),
    pytest.param("{not json", id="bad-json"),
    pytest.param("", id="empty"),
    pytest.param('[{"type":"ping"}]', id="json-array"),
    pytest.param('"ping"', id="json-string"),
    pytest.param('{"ping_event":{"event_id":1}}', id="no-type"),
    pytest.param('{"type":7}', id="type-not-string"),
    pytest.param('{"type":"ping"}', id="missing-wrapper"),
    pytest.param('{"type":"ping","ping_event":[1]}', id="wrapper-not-object"),
    pytest.param('{"type":"ping","ping_event":{"ping_ms":5}}', id="ping-missing-event-id"),
    pytest.param('{"type":"interruption","interruption_event":{}}', id="interruption-missing-event-id"),
    pytest.param('{"type":"interruption","interruption_event":{"event_id":true}}', id="event-id-bool"),
    pytest.param('{"type":"interruption","interruption_event":{"event_id":"four"}}', id="event-id-word"),
    pytest.param('{"type":"audio","audio_event":{"audio_base_64":"not base64!!","event_id":1}}', id="bad-base64"),
    pytest.param('{"type":"audio","audio_event":{"audio_base_64":"AAA","event_id":1}}', id="bad-base64-padding"),
    pytest.param('{"type":"audio","audio_event":{"audio_base_64":123,"event_id":1}}', id="audio-not-string"),
    pytest.param(
        '{"type":"audio","audio_event":{"audio_base_64":"AAAA","event_id":1,"alignment":{"chars":[1]}}}',
        id="bad-alignment",
    ),
    pytest.param('{"type":"user_transcript","user_transcription_event":{"event_id":1}}', id="missing-text"),
    pytest.param(
        '{"type":"agent_chat_response_part","text_response_part":{"text":"","type":"middle","event_id":1}}',
        id="bad-part-type",
    ),
    pytest.param(
        '{"type":"client_tool_call","client_tool_call":{"tool_name":"t","tool_call_id":"c",'
        '"parameters":"x","event_id":1}}',
        id="parameters-not-object",
    ),
    pytest.param('{"type":"error","error_event":{"message":"no code"}}', id="error-missing-code"),
    pytest.param('{"type":"vad_score","vad_score_event":{"vad_score":"high"}}', id="vad-not-number"),
    pytest.param("[" * 100_000 + "]" * 100_000, id="deeply-nested"),
]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_frames_are_logged_and_dropped(text: str | bytes, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="desktop.voice.agent.protocol"):
        assert p.parse_server_message(text) is None
    assert any("malformed" in record.getMessage() for record in caplog.records)


def test_unknown_types_are_logged_once_each(caplog: pytest.LogCaptureFixture) -> None:
    unknown_log = p.UnknownTypeLog()
    with caplog.at_level(logging.INFO, logger="desktop.voice.agent.protocol"):
        firsts = [unknown_log.note(t) for t in ("some_future_event", "some_future_event", "other", "some_future_event")]
    assert firsts == [True, False, True, False]
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert "some_future_event" in lines[0] and "other" in lines[1]


def test_unknown_type_log_uses_the_given_logger(caplog: pytest.LogCaptureFixture) -> None:
    unknown_log = p.UnknownTypeLog(logging.getLogger("desktop.voice.call.engine"))
    with caplog.at_level(logging.INFO, logger="desktop.voice.call.engine"):
        unknown_log.note("x")
    assert [r.name for r in caplog.records] == ["desktop.voice.call.engine"]

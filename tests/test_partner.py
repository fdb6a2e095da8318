"""The embedded practice partner over real sockets, with the app's own AgentConnection (or a raw client) as caller."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import httpx2 as httpx
import numpy as np
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from desktop.core.difficulty import Difficulty
from desktop.core.grading import grade_call
from desktop.core.personas import load_builtin_personas
from desktop.core.prompts import AgentConfig, build_agent_config
from desktop.core.scenarios import load_scenarios
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.voice.connection import AgentConnection, ConnectionConfig, ConnectionEnd, EndKind
from desktop.voice.partner import PracticePartner
from desktop.voice.partner_call import SPOKEN_TURN_PLACEHOLDER, PartnerOptions
from desktop.voice.partner_llm import SellerModelConfig, clean_reply, trim_history
from desktop.voice.partner_turns import TurnDetector
from desktop.voice.protocol_messages import (
    AgentResponse,
    AgentToolResponse,
    AudioChunk,
    ConversationInitiationMetadata,
    Interruption,
    UserTranscript,
)
from tests.fake_openai_server import FakeOpenAIServer, http_error, raw, reply, stall

pytestmark = pytest.mark.timeout(60)

WAIT = 10.0
RATE = 16000
PERSONAS = {p.id: p for p in load_builtin_personas()}
SCENARIOS = {s.id: s for s in load_scenarios()}
DALE = PERSONAS["dale-pruitt-coal-county"]
COLD = SCENARIOS["cold-call-first-contact"]
FAST = PartnerOptions(reply_delay=0, ping_interval=30)
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

    def start(self, url: str, config: AgentConfig, *, api_key: str = "", text_only: bool = True) -> Caller:
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


@pytest.fixture
def partner() -> Iterator[PracticePartner]:
    server = PracticePartner(options=FAST, seed=11, api_key="good-key", model=None)
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


# --- full calls -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", list(Difficulty))
def test_a_full_typed_call_at_each_difficulty_is_persona_true_and_gradable(
    partner: PracticePartner, callers: list[Caller], level: Difficulty
) -> None:
    config = config_for(level)
    caller = new_caller(callers).start(partner.http_url, config, api_key="good-key")
    assert caller.wait_responses(1)[0] == config.first_message
    answered = 0
    for line in GOOD_CALL:
        if caller.say(line) is None:
            break
        answered += 1
        if caller.ends:
            break
    end = caller.wait_end()  # the script ends with a goodbye, so the seller hangs up
    replies = caller.responses()
    assert len(replies) == answered + 1 and len(set(replies)) == len(replies)
    spoken = " ".join(replies)
    assert "38 acres" in spoken and "$95,000" in spoken  # Dale's own land and asking price
    assert end.kind is EndKind.AGENT_ENDED and caller.of(AgentToolResponse)[0].ends_call
    assert partner.wait_for(lambda calls: calls[-1].ended)
    record = partner.conversations()[-1]
    assert (record.persona_id, record.scenario_id, record.difficulty) == (DALE.id, COLD.id, level.value)
    assert record.end_reason == "end_call:goodbye"
    lines = [
        TranscriptLine(seq, Speaker.SELLER if who == "seller" else Speaker.TRAINEE, text)
        for seq, (who, text) in enumerate(record.lines)
    ]
    grade = grade_call(lines, objection_patterns=DALE.objection_patterns, difficulty=level, seller_name=DALE.name)
    assert grade.closing >= 50 and 0 < grade.overall <= 100


def test_pressure_gets_the_caller_hung_up_on_with_end_call_and_close_1000(
    partner: PracticePartner, callers: list[Caller]
) -> None:
    caller = new_caller(callers).start(partner.http_url, config_for(Difficulty.NIGHTMARE))
    caller.wait_responses(1)
    for _ in range(5):
        if caller.say("Look, I'll give you $20,000. Take it or leave it, you need to decide today.") is None:
            break
        if caller.ends:
            break
    end = caller.wait_end()
    assert (end.kind, end.code) == (EndKind.AGENT_ENDED, 1000)
    assert caller.of(AgentToolResponse) and caller.of(AgentToolResponse)[0].tool_name == "end_call"
    assert partner.wait_for(lambda calls: calls[-1].end_reason == "end_call:patience")


def test_a_drill_ends_by_itself_after_its_exchanges(partner: PracticePartner, callers: list[Caller]) -> None:
    drill = SCENARIOS["objection-drill"]
    caller = new_caller(callers).start(partner.http_url, config_for(Difficulty.PRO, scenario=drill))
    caller.wait_responses(1)
    for n in range(drill.max_exchanges or 0):
        assert caller.say(f"I understand, that's fair. What would make it work for you? ({n})") is not None
    assert caller.wait_end().kind is EndKind.AGENT_ENDED
    assert len(caller.responses()) == (drill.max_exchanges or 0) + 1
    assert partner.wait_for(lambda calls: calls[-1].end_reason == "end_call:drill_done")


def test_placeholders_in_the_first_message_are_filled_from_dynamic_variables(
    partner: PracticePartner, callers: list[Caller]
) -> None:
    config = config_for(Difficulty.ROOKIE)
    templated = AgentConfig(
        config.system_prompt, "Hi, {{persona_first_name}} here. {{unknown}}", config.dynamic_variables
    )
    caller = new_caller(callers).start(partner.http_url, templated)
    assert caller.wait_responses(1)[0] == "Hi, Dale here. {{unknown}}"


def test_many_calls_in_a_row_and_at_once_on_one_partner(partner: PracticePartner, callers: list[Caller]) -> None:
    ids = []
    for _ in range(3):
        caller = new_caller(callers).start(partner.http_url, config_for(Difficulty.ROOKIE))
        caller.wait_responses(1)
        assert caller.say("Hi Dale, I'm Sam. How big is the property?")
        caller.conn.close()
        assert caller.wait_end().kind is EndKind.USER_CLOSED
        ids.append(caller.of(ConversationInitiationMetadata)[0].conversation_id)
    together = [new_caller(callers).start(partner.http_url, config_for(level)) for level in Difficulty]
    for caller in together:
        caller.wait_responses(1)
    for caller in together:
        caller.conn.send_text("Hi Dale, this is Sam. Is there road access?")
    for caller in together:
        assert "road" in caller.wait_responses(2)[1].lower()
        ids.append(caller.of(ConversationInitiationMetadata)[0].conversation_id)
    assert len(set(ids)) == 8
    assert partner.wait_for(lambda calls: sum(c.ended for c in calls) >= 3)
    assert {c.difficulty for c in partner.conversations()[3:]} == {level.value for level in Difficulty}


# --- authentication -------------------------------------------------------------------------------------------------


def test_the_signed_url_path_works_with_the_right_key(partner: PracticePartner, callers: list[Caller]) -> None:
    caller = new_caller(callers).start(partner.http_url, config_for(Difficulty.PRO), api_key="good-key")
    assert caller.wait_responses(1)
    assert caller.conn.url is not None and "conversation_signature=" in caller.conn.url


def test_a_wrong_key_is_refused_with_401(partner: PracticePartner, callers: list[Caller]) -> None:
    caller = new_caller(callers).start(partner.http_url, config_for(Difficulty.PRO), api_key="bad-key")
    end = caller.wait_end()
    assert (end.kind, end.code) == (EndKind.CONNECT_FAILED, 401)
    response = httpx.get(partner.http_url + "/v1/convai/conversation/get-signed-url", params={"agent_id": "a"})
    assert response.status_code == 401


def test_without_a_configured_key_any_caller_gets_a_signed_url() -> None:
    with PracticePartner(options=FAST, model=None) as open_partner:
        response = httpx.get(open_partner.http_url + "/v1/convai/conversation/get-signed-url", params={"agent_id": "a"})
        assert response.status_code == 200
        assert response.json()["signed_url"].startswith(open_partner.ws_url + "/v1/convai/conversation?agent_id=a&")


def test_a_forged_signature_is_refused(partner: PracticePartner) -> None:
    url = f"{partner.ws_url}/v1/convai/conversation?agent_id=a&conversation_signature=forged"
    with pytest.raises(InvalidStatus) as refused:
        connect(url, open_timeout=WAIT)
    assert refused.value.response.status_code == 403


# --- protocol details -----------------------------------------------------------------------------------------------


def test_pings_go_out_and_pongs_come_back(callers: list[Caller]) -> None:
    with PracticePartner(options=PartnerOptions(reply_delay=0, ping_interval=0.05), model=None) as pinging:
        caller = new_caller(callers).start(pinging.http_url, config_for(Difficulty.ROOKIE))
        caller.wait_responses(1)
        assert pinging.wait_for(lambda calls: calls and calls[0].pongs >= 3)
        record = pinging.conversations()[0]
        assert record.pings >= record.pongs >= 3


def test_a_client_that_never_answers_pings_is_dropped_with_1002() -> None:
    options = PartnerOptions(reply_delay=0, ping_interval=0.05, max_missed_pongs=2)
    with PracticePartner(options=options, model=None) as pinging:
        with connect(f"{pinging.ws_url}/v1/convai/conversation?agent_id=a") as ws:
            ws.send(init_frame(config_for(Difficulty.ROOKIE)))
            kinds = []
            with pytest.raises(ConnectionClosed):
                while True:
                    kinds.append(json.loads(ws.recv(timeout=WAIT))["type"])
            assert ws.close_code == 1002 and "error" in kinds and "ping" in kinds
        assert pinging.wait_for(lambda calls: calls[0].end_reason == "ping_timeout")


def test_unknown_and_malformed_frames_are_ignored(partner: PracticePartner) -> None:
    with connect(f"{partner.ws_url}/v1/convai/conversation?agent_id=a") as ws:
        ws.send(init_frame(config_for(Difficulty.BEGINNER)))
        assert received(ws, "conversation_initiation_metadata")
        received(ws, "agent_response")
        for junk in ("not json", "[1, 2]", '{"type": "from_the_future"}', '{"user_audio_chunk": "***"}'):
            ws.send(junk)
        ws.send('{"type": "user_message", "text": "  "}')
        ws.send('{"type": "contextual_update", "text": "Trainee opened the hints"}')
        ws.send('{"type": "user_activity"}')
        ws.send('{"type": "user_message", "text": "Hi Dale, I am Sam. How many acres is it?"}')
        answer = received(ws, "agent_response")["agent_response_event"]["agent_response"]
        assert "38 acres" in answer
    assert partner.wait_for(lambda calls: calls[-1].ended)
    assert partner.conversations()[-1].ignored_frames == 5


def test_a_missing_initiation_frame_still_starts_a_call(partner: PracticePartner) -> None:
    with connect(f"{partner.ws_url}/v1/convai/conversation?agent_id=a") as ws:
        ws.send('{"type": "user_message", "text": "Hello? Who am I speaking with?"}')
        assert received(ws, "conversation_initiation_metadata")
        greeting = received(ws, "agent_response")
        answer = received(ws, "agent_response")
        assert answer["agent_response_event"]["event_id"] > greeting["agent_response_event"]["event_id"]


def test_a_client_that_never_sends_the_initiation_frame_is_closed_with_1008() -> None:
    options = PartnerOptions(reply_delay=0, ping_interval=30, first_frame_timeout=0.05)
    with PracticePartner(options=options, model=None) as waiting:
        with connect(f"{waiting.ws_url}/v1/convai/conversation?agent_id=a") as ws:
            error = received(ws, "error")
            with pytest.raises(ConnectionClosed):
                ws.recv(timeout=WAIT)
        assert error["error_event"]["error_type"] == "missing_fields" and ws.close_code == 1008


def test_typed_turns_are_not_echoed_as_user_transcripts(partner: PracticePartner, callers: list[Caller]) -> None:
    caller = new_caller(callers).start(partner.http_url, config_for(Difficulty.ROOKIE))
    caller.wait_responses(1)
    caller.say("Hi Dale, I'm Sam. How big is it?")
    assert caller.of(UserTranscript) == []


def test_stop_ends_open_calls_and_joins(callers: list[Caller]) -> None:
    stopping = PracticePartner(options=FAST, model=None)
    stopping.start()
    caller = new_caller(callers).start(stopping.http_url, config_for(Difficulty.ROOKIE))
    caller.wait_responses(1)
    assert stopping.stop(timeout=2.0) and not stopping.is_running
    end = caller.wait_end()
    assert end.kind is EndKind.SERVER_ERROR and end.code == 1001


# --- spoken turns -----------------------------------------------------------------------------------------------


def test_speech_then_silence_is_one_turn_and_gets_an_answer(partner: PracticePartner, callers: list[Caller]) -> None:
    caller = new_caller(callers).start(partner.http_url, config_for(Difficulty.ROOKIE), text_only=False)
    caller.wait_responses(1)
    # A click is not a turn; the speech after it is.
    for chunk in chunks(speech(60, 0.8) + silence(900) + speech(800) + silence(900)):
        caller.conn.send_audio(chunk)
    assert caller.wait(lambda: len(caller.of(UserTranscript)) == 1 and len(caller.responses()) >= 2)
    assert caller.of(UserTranscript)[0].text == SPOKEN_TURN_PLACEHOLDER
    for chunk in chunks(speech(500) + silence(800)):
        caller.conn.send_audio(chunk)
    assert caller.wait(lambda: len(caller.responses()) >= 3)
    assert len(caller.of(UserTranscript)) == 2
    assert partner.wait_for(lambda calls: calls[-1].spoken_turns == 2)


def test_the_turn_detector_ends_a_turn_after_700_ms_of_silence() -> None:
    detector = TurnDetector(RATE)
    audio = silence(500) + speech(800) + silence(680)
    pieces = [audio[i : i + 1234] for i in range(0, len(audio), 1234)]  # odd sizes, split mid-sample
    assert [t for piece in pieces for t in detector.feed(piece)] == []
    assert detector.in_speech
    (turn,) = detector.feed(silence(40))
    assert (turn.start_ms, turn.end_ms) == (500, 1300)
    assert detector.feed(speech(150) + silence(1000)) == []  # too short to be speech


def test_a_partner_with_a_voice_streams_audio_and_stops_it_on_barge_in(callers: list[Caller]) -> None:
    line_pcm = speech(3000, 0.1)
    voice = lambda text: line_pcm  # noqa: E731 - a stand-in synthesizer: every line is 3 s of sound
    with PracticePartner(options=FAST, model=None, speech=voice) as speaking:
        caller = new_caller(callers).start(speaking.http_url, config_for(Difficulty.ROOKIE), text_only=False)
        caller.wait_responses(1)
        assert caller.wait(lambda: bool(caller.of(AudioChunk)))
        greeting = caller.of(AgentResponse)[0]
        for chunk in chunks(speech(600) + silence(800)):
            caller.conn.send_audio(chunk)
        assert caller.wait(lambda: bool(caller.of(Interruption)) and len(caller.responses()) >= 2)
        interruption = caller.of(Interruption)[0]
        assert interruption.event_id > greeting.event_id
        assert caller.of(UserTranscript)[0].event_id == interruption.event_id
        greeting_audio = b"".join(a.pcm for a in caller.of(AudioChunk) if a.event_id == greeting.event_id)
        assert 0 < len(greeting_audio) < len(line_pcm) and line_pcm.startswith(greeting_audio)


def test_a_text_only_call_gets_no_audio_even_from_a_partner_with_a_voice(callers: list[Caller]) -> None:
    with PracticePartner(options=FAST, model=None, speech=lambda text: speech(500)) as speaking:
        caller = new_caller(callers).start(speaking.http_url, config_for(Difficulty.ROOKIE), text_only=True)
        caller.wait_responses(1)
        assert caller.say("Hi Dale, I'm Sam. How big is it?")
    assert caller.of(AudioChunk) == []


# --- a model-played seller ------------------------------------------------------------------------------------------


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


def model_partner(server: FakeOpenAIServer, **kw) -> PracticePartner:
    model = SellerModelConfig(api_key="test-key", base_url=server.base_url, model="fake-model", **kw)
    return PracticePartner(options=FAST, model=model, seed=3)


def test_the_model_plays_the_seller_with_the_clients_prompt_and_one_history(
    fake_openai: FakeOpenAIServer, callers: list[Caller]
) -> None:
    fake_openai.reply_with(lambda messages: f"*sighs* Reply number {len(messages)}.")
    config = config_for(Difficulty.PRO)
    with model_partner(fake_openai) as llm_partner:
        caller = new_caller(callers).start(llm_partner.http_url, config)
        assert caller.wait_responses(1)[0] == config.first_message
        first = caller.say("Hi Dale, this is Sam.")
        second = caller.say("How big is the property?")
    assert (first, second) == ("Reply number 3.", "Reply number 5.")  # stage directions are not spoken
    last = fake_openai.requests[-1]
    assert last["model"] == "fake-model"
    assert last["messages"][0] == {"role": "system", "content": config.system_prompt}
    assert [m["role"] for m in last["messages"][1:]] == ["assistant", "user", "assistant", "user"]
    assert last["messages"][1]["content"] == config.first_message and last["messages"][-1]["content"].startswith("How")


def test_a_model_error_is_answered_by_rule_for_that_turn(fake_openai: FakeOpenAIServer, callers: list[Caller]) -> None:
    fake_openai.script([http_error(500), stall(), reply("Back to the model.")])
    with model_partner(fake_openai, timeout=0.5) as llm_partner:
        caller = new_caller(callers).start(llm_partner.http_url, config_for(Difficulty.BEGINNER))
        caller.wait_responses(1)
        by_rule = caller.say("Hi Dale, I'm Sam. How many acres is it?")
        after_timeout = caller.say("And is there power out there?")
        by_model = caller.say("What has you thinking about selling?")
        fake_openai.release_stalls()
        caller.conn.close()
        assert llm_partner.wait_for(lambda calls: calls[-1].ended)
        record = llm_partner.conversations()[-1]
    assert by_rule is not None and "38 acres" in by_rule
    assert after_timeout is not None and "power" in after_timeout.lower()
    assert by_model == "Back to the model."
    assert record.fallbacks == 2 and record.played_by == "fake-model"


def test_the_model_can_hang_up_with_the_end_call_tool(fake_openai: FakeOpenAIServer, callers: list[Caller]) -> None:
    message = {
        "role": "assistant",
        "content": "I'm done here. Goodbye.",
        "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "end_call", "arguments": "{}"}}],
    }
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "fake-model",
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}],
    }
    fake_openai.script([raw(200, json.dumps(body))])
    with model_partner(fake_openai) as llm_partner:
        caller = new_caller(callers).start(llm_partner.http_url, config_for(Difficulty.PRO))
        caller.wait_responses(1)
        caller.conn.send_text("Take it or leave it.")
        end = caller.wait_end()
    assert caller.responses()[-1] == "I'm done here. Goodbye." and end.kind is EndKind.AGENT_ENDED
    assert fake_openai.requests[0]["tools"][0]["function"]["name"] == "end_call"


def test_a_long_call_is_trimmed_to_the_models_context(fake_openai: FakeOpenAIServer, callers: list[Caller]) -> None:
    fake_openai.reply_with(lambda messages: "Mm-hm, go on. " * 10)
    with model_partner(fake_openai, max_context_tokens=400) as llm_partner:
        caller = new_caller(callers).start(llm_partner.http_url, config_for(Difficulty.ROOKIE))
        caller.wait_responses(1)
        for n in range(8):
            assert caller.say(f"Tell me more about the land, part {n}, " + "and the road " * 10)
    sizes = [len(r["messages"]) for r in fake_openai.requests]
    assert sizes[-1] < 2 + 2 * 8  # older turns were dropped...
    last = fake_openai.requests[-1]["messages"]
    assert last[0]["role"] == "system" and "part 7" in last[-1]["content"]  # ...never the prompt or the newest


def test_trim_history_keeps_the_prompt_and_the_newest_turns() -> None:
    system = {"role": "system", "content": "x" * 400}  # about 104 tokens
    history = [{"role": "user", "content": f"{i} " + "y" * 200} for i in range(10)]  # about 55 tokens each
    kept = trim_history(system, history, budget_tokens=300)
    assert kept[0] is system and kept[1:] == history[-3:]
    assert trim_history(system, history, budget_tokens=10) == [system, history[-1]]
    assert clean_reply('"**Well,** [pauses] I guess so."') == "Well, I guess so."


# --- roleplay partner -----------------------------------------------------------------------------------------------


def _partner_command(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "desktop", "partner", *args],
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A test runner may have started us with Ctrl-C ignored; the command must see it like a terminal user would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def test_roleplay_partner_serves_until_ctrl_c_and_exits_cleanly() -> None:
    process = _partner_command("--port", "0", "--api-key", "k")
    try:
        first = process.stdout.readline() if process.stdout else ""
        assert first.startswith("Practice partner listening on http://127.0.0.1:"), first
        url = first.split()[4]
        assert httpx.get(url + "/health").status_code == 200
        signed = httpx.get(url + "/v1/convai/conversation/get-signed-url", params={"agent_id": "a"})
        assert signed.status_code == 401
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Practice partner stopped." in out


def test_roleplay_partner_on_a_busy_port_says_so() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        process = _partner_command("--port", str(busy.getsockname()[1]))
        out, err = process.communicate(timeout=WAIT)
    assert process.returncode == 2
    assert "Could not start the practice partner on port" in err and "--port" in err


# --- who the partner plays ------------------------------------------------------------------------------------------


def test_a_users_own_persona_is_found_through_the_catalog(repo, queries, callers: list[Caller]) -> None:
    from desktop.store.catalog import PersonaCatalog

    catalog = PersonaCatalog(queries)
    mine = catalog.save_user_persona(
        repo,
        {
            "name": "Gloria Vance",
            "property_type": "12 acres of orchard",
            "location": "Yakima County, WA",
            "motivation_level": "high",
            "conversation_style": "friendly",
            "objection_patterns": ["send it in writing"],
            "asking_price": 150000,
            "facts": {"size": "12 acres of apple trees, about 400 of them"},
        },
    )
    with PracticePartner(catalog, options=FAST, model=None, seed=1) as local:
        caller = new_caller(callers).start(local.http_url, config_for(Difficulty.BEGINNER, persona=mine))
        caller.wait_responses(1)
        answer = caller.say("Hi Gloria, I'm Sam. How big is the orchard?")
        assert local.wait_for(lambda calls: calls[-1].persona_id == mine.id)
    assert answer is not None and "400 of them" in answer


def test_a_persona_the_partner_does_not_know_is_played_from_the_variables(
    partner: PracticePartner, callers: list[Caller]
) -> None:
    stranger = DALE.__class__.from_dict(
        {**DALE.to_dict(), "id": "team-only-persona", "name": "Hank Tollerson", "asking_price": 61000, "facts": {}}
    )
    caller = new_caller(callers).start(partner.http_url, config_for(Difficulty.BEGINNER, persona=stranger))
    assert caller.wait_responses(1)[0] == config_for(Difficulty.BEGINNER, persona=stranger).first_message
    answer = caller.say("Hi Hank, I'm Sam. What number do you have in mind for it?")
    assert answer is not None and "$61,000" in answer
    assert partner.wait_for(lambda calls: calls[-1].persona_id == "team-only-persona")

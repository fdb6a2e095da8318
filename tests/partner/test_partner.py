"""The embedded practice partner over real sockets, with the app's own AgentConnection (or a raw client) as caller:
whole calls at each difficulty, authentication and the protocol's details. Shared kit: tests/partner/partner_kit.py."""

from __future__ import annotations

import json

import httpx2 as httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from desktop.core.difficulty import Difficulty
from desktop.core.grading.rule_grader import grade_call
from desktop.core.prompts import AgentConfig
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.partner.record import PartnerOptions
from desktop.partner.server import PracticePartner
from desktop.voice.agent.connection_end import EndKind
from desktop.voice.agent.messages import (
    AgentToolResponse,
    ConversationInitiationMetadata,
    UserTranscript,
)
from tests.partner.partner_kit import (
    COLD,
    DALE,
    FAST,
    GOOD_CALL,
    SCENARIOS,
    WAIT,
    Caller,
    config_for,
    init_frame,
    new_caller,
    received,
    signed_ws_url,
)

pytestmark = pytest.mark.timeout(60)


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
    with connect(signed_ws_url(partner)) as ws:
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
    with connect(signed_ws_url(partner)) as ws:
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

"""Who may use the practice partner, and how much one client can make it hold (issue 14, item 10): with an API key
only signed conversations; no web page (Origin) and no other host name (DNS rebinding); a huge frame closes its own
socket without stalling other calls; a long typed turn is cut; a call keeps a bounded record."""

from __future__ import annotations

import json
import time

import httpx2 as httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from desktop.core.difficulty import Difficulty
from desktop.partner.frames import MAX_TYPED_CHARS
from desktop.partner.record import MAX_RECORD_LINES
from desktop.partner.server import PracticePartner
from tests.partner.partner_kit import WAIT, Caller, config_for, init_frame, new_caller, received, signed_ws_url

pytestmark = pytest.mark.timeout(60)


def test_with_an_api_key_an_unsigned_conversation_is_refused(partner: PracticePartner) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{partner.ws_url}/v1/convai/conversation?agent_id=a", open_timeout=WAIT)
    assert refused.value.response.status_code == 403
    with connect(signed_ws_url(partner), open_timeout=WAIT) as ws:  # the signed way still works
        ws.send(init_frame(config_for(Difficulty.ROOKIE)))
        assert received(ws, "conversation_initiation_metadata")


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1:8000"])
def test_a_web_page_cannot_open_a_conversation_or_get_a_signed_url(origin: str) -> None:
    with PracticePartner(model=None, hearing=False) as open_partner:
        with pytest.raises(InvalidStatus) as refused:
            connect(
                f"{open_partner.ws_url}/v1/convai/conversation?agent_id=a",
                origin=origin,  # type: ignore[arg-type]
                open_timeout=WAIT,
            )
        assert refused.value.response.status_code == 403
        signed = httpx.get(
            f"{open_partner.http_url}/v1/convai/conversation/get-signed-url",
            params={"agent_id": "a"},
            headers={"Origin": origin},
        )
        assert signed.status_code == 403
        assert httpx.get(f"{open_partner.http_url}/health").status_code == 200  # the app itself sends no Origin


def test_a_request_for_another_host_name_is_refused() -> None:
    """DNS rebinding: a page on evil.example that resolves to 127.0.0.1 sends Host: evil.example."""
    with PracticePartner(model=None, hearing=False) as open_partner:
        response = httpx.get(f"{open_partner.http_url}/health", headers={"Host": f"evil.example:{open_partner.port}"})
        assert response.status_code == 403
        assert httpx.get(f"{open_partner.http_url}/health", headers={"Host": "localhost"}).status_code == 200


def test_a_huge_frame_closes_only_its_own_socket_and_other_calls_go_on(
    partner: PracticePartner, callers: list[Caller]
) -> None:
    caller = new_caller(callers).start(partner.http_url, config_for(Difficulty.ROOKIE))
    caller.wait_responses(1)
    with connect(signed_ws_url(partner), open_timeout=WAIT, max_size=None) as hostile:
        hostile.send(init_frame(config_for(Difficulty.ROOKIE)))
        received(hostile, "conversation_initiation_metadata")
        started = time.monotonic()
        with pytest.raises(ConnectionClosed):
            for _ in range(6):
                hostile.send(json.dumps({"type": "user_message", "text": "x" * (15 * 1024 * 1024)}))
            hostile.recv(timeout=WAIT)
        assert hostile.close_code == 1009  # message too big, refused before it is read whole
    answer = caller.say("Hi Dale, I'm Sam. How many acres is it?")
    assert answer is not None and time.monotonic() - started < 2.0  # was 19.7 s: the loop never stalled


def test_a_long_typed_turn_is_cut_and_answered_quickly(partner: PracticePartner, callers: list[Caller]) -> None:
    caller = new_caller(callers).start(partner.http_url, config_for(Difficulty.ROOKIE))
    caller.wait_responses(1)
    long_turn = "How many acres is it? " + "really " * 30000  # ~210 KB, under the frame cap
    started = time.monotonic()
    assert caller.say(long_turn) is not None
    assert time.monotonic() - started < 2.0
    trainee = [text for speaker, text in partner.conversations()[-1].lines if speaker == "trainee"]
    assert len(trainee[0]) <= MAX_TYPED_CHARS


def test_what_a_partner_keeps_of_hostile_calls_is_bounded(partner: PracticePartner) -> None:
    """Eight calls of 200 KB typed turns (the report: memory grew from 47 to 333 MB and never came back)."""
    big = "How many acres is it? " + "x" * 200_000
    for _ in range(8):
        with connect(signed_ws_url(partner), open_timeout=WAIT) as ws:
            ws.send(init_frame(config_for(Difficulty.BEGINNER)))
            received(ws, "agent_response")
            for _ in range(10):
                ws.send(json.dumps({"type": "user_message", "text": big}))
                received(ws, "agent_response")
    assert partner.wait_for(lambda calls: len(calls) == 8 and all(call.ended for call in calls))
    kept = sum(len(text) for call in partner.conversations() for _, text in call.lines)
    assert kept <= 8 * 10 * (MAX_TYPED_CHARS + 500)  # what was sent: 16 MB
    assert all(len(call.lines) <= MAX_RECORD_LINES for call in partner.conversations())

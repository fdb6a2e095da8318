"""A key or token goes only to an https address, or to this computer (issue 14, item 8): the ElevenLabs key
(xi-api-key) and the OpenAI key (Bearer) are not sent over plain http to another machine. A real server listens on
this machine's non-loopback address and records what reaches it."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from desktop.core.difficulty import Difficulty
from desktop.grading.llm import INSECURE_URL, GraderConfig, ModelFirstGrader
from desktop.grading.queue import rule_based_grade
from desktop.partner.model_seller import LlmSeller, SellerModelConfig
from desktop.partner.seller.brain import SellerBrain
from desktop.secure_urls import plain_text_host
from desktop.ui.settings.connection_checks import ERROR, check_elevenlabs, check_openai
from desktop.voice.agent.endpoints import ConnectFailure, fetch_signed_url
from tests.grading.test_grading_queue import record_call
from tests.partner.test_seller_brain import COLD, DALE

KEY = "sk_" + "0123456789abcdef" * 3


def non_loopback_address() -> str | None:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


class Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, str]]

    def _answer(self) -> None:
        self.seen.append({k.lower(): v for k, v in self.headers.items()})
        body = b'{"signed_url": "ws://example.invalid/x"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def plain_http() -> Iterator[tuple[str, list[dict[str, str]]]]:
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address")
    seen: list[dict[str, str]] = []
    handler = type("Handler", (Recorder,), {"seen": seen})
    server = ThreadingHTTPServer((address, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{address}:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_the_elevenlabs_key_is_not_sent_over_plain_http(plain_http):
    url, seen = plain_http
    with pytest.raises(ConnectFailure) as failure:
        asyncio.run(fetch_signed_url(url, "agent_x", KEY, timeout=5))
    assert "https://" in failure.value.message and "not this computer" in failure.value.message
    assert seen == []  # nothing reached the server, so neither did the key


def test_the_openai_key_is_not_sent_over_plain_http(plain_http, repo, queries):
    url, seen = plain_http
    session_id = record_call(repo, "strong_call")
    grader = ModelFirstGrader(rule_based_grade, GraderConfig(api_key="sk-test-" + "x" * 20, base_url=url + "/v1"))
    try:
        outcome = grader(queries.get_session(session_id))
    finally:
        grader.close()
    assert outcome.fallback_reason == INSECURE_URL and "https://" in outcome.detail
    assert "not https" in outcome.grade.note
    assert seen == []


@pytest.mark.parametrize("with_agent", [False, True])
def test_settings_elevenlabs_check_does_not_send_the_key_over_plain_http(plain_http, with_agent: bool):
    url, seen = plain_http
    result = check_elevenlabs(url, "agent_x" if with_agent else "", KEY)
    assert result.kind == ERROR and "https://" in result.message and "not this computer" in result.message
    assert seen == []
    assert check_elevenlabs(url, "", "").kind != ERROR and seen  # with no key, reaching it is fine


def test_settings_openai_check_does_not_send_the_key_over_plain_http(plain_http):
    url, seen = plain_http
    result = check_openai(url + "/v1", "gpt-4o-mini", "sk-test-" + "x" * 20)
    assert result.kind == ERROR and "https://" in result.message and "not this computer" in result.message
    assert seen == []


def test_the_model_played_seller_does_not_send_the_key_over_plain_http(plain_http):
    url, seen = plain_http
    rules = SellerBrain(DALE, COLD, Difficulty.ROOKIE, trainee_name="Sam", seed=7)
    seller = LlmSeller(SellerModelConfig(api_key="sk-test-" + "x" * 20, base_url=url + "/v1"), "prompt", rules)
    seller.greeting()
    turn = asyncio.run(seller.reply("Hi, this is Sam calling about your land."))
    asyncio.run(seller.close())
    assert turn.text and seller.fallbacks == 1  # the rules played the turn
    assert seen == []


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://api.elevenlabs.example", "api.elevenlabs.example"),
        ("http://llm.example.com/v1", "llm.example.com"),
        ("ws://10.0.0.5:8080", "10.0.0.5"),
        ("https://api.elevenlabs.io", None),
        ("wss://api.elevenlabs.io", None),
        ("http://127.0.0.1:8000", None),
        ("http://[::1]:8000", None),
        ("http://localhost:11434/v1", None),
    ],
)
def test_the_rule(url: str, host: str | None):
    assert plain_text_host(url) == host

"""Hostile agents (issue 14, item 11): an agent that never opens the conversation, closes before it does, drips its
signed URL, answers with a huge error body, or sends huge lines cannot hold a call or fill the memory and the disk.

Real sockets throughout: the fake agent server for the WebSocket side, and a raw HTTP server on a local socket for
the signed-URL side, so the client meets exactly the bytes a hostile server would send.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from desktop.core.transcript import MAX_LINE_CHARS
from desktop.voice.agent.connection import AgentConnection, ConnectionConfig
from desktop.voice.agent.connection_end import EndKind
from desktop.voice.call.events import CallEnded, Connected, EndReason, LineFinalized
from tests.fake_agent_server import FakeAgentServer
from tests.voice.test_call import Events, _agent, _place, _setup
from tests.voice.test_connection import Recorder

pytestmark = pytest.mark.timeout(60)


class RawHttpServer:
    """Answers every request on 127.0.0.1 with what `respond(conn)` writes, and counts the body bytes it got out."""

    def __init__(self, respond: Callable[[socket.socket, RawHttpServer], None]) -> None:
        self._respond = respond
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(4)
        self.port = self._sock.getsockname()[1]
        self.sent_bytes = 0
        self.client_gone = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="raw-http", daemon=True)

    def __enter__(self) -> RawHttpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sock.close()
        self._thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        try:
            conn, _ = self._sock.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)  # the request; its content does not matter here
            try:
                self._respond(conn, self)
            except OSError:
                pass
            finally:
                self.client_gone.set()


def _huge_error_body(conn: socket.socket, server: RawHttpServer) -> None:
    total = 300 * 1024 * 1024
    conn.sendall(f"HTTP/1.1 500 Internal Server Error\r\nContent-Length: {total}\r\n\r\n".encode())
    chunk = b"x" * 65536
    while server.sent_bytes < total:
        conn.sendall(chunk)  # raises once the client has hung up
        server.sent_bytes += len(chunk)


def _dripped_signed_url(conn: socket.socket, server: RawHttpServer) -> None:
    body = b'{"signed_url": "ws://127.0.0.1:9/v1/convai/conversation?agent_id=a"}'
    conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode())
    for byte in body:
        conn.sendall(bytes([byte]))
        server.sent_bytes += 1
        # The hostile part: one byte every half second never trips a per-read timeout. The wait is the server's
        # behaviour, not the test waiting for a result.
        if server.client_gone.wait(0.5):
            return


@pytest.fixture
def connections() -> Iterator[list[AgentConnection]]:
    made: list[AgentConnection] = []
    yield made
    for conn in made:
        conn.close()


def _start(url: str, recorder: Recorder, connections: list[AgentConnection], **config: object) -> AgentConnection:
    conn = AgentConnection(on_message=recorder.on_message, on_closed=recorder.on_closed)
    connections.append(conn)
    conn.start(ConnectionConfig(agent_id="agent_test", api_url=url, **config))  # type: ignore[arg-type]
    return conn


def test_an_agent_that_never_opens_the_conversation_is_timed_out_with_words(connections) -> None:
    recorder = Recorder()
    with FakeAgentServer(opening="silent") as fake:
        started = time.monotonic()
        _start(fake.http_url, recorder, connections, opening_timeout=1.0)
        end = recorder.wait_end(10)
    assert time.monotonic() - started < 5
    assert end.kind is EndKind.CONNECT_FAILED
    assert "did not start the conversation within 1 s" in end.message


def test_the_opening_timeout_defaults_to_about_fifteen_seconds() -> None:
    assert ConnectionConfig(agent_id="a").opening_timeout == 15.0


def test_an_agent_that_closes_before_opening_is_a_failure_with_words(connections) -> None:
    recorder = Recorder()
    with FakeAgentServer(opening="close_1000") as fake:
        _start(fake.http_url, recorder, connections)
        end = recorder.wait_end()
    assert end.kind is EndKind.CONNECT_FAILED and end.is_error
    assert "before the conversation started" in end.message


def test_a_call_whose_agent_closes_before_opening_fails_with_a_message(repo, queries) -> None:
    events = Events()
    calls: list = []
    with FakeAgentServer(opening="close_1000") as fake:
        call = _place(calls, _setup(fake), repo, events)
        outcome = call.wait_ended(10)
    assert call.join()
    assert outcome.status == "failed" and outcome.end_reason is EndReason.ERROR
    assert "before the conversation started" in outcome.message
    assert queries.get_session(outcome.session_id).error_message == outcome.message


def test_a_dripped_signed_url_is_cut_at_the_opening_timeout(connections) -> None:
    recorder = Recorder()
    with RawHttpServer(_dripped_signed_url) as http:
        started = time.monotonic()
        _start(http.url, recorder, connections, api_key="k", opening_timeout=1.5)
        end = recorder.wait_end(15)
        elapsed = time.monotonic() - started
    assert elapsed < 5, f"held for {elapsed:.1f} s"
    assert end.kind is EndKind.CONNECT_FAILED
    assert "signed" in end.message and "1.5 s" in end.message


def test_a_huge_error_body_is_not_read_whole(connections) -> None:
    recorder = Recorder()
    with RawHttpServer(_huge_error_body) as http:
        _start(http.url, recorder, connections, api_key="k")
        end = recorder.wait_end(60)
        assert http.client_gone.wait(10)
    assert end.kind is EndKind.CONNECT_FAILED and end.code == 500
    assert len(end.detail) <= 500
    # What the server managed to write is what the client read plus what the socket buffers held: megabytes, not 300.
    assert http.sent_bytes < 32 * 1024 * 1024, f"{http.sent_bytes / 1e6:.0f} MB read"


def test_huge_agent_lines_are_stored_capped(repo, queries) -> None:
    events = Events()
    calls: list = []
    with FakeAgentServer() as fake:
        call = _place(calls, _setup(fake), repo, events)
        events.wait_for(Connected)
        for event_id in range(1, 6):
            _agent(fake, f"line {event_id} " + "blah " * 200_000, event_id)  # 1 MB each
        events.wait_for(LineFinalized, 6)  # the persona's greeting, then the five
        call.hang_up()
        outcome = call.wait_ended(10)
    assert call.join()
    assert events.of(CallEnded)
    lines = queries.get_session(outcome.session_id).lines
    assert len(lines) == 6
    assert all(len(line.text) <= MAX_LINE_CHARS for line in lines)
    assert lines[1].text.startswith("line 1 blah") and lines[1].text.endswith("…")

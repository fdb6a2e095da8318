"""AgentConnection against a real local websockets server speaking the agent protocol (tests/fake_agent_server.py)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from desktop.settings import Settings
from desktop.voice.agent.connection import AgentConnection, ConnectionConfig
from desktop.voice.agent.connection_end import ConnectionEnd, EndKind
from desktop.voice.agent.endpoints import public_agent_url
from desktop.voice.agent.messages import AgentResponse, ConversationInitiationMetadata, Ping, ServerError
from tests.fake_agent_server import FakeAgentServer

pytestmark = pytest.mark.timeout(30)

WAIT = 5.0


class Recorder:
    """Collects callbacks from the connection's loop thread; the test thread waits on a condition."""

    def __init__(self) -> None:
        self.messages: list[object] = []
        self.ends: list[ConnectionEnd] = []
        self.callback_threads: set[str] = set()
        self._cond = threading.Condition()

    def on_message(self, message: object) -> None:
        with self._cond:
            self.messages.append(message)
            self.callback_threads.add(threading.current_thread().name)
            self._cond.notify_all()

    def on_closed(self, end: ConnectionEnd) -> None:
        with self._cond:
            self.ends.append(end)
            self.callback_threads.add(threading.current_thread().name)
            self._cond.notify_all()

    def wait_message(self, kind: type, timeout: float = WAIT) -> object:
        with self._cond:
            assert self._cond.wait_for(lambda: any(isinstance(m, kind) for m in self.messages), timeout), (
                f"no {kind.__name__} within {timeout} s; got {self.messages}"
            )
            return next(m for m in self.messages if isinstance(m, kind))

    def wait_end(self, timeout: float = WAIT) -> ConnectionEnd:
        with self._cond:
            assert self._cond.wait_for(lambda: bool(self.ends), timeout), f"no end within {timeout} s"
            return self.ends[0]


@pytest.fixture
def server() -> Iterator[FakeAgentServer]:
    with FakeAgentServer() as fake:
        yield fake


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def connections() -> Iterator[list[AgentConnection]]:
    made: list[AgentConnection] = []
    yield made
    for conn in made:
        conn.close()


def _open(
    server: FakeAgentServer, recorder: Recorder, connections: list[AgentConnection], **config: object
) -> AgentConnection:
    conn = AgentConnection(on_message=recorder.on_message, on_closed=recorder.on_closed)
    connections.append(conn)
    conn.start(ConnectionConfig(agent_id="agent_test", api_url=server.http_url, **config))  # type: ignore[arg-type]
    return conn


def _connected(server: FakeAgentServer, recorder: Recorder, connections: list[AgentConnection], **config: object):
    conn = _open(server, recorder, connections, **config)
    assert server.wait_connected(WAIT)
    recorder.wait_message(ConversationInitiationMetadata)
    return conn


def test_public_url_is_derived_from_the_api_base() -> None:
    assert public_agent_url("https://api.elevenlabs.io/", "a b") == (
        "wss://api.elevenlabs.io/v1/convai/conversation?agent_id=a+b"
    )
    assert public_agent_url("http://127.0.0.1:9/x", "a") == "ws://127.0.0.1:9/x/v1/convai/conversation?agent_id=a"


def test_api_url_env_override_reaches_the_connection(monkeypatch, server, recorder, connections) -> None:
    monkeypatch.setenv("ROLEPLAY_ELEVENLABS_API_URL", server.http_url)
    conn = AgentConnection(on_message=recorder.on_message, on_closed=recorder.on_closed)
    connections.append(conn)
    conn.start(ConnectionConfig(agent_id="agent_env", api_url=Settings().effective_elevenlabs_api_url))
    assert server.wait_connected(WAIT)
    assert conn.url == f"{server.ws_url}/v1/convai/conversation?agent_id=agent_env"


def test_first_frame_carries_the_overrides(server, recorder, connections) -> None:
    conn = _connected(
        server,
        recorder,
        connections,
        prompt="You are Walter, a skeptical land owner.",
        first_message="Who is this?",
        language="en",
        dynamic_variables={"seller_name": "Walter", "acres": 20},
    )
    first = server.first_frames[0]
    assert first["type"] == "conversation_initiation_client_data"
    override = first["conversation_config_override"]
    assert override["agent"]["prompt"]["prompt"] == "You are Walter, a skeptical land owner."
    assert override["agent"]["first_message"] == "Who is this?"
    assert override["agent"]["language"] == "en"
    assert first["dynamic_variables"] == {"seller_name": "Walter", "acres": 20}
    metadata = recorder.wait_message(ConversationInitiationMetadata)
    assert metadata.conversation_id == "conv_fake_1"
    assert metadata.user_input_sample_rate == 16000
    assert recorder.callback_threads == {conn.thread.name}


def test_ping_gets_a_pong_with_its_event_id(server, recorder, connections) -> None:
    _connected(server, recorder, connections)
    server.send_ping(41, ping_ms=None)
    server.send_ping(42, ping_ms=87)
    assert server.wait_for(lambda: len(server.pongs) == 2, WAIT), server.frames
    assert [event_id for event_id, _ in server.pongs] == [41, 42]
    assert all(0 <= elapsed < 1.0 for _, elapsed in server.pongs)
    assert not any(isinstance(m, Ping) for m in recorder.messages)  # answered inside, not delivered


def test_text_round_trip_and_contextual_update(server, recorder, connections) -> None:
    conn = _connected(server, recorder, connections)
    assert conn.send_contextual_update("Trainee opened the objection card")
    assert conn.send_text("Hi Walter, I'm calling about your land.")
    reply = recorder.wait_message(AgentResponse)
    assert reply.text == "Hi Walter, I'm calling about your land."
    types = [frame.get("type") for frame in server.frames]
    assert types[:2] == ["contextual_update", "user_message"]  # one sender, in order


def test_audio_is_sent_as_user_audio_chunks(server, recorder, connections) -> None:
    conn = _connected(server, recorder, connections)
    for _ in range(3):
        assert conn.send_audio(b"\x01\x00" * 400)
    assert server.wait_for(lambda: sum("user_audio_chunk" in f for f in server.frames) == 3, WAIT)
    assert conn.dropped_audio_chunks == 0


def test_agent_close_1000_is_a_normal_agent_end(server, recorder, connections) -> None:
    conn = _connected(server, recorder, connections)
    server.close(1000, "end_call")
    end = recorder.wait_end()
    assert end.kind is EndKind.AGENT_ENDED and end.code == 1000 and not end.is_error
    assert conn.close()
    assert not conn.thread.is_alive()


def test_server_1008_is_a_server_error_with_its_message(server, recorder, connections) -> None:
    _connected(server, recorder, connections, first_message="Who is this?")
    text = "Override for field first_message is not allowed by config."
    server.send_error(1008, text)
    server.close(1008, "override_error")
    end = recorder.wait_end()
    assert end.kind is EndKind.SERVER_ERROR and end.code == 1008 and end.is_error
    assert end.reason == text
    assert text in end.message and "1008" in end.message
    assert isinstance(recorder.wait_message(ServerError), ServerError)


def test_server_4xxx_close_without_error_event_uses_the_close_reason(server, recorder, connections) -> None:
    _connected(server, recorder, connections)
    server.close(4001, "quota exceeded")
    end = recorder.wait_end()
    assert end.kind is EndKind.SERVER_ERROR and end.code == 4001 and "quota exceeded" in end.message


def test_abrupt_drop_is_connection_lost(server, recorder, connections) -> None:
    _connected(server, recorder, connections)
    server.drop()
    end = recorder.wait_end()
    assert end.kind is EndKind.CONNECTION_LOST and end.is_error


def test_closed_port_is_a_clear_connect_failure(recorder, connections) -> None:
    with socket.socket() as sock:  # bind, learn the port, close: nothing listens there afterwards
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    conn = AgentConnection(on_message=recorder.on_message, on_closed=recorder.on_closed)
    connections.append(conn)
    conn.start(ConnectionConfig(agent_id="agent_test", api_url=f"http://127.0.0.1:{port}", open_timeout=3))
    end = recorder.wait_end()
    assert end.kind is EndKind.CONNECT_FAILED
    assert "refused" in end.message and f"127.0.0.1:{port}" in end.message
    assert conn.close() and not conn.thread.is_alive()


def test_signed_url_with_the_right_key_connects() -> None:
    with FakeAgentServer(api_key="good-key", require_signature=True) as fake:
        rec = Recorder()
        conn = AgentConnection(on_message=rec.on_message, on_closed=rec.on_closed)
        try:
            conn.start(ConnectionConfig(agent_id="private", api_url=fake.http_url, api_key="good-key"))
            assert fake.wait_connected(WAIT)
            assert "conversation_signature=" in (conn.url or "")
        finally:
            assert conn.close()


def test_signed_url_with_a_wrong_key_says_so_in_plain_words(recorder, connections) -> None:
    with FakeAgentServer(api_key="good-key") as fake:
        conn = AgentConnection(on_message=recorder.on_message, on_closed=recorder.on_closed)
        connections.append(conn)
        conn.start(ConnectionConfig(agent_id="private", api_url=fake.http_url, api_key="bad-key"))
        end = recorder.wait_end()
    assert end.kind is EndKind.CONNECT_FAILED and end.code == 401
    assert end.message == "The ElevenLabs API key was rejected (401). Check it in Settings."


def test_private_agent_without_key_is_refused_clearly(recorder, connections) -> None:
    with FakeAgentServer(require_signature=True) as fake:
        conn = AgentConnection(on_message=recorder.on_message, on_closed=recorder.on_closed)
        connections.append(conn)
        conn.start(ConnectionConfig(agent_id="private", api_url=fake.http_url))
        end = recorder.wait_end()
    assert end.kind is EndKind.CONNECT_FAILED and end.code == 403 and "API key" in end.message


def test_close_sends_1000_and_joins_within_two_seconds(server, recorder, connections) -> None:
    conn = _connected(server, recorder, connections)
    assert conn.close(timeout=2.0)
    assert not conn.thread.is_alive()
    end = recorder.wait_end(0)
    assert end.kind is EndKind.USER_CLOSED and not end.is_error
    assert server.wait_for(lambda: server.client_close is not None, WAIT)
    assert server.client_close == (1000, "User ended conversation")
    assert not conn.send_text("too late")  # after close: refused, never raises
    assert conn.close()  # idempotent


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts TCP but never answers the WebSocket handshake."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def test_close_while_connecting_ends_quickly(silent_port, recorder, connections) -> None:
    conn = AgentConnection(on_message=recorder.on_message, on_closed=recorder.on_closed)
    connections.append(conn)
    conn.start(ConnectionConfig(agent_id="a", api_url=f"http://127.0.0.1:{silent_port}", open_timeout=30))
    assert conn.close(timeout=2.0)  # does not wait for the 30 s open timeout
    assert not conn.thread.is_alive()
    assert recorder.wait_end(0).kind is EndKind.USER_CLOSED


def test_open_timeout_is_a_clear_connect_failure(silent_port, recorder, connections) -> None:
    conn = AgentConnection(on_message=recorder.on_message, on_closed=recorder.on_closed)
    connections.append(conn)
    conn.start(ConnectionConfig(agent_id="a", api_url=f"http://127.0.0.1:{silent_port}", open_timeout=0.3))
    end = recorder.wait_end()
    assert end.kind is EndKind.CONNECT_FAILED and "did not answer within 0.3 s" in end.message


def test_audio_over_the_bound_is_dropped_and_counted(silent_port, recorder, connections) -> None:
    conn = AgentConnection(on_message=recorder.on_message, on_closed=recorder.on_closed)
    connections.append(conn)
    conn.start(ConnectionConfig(agent_id="a", api_url=f"http://127.0.0.1:{silent_port}", max_queued_audio=2))
    results = [conn.send_audio(b"\x00\x00" * 160) for _ in range(5)]
    assert results == [True] * 5  # the hand-off never blocks; the loop decides
    assert conn.close()  # the hand-offs queued before close() run on the loop first, in order
    assert conn.dropped_audio_chunks == 3


def test_listener_errors_do_not_kill_the_connection(server, connections) -> None:
    calls: list[object] = []
    got_reply = threading.Event()

    def angry_listener(message: object) -> None:
        calls.append(message)
        if isinstance(message, AgentResponse):
            got_reply.set()
        raise RuntimeError("listener bug")

    conn = AgentConnection(on_message=angry_listener)
    connections.append(conn)
    conn.start(ConnectionConfig(agent_id="a", api_url=server.http_url))
    assert server.wait_connected(WAIT)
    conn.send_text("still there?")
    assert got_reply.wait(WAIT)
    assert conn.close()


def test_a_1_5_mib_audio_frame_arrives_whole(server, recorder, connections) -> None:
    import base64

    from desktop.voice.agent.messages import AudioChunk

    _connected(server, recorder, connections)
    pcm = bytes(range(256)) * (1536 * 1024 // 256)  # 1.5 MiB of PCM, about 2 MiB of JSON: over the 1 MiB default
    audio = {"audio_base_64": base64.b64encode(pcm).decode(), "event_id": 7}
    server.send_json({"type": "audio", "audio_event": audio})
    chunk = recorder.wait_message(AudioChunk)
    assert chunk.pcm == pcm and chunk.event_id == 7
    assert not recorder.ends  # still connected


def test_unknown_types_and_malformed_frames_are_skipped_not_fatal(server, recorder, connections) -> None:
    _connected(server, recorder, connections)
    server.send_json({"type": "brand_new_event", "brand_new_event": {"x": 1}})
    server.send_raw("{not json")
    server.send_json({"type": "agent_response"})  # the event body is missing
    server.send_json(
        {"type": "agent_response", "agent_response_event": {"agent_response": "Still here.", "event_id": 3}}
    )
    reply = recorder.wait_message(AgentResponse)
    assert reply.text == "Still here." and not recorder.ends


def test_a_ping_flood_gets_every_pong_in_order(server, recorder, connections) -> None:
    conn = _connected(server, recorder, connections)
    for _ in range(50):  # audio queued while the pings arrive: pongs must not wait behind it
        conn.send_audio(b"\x00\x00" * 320)
    for event_id in range(1, 201):
        server.send_ping(event_id, ping_ms=5)
    assert server.wait_for(lambda: len(server.pongs) == 200, WAIT * 2)
    assert [event_id for event_id, _ in server.pongs] == list(range(1, 201))
    assert not recorder.ends

"""A fake ElevenLabs agent server for tests: a real `websockets` server on 127.0.0.1 (random port), own thread and loop.

It speaks the server side of the agent protocol: it checks that the first frame is
`conversation_initiation_client_data` (and records it), answers with `conversation_initiation_metadata`, echoes each
`user_message` as an `agent_response`, records every frame and every pong (with its round-trip time), and on request
sends pings, errors, closes with a code and reason, or drops the TCP connection. It also serves
`GET /v1/convai/conversation/get-signed-url`, answering 401 unless `xi-api-key` matches `api_key`.

Test code calls its methods from the test thread; waits use a condition with a timeout, never a sleep.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

SIGNED_URL_PATH = "/v1/convai/conversation/get-signed-url"
CONVERSATION_PATH = "/v1/convai/conversation"
SIGNATURE = "fake-signature"


class FakeAgentServer:
    def __init__(
        self,
        *,
        api_key: str = "good-key",
        require_signature: bool = False,
        conversation_id: str = "conv_fake_1",
        output_format: str = "pcm_16000",
        input_format: str = "pcm_16000",
        reply_to_audio_after: int = 0,
        opening: str = "metadata",
    ) -> None:
        self.api_key = api_key
        self.require_signature = require_signature
        self.conversation_id = conversation_id
        self.output_format = output_format
        self.input_format = input_format
        # With N > 0, every Nth `user_audio_chunk` gets a user_transcript + agent_response, like a spoken turn.
        self.reply_to_audio_after = reply_to_audio_after
        # How a hostile agent may open: "metadata" (normal), "silent" (never sends the metadata), "close_1000" (closes
        # normally before any metadata).
        self.opening = opening
        self._audio_chunks = 0
        self.port = 0
        self.first_frames: list[dict[str, Any]] = []
        self.frames: list[dict[str, Any]] = []  # every client frame after the first, parsed
        self.pongs: list[tuple[Any, float]] = []  # (event_id, seconds from our ping to their pong)
        self.paths: list[str] = []
        self.agent_ids: list[str] = []  # the agent each conversation asked for
        self.protocol_errors: list[str] = []
        self.client_close: tuple[int | None, str] | None = None  # the close code/reason the client sent
        self._ping_sent_at: dict[Any, float] = {}
        self._event_ids = iter(range(1, 1_000_000))
        self._cond = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Server | None = None
        self._conn: ServerConnection | None = None
        self._thread: threading.Thread | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()

    # --- lifecycle ---------------------------------------------------------------------------------------------------

    def start(self) -> FakeAgentServer:
        self._thread = threading.Thread(target=self._thread_main, name="fake-agent-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("fake agent server did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> FakeAgentServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def _thread_main(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with serve(self._handler, "127.0.0.1", 0, process_request=self._process_request) as server:
            self._server = server
            self.port = next(iter(server.sockets)).getsockname()[1]
            self._ready.set()
            await self._stop.wait()

    # --- waiting (test thread) ---------------------------------------------------------------------------------------

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        with self._cond:
            return self._cond.wait_for(predicate, timeout)

    def wait_connected(self, timeout: float = 5.0) -> bool:
        return self.wait_for(lambda: bool(self.first_frames), timeout)

    def frames_of(self, frame_type: str) -> list[dict[str, Any]]:
        with self._cond:
            return [f for f in self.frames if f.get("type") == frame_type]

    def _record(self, fn: Callable[[], None]) -> None:
        with self._cond:
            fn()
            self._cond.notify_all()

    # --- actions (test thread) ---------------------------------------------------------------------------------------

    def _run(self, coro_fn: Callable[[ServerConnection], Any], timeout: float = 5.0) -> None:
        conn = self._conn
        if conn is None or self._loop is None:
            raise RuntimeError("no client is connected")
        asyncio.run_coroutine_threadsafe(coro_fn(conn), self._loop).result(timeout)

    def send_json(self, message: dict[str, Any]) -> None:
        text = json.dumps(message)
        self._run(lambda conn: conn.send(text))

    def send_raw(self, text: str) -> None:
        """Any text frame, valid JSON or not."""
        self._run(lambda conn: conn.send(text))

    def send_ping(self, event_id: int, ping_ms: int | None = None) -> None:
        async def ping(conn: ServerConnection) -> None:
            self._ping_sent_at[event_id] = time.monotonic()
            await conn.send(json.dumps({"type": "ping", "ping_event": {"event_id": event_id, "ping_ms": ping_ms}}))

        self._run(ping)

    def send_error(self, code: int, message: str, error_type: str = "override_error") -> None:
        event = {"code": code, "message": message, "error_type": error_type, "reason": error_type}
        self.send_json({"type": "error", "error_event": event})

    def close(self, code: int = 1000, reason: str = "") -> None:
        self._run(lambda conn: conn.close(code, reason))

    def drop(self) -> None:
        """Abort the TCP connection: no close frame, as when the network dies."""

        async def abort(conn: ServerConnection) -> None:
            conn.transport.abort()

        self._run(abort)

    # --- server side -------------------------------------------------------------------------------------------------

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        parts = urlsplit(request.path)
        self._record(lambda: self.paths.append(parts.path))
        query = parse_qs(parts.query)
        if parts.path == SIGNED_URL_PATH:
            if request.headers.get("xi-api-key") != self.api_key:
                return _json_response(HTTPStatus.UNAUTHORIZED, {"detail": {"status": "invalid_api_key"}})
            agent_id = (query.get("agent_id") or [""])[0]
            signed = f"{self.ws_url}{CONVERSATION_PATH}?agent_id={agent_id}&conversation_signature={SIGNATURE}"
            return _json_response(HTTPStatus.OK, {"signed_url": signed})
        if parts.path != CONVERSATION_PATH or not query.get("agent_id"):
            return connection.respond(HTTPStatus.NOT_FOUND, "not found\n")
        if self.require_signature and query.get("conversation_signature") != [SIGNATURE]:
            return connection.respond(HTTPStatus.FORBIDDEN, "signature required\n")
        self._record(lambda: self.agent_ids.append(query["agent_id"][0]))
        return None

    async def _handler(self, conn: ServerConnection) -> None:
        self._conn = conn
        try:
            first = json.loads(await conn.recv())
            if not isinstance(first, dict) or first.get("type") != "conversation_initiation_client_data":
                self._record(lambda: self.protocol_errors.append(f"first frame was {first!r}"))
                await conn.close(1008, "first message must be conversation_initiation_client_data")
                return
            self._record(lambda: self.first_frames.append(first))
            if self.opening == "close_1000":
                await conn.close(1000, "")
                return
            if self.opening == "silent":
                await conn.wait_closed()
                return
            metadata = {
                "conversation_id": self.conversation_id,
                "agent_output_audio_format": self.output_format,
                "user_input_audio_format": self.input_format,
            }
            await conn.send(
                json.dumps(
                    {"type": "conversation_initiation_metadata", "conversation_initiation_metadata_event": metadata}
                )
            )
            # Like the real service, the agent speaks its first message (the override, when one is sent) at once.
            first_message = (first.get("conversation_config_override") or {}).get("agent", {}).get("first_message")
            if first_message:
                event = {"agent_response": first_message, "event_id": next(self._event_ids)}
                await conn.send(json.dumps({"type": "agent_response", "agent_response_event": event}))
            async for raw in conn:
                await self._on_frame(conn, json.loads(raw))
        except ConnectionClosed:
            pass
        finally:
            rcvd = conn.protocol.close_rcvd
            if rcvd is not None:
                self._record(lambda: setattr(self, "client_close", (rcvd.code, rcvd.reason)))

    async def _on_frame(self, conn: ServerConnection, frame: dict[str, Any]) -> None:
        if frame.get("type") == "pong":
            sent = self._ping_sent_at.get(frame.get("event_id"))
            elapsed = time.monotonic() - sent if sent is not None else float("nan")
            self._record(lambda: self.pongs.append((frame.get("event_id"), elapsed)))
        self._record(lambda: self.frames.append(frame))
        if "user_audio_chunk" in frame and self.reply_to_audio_after:
            self._audio_chunks += 1
            if self._audio_chunks % self.reply_to_audio_after == 0:
                heard = {"user_transcript": "I heard you speak", "event_id": next(self._event_ids)}
                await conn.send(json.dumps({"type": "user_transcript", "user_transcription_event": heard}))
                event = {"agent_response": "Go on, I'm listening.", "event_id": next(self._event_ids)}
                await conn.send(json.dumps({"type": "agent_response", "agent_response_event": event}))
        if frame.get("type") == "user_message":
            event = {"agent_response": frame.get("text", ""), "event_id": next(self._event_ids)}
            await conn.send(json.dumps({"type": "agent_response", "agent_response_event": event}))


def _json_response(status: HTTPStatus, body: dict[str, Any]) -> Response:
    data = json.dumps(body).encode()
    headers = Headers(
        [("Connection", "close"), ("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return Response(status.value, status.phrase, headers, data)

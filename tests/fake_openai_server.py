"""A fake OpenAI-compatible chat-completions server for tests: real HTTP on 127.0.0.1 (random port), own thread.

It speaks the slice of the API the `openai` package calls: `POST /v1/chat/completions` (plain JSON, or server-sent
events when the request has `"stream": true`) and `GET /v1/models`. Every request body is recorded, parsed.

What it answers, in this order:
1. the next scripted response, if any (`script([...])`): a reply, a refusal, an HTTP error with Retry-After,
   a raw body, or a stall that holds the request until the client gives up or the server stops;
2. otherwise the default reply function (`reply_with(fn)`), given the request's messages;
3. otherwise "OK.".

Usage:
    with FakeOpenAIServer() as server:
        server.script([http_error(429, retry_after="0"), json_reply({...})])
        server.reply_with(lambda messages: "Sure, tell me more about the land.")
        client = OpenAI(api_key="test", base_url=server.base_url)

Test code calls its methods from the test thread; waits use a condition with a timeout, never a sleep.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# How long a stalled request is held at most, so a forgotten stall cannot hang a test run.
MAX_STALL_S = 60.0


@dataclass(frozen=True)
class Scripted:
    """One response. Build it with the helpers below rather than by hand."""

    status: int = 200
    content: str | None = None
    refusal: str | None = None
    finish_reason: str = "stop"
    raw_body: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    stall: bool = False


def reply(content: str, *, finish_reason: str = "stop") -> Scripted:
    """A normal assistant message."""
    return Scripted(content=content, finish_reason=finish_reason)


def json_reply(data: Any) -> Scripted:
    """An assistant message whose content is `data` as JSON (what structured output returns)."""
    return reply(json.dumps(data))


def refusal(text: str = "I'm sorry, but I can't help with that request.") -> Scripted:
    """A structured-output refusal: `message.refusal` set and no content."""
    return Scripted(refusal=text)


def http_error(
    status: int, message: str = "", *, retry_after: str | None = None, retry_after_ms: int | None = None
) -> Scripted:
    """An API error in OpenAI's error shape, optionally with `Retry-After` / `retry-after-ms` headers."""
    headers = []
    if retry_after is not None:
        headers.append(("Retry-After", retry_after))
    if retry_after_ms is not None:
        headers.append(("retry-after-ms", str(retry_after_ms)))
    body = {"error": {"message": message or f"fake error {status}", "type": "fake_error", "code": None}}
    return Scripted(status=status, raw_body=json.dumps(body), headers=tuple(headers))


def raw(status: int, body: str) -> Scripted:
    """Any body at all, sent as application/json (for responses that are not even JSON)."""
    return Scripted(status=status, raw_body=body)


def stall() -> Scripted:
    """Holds the request without answering until the client times out, `release_stalls()` or `stop()`."""
    return Scripted(stall=True)


ReplyFunction = Callable[[list[dict[str, Any]]], "str | Scripted"]


class FakeOpenAIServer:
    def __init__(self, *, api_key: str | None = None, model: str = "fake-model") -> None:
        """api_key: when set, a request without `Authorization: Bearer <api_key>` gets HTTP 401."""
        self.api_key = api_key
        self.model = model
        self.requests: list[dict[str, Any]] = []  # parsed JSON bodies of chat-completion requests, in order
        self.headers: list[dict[str, str]] = []  # their headers (lower-cased names), same order
        self._scripted: deque[Scripted | ReplyFunction] = deque()
        self._reply_function: ReplyFunction | None = None
        self._cond = threading.Condition()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._ids = iter(range(1, 1_000_000_000))

    # -- life cycle ---------------------------------------------------------------------------------------

    def start(self) -> FakeOpenAIServer:
        handler = _handler_for(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        # A short poll interval: stop() waits for the serving loop to notice, and tests start many servers.
        serve = lambda: self._server.serve_forever(poll_interval=0.02)  # noqa: E731
        self._thread = threading.Thread(target=serve, name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start the server first"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- what to answer -----------------------------------------------------------------------------------

    def script(self, responses: Iterable[Scripted | str | ReplyFunction]) -> None:
        """Queues responses for the next requests, one each. A str is a plain reply; a callable gets the messages."""
        with self._cond:
            for item in responses:
                self._scripted.append(reply(item) if isinstance(item, str) else item)

    def reply_with(self, function: ReplyFunction | None) -> None:
        """The answer for requests when nothing is scripted: function(messages) -> reply text or a Scripted."""
        with self._cond:
            self._reply_function = function

    def release_stalls(self) -> None:
        self._release.set()

    # -- waiting ------------------------------------------------------------------------------------------

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: len(self.requests) >= count, timeout)

    # -- used by the handler ------------------------------------------------------------------------------

    def _record_and_choose(self, body: dict[str, Any], headers: dict[str, str]) -> Scripted:
        with self._cond:
            self.requests.append(body)
            self.headers.append(headers)
            self._cond.notify_all()
            chosen = self._scripted.popleft() if self._scripted else self._reply_function
        if chosen is None:
            return reply("OK.")
        if isinstance(chosen, Scripted):
            return chosen
        answer = chosen(list(body.get("messages") or []))
        return reply(answer) if isinstance(answer, str) else answer

    def _completion(self, body: dict[str, Any], answer: Scripted) -> dict[str, Any]:
        message = {"role": "assistant", "content": answer.content, "refusal": answer.refusal}
        return {
            "id": f"chatcmpl-fake-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model") or self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": answer.finish_reason, "logprobs": None}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }

    def _chunks(self, body: dict[str, Any], answer: Scripted) -> list[dict[str, Any]]:
        """The answer as stream chunks: the role, the content in a few pieces, then the finish reason."""
        base = {"id": f"chatcmpl-fake-{next(self._ids)}", "object": "chat.completion.chunk"}
        base |= {"created": int(time.time()), "model": body.get("model") or self.model}
        text = answer.content or ""
        step = max(1, len(text) // 4)
        deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
        deltas += [{"content": text[i : i + step]} for i in range(0, len(text), step)]
        if answer.refusal:
            deltas.append({"refusal": answer.refusal})
        chunks = [{**base, "choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas]
        chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": answer.finish_reason}]})
        return chunks


def _handler_for(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/v1/models":
                self._send_json(200, {"object": "list", "data": [{"id": server.model, "object": "model"}]})
            else:
                self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            payload = self.rfile.read(length) if length else b""
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                return
            try:
                body = json.loads(payload or b"{}")
            except ValueError:
                self._send_json(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
                return
            headers = {name.lower(): value for name, value in self.headers.items()}
            if server.api_key is not None and headers.get("authorization") != f"Bearer {server.api_key}":
                server._record_and_choose(body, headers)  # recorded, so tests can see the attempt
                self._send_json(401, {"error": {"message": "Incorrect API key provided", "type": "auth_error"}})
                return
            answer = server._record_and_choose(body, headers)
            if answer.stall:
                server._release.wait(MAX_STALL_S)
                answer = replace(answer, stall=False, content=answer.content or "released")
            try:
                if answer.raw_body is not None or answer.status != 200:
                    self._send_text(answer.status, answer.raw_body or "{}", answer.headers)
                elif body.get("stream"):
                    self._send_stream(server._chunks(body, answer))
                else:
                    self._send_json(200, server._completion(body, answer), answer.headers)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout): nothing to answer

        def _send_json(self, status: int, data: Any, headers: Iterable[tuple[str, str]] = ()) -> None:
            self._send_text(status, json.dumps(data), headers)

        def _send_text(self, status: int, text: str, headers: Iterable[tuple[str, str]] = ()) -> None:
            data = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _send_stream(self, chunks: list[dict[str, Any]]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            for chunk in chunks:
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler

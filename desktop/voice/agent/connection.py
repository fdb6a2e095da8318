"""The agent WebSocket client: one asyncio loop on its own thread per call. Qt-free.

`AgentConnection.start(config)` resolves the URL (public agent, or a signed URL when an API key is set), connects,
sends `conversation_initiation_client_data` first, then runs a reader task and a single sender task (the only code
that calls `send`). Pings are answered at once: their pongs jump the send queue. `send_audio`, `send_text` and
`send_contextual_update` may be called from any thread and never block. The end of the connection is reported once,
through `on_closed(ConnectionEnd)` (what each ending means is `connection_end`); nothing is ever raised into the
caller's thread.

Callbacks (`on_message`, `on_closed`) run on the connection's loop thread: they must be quick and must not block.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.protocol import State

from desktop.voice.agent import protocol
from desktop.voice.agent.connection_end import (
    USER_CLOSE_REASON,
    ConnectionEnd,
    EndKind,
    end_from_close_frame,
    opening_timed_out,
    user_closed,
)
from desktop.voice.agent.endpoints import ConnectFailure, describe_open_error, fetch_signed_url, public_agent_url
from desktop.voice.agent.messages import ConversationInitiationMetadata, Ping, ServerError, ServerMessage

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 16 * 1024 * 1024  # agent audio frames can exceed the 1 MiB default
_PONG_PRIORITY = 0
_FRAME_PRIORITY = 1


@dataclass(frozen=True)
class ConnectionConfig:
    """What one call needs to connect. `api_key` set -> a signed URL is requested; empty -> public agent URL."""

    agent_id: str
    api_url: str = "https://api.elevenlabs.io"
    api_key: str = ""
    prompt: str | None = None
    first_message: str | None = None
    language: str | None = None
    voice_id: str | None = None
    dynamic_variables: Mapping[str, str | int | float | bool] | None = None
    text_only: bool = False
    user_id: str | None = None
    open_timeout: float = 10.0
    http_timeout: float = 10.0
    # From start() to the agent's conversation metadata, whatever the agent does meanwhile (drips its signed URL,
    # accepts the socket and stays silent): the per-step timeouts above cannot catch a server that answers slowly.
    opening_timeout: float = 15.0
    close_timeout: float = 1.0
    max_queued_audio: int = 200  # about 5 s of 25 ms chunks; beyond that audio is dropped, not queued

    def initiation_frame(self) -> str:
        return protocol.conversation_initiation_client_data(
            prompt=self.prompt,
            first_message=self.first_message,
            language=self.language,
            voice_id=self.voice_id,
            dynamic_variables=self.dynamic_variables,
            text_only=self.text_only,
            user_id=self.user_id,
        )


MessageListener = Callable[[ServerMessage], None]
ClosedListener = Callable[[ConnectionEnd], None]


class AgentConnection:
    """One call's agent socket on its own thread and asyncio loop. Use once: start, then close."""

    def __init__(
        self,
        on_message: MessageListener | None = None,
        on_closed: ClosedListener | None = None,
        *,
        thread_name: str = "agent-connection",
    ) -> None:
        self._on_message = on_message
        self._on_closed = on_closed
        self._thread_name = thread_name
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.PriorityQueue[tuple[int, int, str, bool]] | None = None
        self._seq = itertools.count()
        self._closing = threading.Event()
        self._ended = threading.Event()
        self._end: ConnectionEnd | None = None
        self._ws: ClientConnection | None = None
        self._session_task: asyncio.Task[ConnectionEnd] | None = None
        self._server_error: ServerError | None = None
        self._opened = False  # the conversation metadata arrived
        self._opening_step = "signed_url"  # which step of the opening is running, for the timeout's words
        self._opening_expired = False
        self._queued_audio = 0
        self._max_queued_audio = 200
        self.dropped_audio_chunks = 0
        self.sent_frames = 0
        self.url: str | None = None  # the resolved URL, signature included; never log it

    # --- public, any thread -----------------------------------------------------------------------------------------

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    @property
    def end(self) -> ConnectionEnd | None:
        """How it ended, once it has (same value given to on_closed)."""
        return self._end

    def wait_ended(self, timeout: float | None = None) -> bool:
        return self._ended.wait(timeout)

    def start(self, config: ConnectionConfig) -> None:
        """Start connecting in the background; returns at once. The outcome arrives through the callbacks."""
        if self._thread is not None:
            raise RuntimeError("AgentConnection.start() may be called only once")
        self._max_queued_audio = max(1, config.max_queued_audio)
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._queue = asyncio.PriorityQueue()  # binds to the loop lazily, on first use there
        self._thread = threading.Thread(target=self._thread_main, args=(config,), name=self._thread_name, daemon=True)
        self._thread.start()

    def send_audio(self, pcm: bytes) -> bool:
        """Queue one mic chunk (PCM16 LE mono). Never blocks; dropped (and counted) when the queue is full."""
        return self._hand_off(protocol.user_audio_chunk(pcm), True)

    def send_text(self, text: str) -> bool:
        """Send a typed user turn (`user_message`); the agent replies as if it were spoken."""
        return self._hand_off(protocol.user_message(text), False)

    def send_contextual_update(self, text: str) -> bool:
        return self._hand_off(protocol.contextual_update(text), False)

    def send_frame(self, frame: str) -> bool:
        """Queue any prebuilt client frame (see `protocol`)."""
        return self._hand_off(frame, False)

    def close(self, timeout: float = 2.0) -> bool:
        """End the call (close 1000) and wait up to `timeout` for the thread. True when the thread has ended.
        Safe from any thread, repeatedly, before or after the end; from the loop thread itself it does not wait."""
        self._closing.set()
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return True
        if thread is threading.current_thread():
            self._begin_close()
            return False
        with contextlib.suppress(RuntimeError):  # the loop has already closed
            loop.call_soon_threadsafe(self._begin_close)
        thread.join(timeout)
        if thread.is_alive():
            log.warning("agent connection thread did not end within %.1f s", timeout)
            return False
        return True

    # --- loop thread ------------------------------------------------------------------------------------------------

    def _hand_off(self, frame: str, is_audio: bool) -> bool:
        loop = self._loop
        if loop is None or self._closing.is_set() or self._ended.is_set():
            return False
        try:
            loop.call_soon_threadsafe(self._enqueue, frame, is_audio)
        except RuntimeError:  # loop closed between the check and the call
            return False
        return True

    def _enqueue(self, frame: str, is_audio: bool) -> None:
        if self._queue is None or self._end is not None:
            return
        if is_audio:
            if self._queued_audio >= self._max_queued_audio:
                self.dropped_audio_chunks += 1
                if self.dropped_audio_chunks in (1, 10, 100) or self.dropped_audio_chunks % 1000 == 0:
                    log.warning("send queue full: %d audio chunks dropped so far", self.dropped_audio_chunks)
                return
            self._queued_audio += 1
        self._queue.put_nowait((_FRAME_PRIORITY, next(self._seq), frame, is_audio))

    def _thread_main(self, config: ConnectionConfig) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._run(config))
        except BaseException:
            log.exception("agent connection loop failed")
            self._report(ConnectionEnd(EndKind.CONNECTION_LOST, "The call stopped unexpectedly.", detail="loop"))
        finally:
            try:
                _cancel_leftovers(loop)
                loop.run_until_complete(loop.shutdown_asyncgens())
            except Exception:
                log.exception("agent connection loop cleanup failed")
            finally:
                loop.close()

    async def _run(self, config: ConnectionConfig) -> None:
        task = asyncio.create_task(self._session(config), name="agent-session")
        self._session_task = task
        if self._closing.is_set():
            task.cancel()
        watchdog = asyncio.get_running_loop().call_later(config.opening_timeout, self._opening_timed_out)
        try:
            end = await task
        except asyncio.CancelledError:
            if self._opening_expired and not self._closing.is_set():
                end = opening_timed_out(config.opening_timeout, self._opening_step)
            else:
                end = user_closed()
        except ConnectFailure as exc:
            end = ConnectionEnd(EndKind.CONNECT_FAILED, exc.message, code=exc.code, detail=exc.detail)
        except Exception as exc:
            log.exception("agent connection failed")
            end = ConnectionEnd(EndKind.CONNECTION_LOST, "The connection to the agent was lost.", detail=repr(exc))
        finally:
            watchdog.cancel()
        self._report(end)

    def _opening_timed_out(self) -> None:
        task = self._session_task
        if self._opened or task is None or task.done():
            return
        self._opening_expired = True
        task.cancel()

    def _report(self, end: ConnectionEnd) -> None:
        if self._end is not None:
            return
        self._end = end
        if end.is_error:
            log.warning("agent connection ended: %s (%s) %s", end.kind.value, end.message, end.detail)
        else:
            log.info("agent connection ended: %s", end.kind.value)
        try:
            if self._on_closed is not None:
                self._on_closed(end)
        except Exception:
            log.exception("on_closed listener failed")
        finally:
            self._ended.set()

    async def _resolve_url(self, config: ConnectionConfig) -> str:
        if config.api_key:
            return await fetch_signed_url(config.api_url, config.agent_id, config.api_key, config.http_timeout)
        return public_agent_url(config.api_url, config.agent_id)

    async def _session(self, config: ConnectionConfig) -> ConnectionEnd:
        if not config.agent_id:
            raise ConnectFailure("No ElevenLabs agent id is set. Add one in Settings.")
        url = await self._resolve_url(config)
        self.url = url
        self._opening_step = "connect"
        try:
            ws = await connect(
                url,
                max_size=MAX_MESSAGE_BYTES,
                open_timeout=config.open_timeout,
                close_timeout=config.close_timeout,
            )
        except (OSError, TimeoutError, asyncio.TimeoutError, InvalidHandshake, InvalidURI) as exc:
            raise describe_open_error(exc, url, config.open_timeout) from None
        self._ws = ws
        self._opening_step = "metadata"
        tasks: list[asyncio.Task[Any]] = []
        try:
            await ws.send(config.initiation_frame())  # always first: before the sender may run
            self.sent_frames += 1
            reader = asyncio.create_task(self._reader(ws), name="agent-reader")
            sender = asyncio.create_task(self._sender(ws), name="agent-sender")
            tasks = [reader, sender]
            if self._closing.is_set():
                self._begin_close()
            return await reader
        except ConnectionClosed as exc:  # closed before or while sending the first frame
            return self._end_from_close(exc)
        finally:
            await _cancel_and_wait(tasks, timeout=1.0)
            if ws.state is not State.CLOSED:
                ws.transport.abort()

    async def _reader(self, ws: ClientConnection) -> ConnectionEnd:
        try:
            async for raw in ws:
                message = protocol.parse_server_message(raw)
                if message is None:
                    continue
                if isinstance(message, Ping):
                    self._queue_pong(message.event_id)
                    continue
                if isinstance(message, ServerError):
                    self._server_error = message
                if isinstance(message, ConversationInitiationMetadata):
                    self._opened = True
                self._deliver(message)
        except ConnectionClosed as exc:
            return self._end_from_close(exc)
        # A clean end of iteration is ConnectionClosedOK; read what was exchanged from the connection.
        return self._end_from_frames(ws.protocol.close_rcvd)

    def _queue_pong(self, event_id: int) -> None:
        assert self._queue is not None
        self._queue.put_nowait((_PONG_PRIORITY, next(self._seq), protocol.pong(event_id), False))

    def _deliver(self, message: ServerMessage) -> None:
        if self._on_message is None:
            return
        try:
            self._on_message(message)
        except Exception:
            log.exception("on_message listener failed on %s", type(message).__name__)

    async def _sender(self, ws: ClientConnection) -> None:
        assert self._queue is not None
        while True:
            _, _, frame, is_audio = await self._queue.get()
            if is_audio:
                self._queued_audio -= 1
            try:
                await ws.send(frame)
            except ConnectionClosed:
                return  # the reader reports the end
            except Exception:
                log.exception("sending to the agent failed")
                return
            self.sent_frames += 1

    def _begin_close(self) -> None:
        """Loop thread: close 1000 if connected, else cancel the connect; a watchdog forces the end."""
        self._closing.set()
        ws, task = self._ws, self._session_task
        if task is None or task.done():
            return
        loop = asyncio.get_running_loop()
        if ws is None:
            task.cancel()
            return
        asyncio.create_task(_close_quietly(ws), name="agent-close")
        loop.call_later(1.5, self._force_stop)

    def _force_stop(self) -> None:
        task = self._session_task
        if task is not None and not task.done():
            log.warning("agent did not finish the close handshake; dropping the connection")
            task.cancel()

    def _end_from_close(self, exc: ConnectionClosed) -> ConnectionEnd:
        return self._end_from_frames(exc.rcvd, detail=str(exc))

    def _end_from_frames(self, rcvd: Any, detail: str = "") -> ConnectionEnd:
        if self._closing.is_set():
            return user_closed()
        return end_from_close_frame(rcvd, opened=self._opened, server_error=self._server_error, detail=detail)


async def _close_quietly(ws: ClientConnection) -> None:
    try:
        await ws.close(1000, USER_CLOSE_REASON)
    except Exception:
        log.debug("closing the agent socket failed", exc_info=True)


async def _cancel_and_wait(tasks: list[asyncio.Task[Any]], timeout: float) -> None:
    pending = [task for task in tasks if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        _, still = await asyncio.wait(pending, timeout=timeout)
        for task in still:
            log.warning("task %s did not stop within %.1f s", task.get_name(), timeout)
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.error("task %s failed", task.get_name(), exc_info=task.exception())


def _cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    if not pending:
        return
    for task in pending:
        task.cancel()
    loop.run_until_complete(asyncio.wait(pending, timeout=1.0))

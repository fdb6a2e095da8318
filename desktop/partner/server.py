"""The embedded practice partner: a local server on 127.0.0.1 that speaks the ElevenLabs agent protocol, so a new
user can practise with no account and no network. Qt-free.

It serves the conversation WebSocket (`/v1/convai/conversation?agent_id=...`, any agent id: a public agent) and
`GET /v1/convai/conversation/get-signed-url`, which checks `xi-api-key` when the partner was given an API key and
returns a signed URL on itself, so the private-agent path of the client can be exercised locally. Each conversation
is played by `SellerBrain` rules, or by an OpenAI-compatible model when one is configured (`model_seller`).

It is text-only (`agent_response`, no `audio`) unless given a speech synthesizer (`speech=`); the app passes the
operating system's own engine (`system_voice`) when there is one and the trainee has not turned the voice off.
Spoken trainee turns are recognised on the device (`hearing`): the Whisper model loads once, on the first spoken
call, in a worker thread, and each call decodes in a bounded pool of its own.

Who may talk to it: only this machine (it listens on 127.0.0.1 and checks the Host header, against DNS rebinding),
never a web page (a browser always sends Origin on a WebSocket and on a cross-site request; the app and the SDKs send
none, so any Origin not allowed is refused), and with an API key set, only a conversation opened through a signed URL
obtained with that key.

`start()` returns the base URL to use as the ElevenLabs API URL; `stop()` closes every call and joins within 2 s.
The server runs on its own thread and asyncio loop; every public method is safe from any thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from desktop.partner.conversation import PartnerConversation
from desktop.partner.model_seller import SellerModelConfig, seller_model_config
from desktop.partner.record import ConversationRecord, PartnerOptions
from desktop.partner.setup import BuiltinPersonas, PersonaSource
from desktop.partner.speaking import SpeechSynth
from desktop.speech.recogniser import ModelUnavailable, Recogniser, RecognitionPool

log = logging.getLogger(__name__)

CONVERSATION_PATH = "/v1/convai/conversation"
SIGNED_URL_PATH = "/v1/convai/conversation/get-signed-url"
HEALTH_PATHS = ("/", "/health")
SIGNED_URL_LIFETIME_S = 15 * 60  # as the service: a signed URL must be used within 15 minutes
MAX_SIGNATURES = 1000
# The largest client frame: an audio chunk of a few hundred ms is ~11 KB as base64; a bigger frame closes the socket
# (1009) before it is read whole, so no client can make the partner hold or parse megabytes.
MAX_MESSAGE_BYTES = 256 * 1024
AUTO_MODEL = "auto"
MAX_RECORDS = 50
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
# Two decoders, so a turn's final decode never waits behind a tentative one (tiny.en's decode costs ~0.4 s whatever
# the turn's length: Whisper encodes a 30 s window). Two threads each: a decode that runs alone (the first words of a
# turn, the speculative decode in the pause that ends it) takes 0.30 s instead of 0.38 s (a 1.3 s turn, median of
# 12); two at once share the two cores as before. Through the virtual devices (benchmarks/partner_latency.py, 32
# turns) the first words' p95 went from 1.05 s to 0.95 s, with the reply p50 at 0.70 s either way.
RECOGNISER_THREADS = 2
RECOGNISER_WORKERS = 2


class PracticePartner:
    def __init__(
        self,
        catalog: PersonaSource | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str = "",
        options: PartnerOptions | None = None,
        model: SellerModelConfig | None | str = AUTO_MODEL,
        settings: Any | None = None,
        speech: SpeechSynth | None = None,
        seed: int | None = None,
        hearing: bool = True,
        recogniser: Recogniser | None = None,
        speech_model_dir: Path | None = None,
        allowed_origins: tuple[str, ...] = (),
    ) -> None:
        """model: the chat model that plays the seller; AUTO_MODEL (the default) uses one when an OpenAI key is set
        (model and base URL from `settings`), None always plays by rules. speech: text -> PCM16 16 kHz mono, for a
        partner with a voice; without it the partner is text-only (agent_response, no audio). hearing: recognise
        spoken turns (with `recogniser` when given, else the model in `speech_model_dir`, else the shipped one)."""
        self._builtins = BuiltinPersonas()
        self._personas: PersonaSource = catalog or self._builtins
        self.host = host
        self.port = port
        self.api_key = api_key
        self.options = options or PartnerOptions()
        self.model = seller_model_config(settings) if model == AUTO_MODEL else model
        self._speech = speech
        self._seed = seed
        self.hearing = hearing
        self._recogniser = recogniser
        self._speech_model_dir = speech_model_dir
        self._recogniser_load: asyncio.Future[Recogniser | None] | None = None
        self.recogniser_problem = ""  # why spoken turns cannot be recognised, when they cannot
        self.allowed_origins = allowed_origins
        self._conversation_count = 0
        self._records: list[ConversationRecord] = []
        self._signatures: dict[str, float] = {}  # signature -> monotonic expiry
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None

    # --- lifecycle (any thread) ------------------------------------------------------------------------------------

    def start(self, timeout: float = 5.0) -> str:
        """Start serving; returns the http base URL. Raises OSError when the port cannot be used."""
        if self._thread is not None:
            raise RuntimeError("PracticePartner.start() may be called only once")
        self._thread = threading.Thread(target=self._thread_main, name="practice-partner", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the practice partner did not start in time")
        if self._start_error is not None:
            self._thread.join(timeout)
            raise self._start_error
        log.info("practice partner listening on %s (seller: %s)", self.http_url, self.played_by)
        return self.http_url

    def stop(self, timeout: float = 2.0) -> bool:
        """Close every call (1001) and the server; True when the thread ended within `timeout`."""
        loop, stop, thread = self._loop, self._stop, self._thread
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed in between
                loop.call_soon_threadsafe(stop.set)
        if thread is None:
            return True
        thread.join(timeout)
        if thread.is_alive():
            log.warning("the practice partner did not stop within %.1f s", timeout)
            return False
        return True

    def configure(
        self, *, model: SellerModelConfig | None, speech: SpeechSynth | None, speech_model_dir: Path | None = None
    ) -> None:
        """Who plays the seller, with what voice and which recogniser, from the next conversation on (calls in progress
        keep theirs). A different speech model is loaded at the next spoken call."""
        self.model, self._speech = model, speech
        if speech_model_dir != self._speech_model_dir:
            self._speech_model_dir = speech_model_dir
            if self._loop is not None and not self._loop.is_closed():
                with contextlib.suppress(RuntimeError):
                    self._loop.call_soon_threadsafe(self._forget_recogniser)

    def _forget_recogniser(self) -> None:
        self._recogniser_load = None

    def __enter__(self) -> PracticePartner:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._ready.is_set()

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def played_by(self) -> str:
        return f"the model {self.model.model}" if self.model else "rules"

    # --- what happened (any thread) -------------------------------------------------------------------------------

    def conversations(self) -> list[ConversationRecord]:
        """Snapshots of every conversation so far, oldest first."""
        with self._changed:
            return [_copy(record) for record in self._records]

    def wait_for(self, predicate: Callable[[list[ConversationRecord]], bool], timeout: float = 5.0) -> bool:
        """Wait until `predicate(conversations)` holds (checked whenever a conversation changes)."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate([_copy(r) for r in self._records]), timeout)

    # --- server thread ---------------------------------------------------------------------------------------------

    def _thread_main(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:
            if not self._ready.is_set():
                self._start_error = exc
            else:
                log.exception("the practice partner stopped unexpectedly")
        finally:
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server: Server
        async with serve(
            self._handle,
            self.host,
            self.port,
            process_request=self._process_request,
            max_size=MAX_MESSAGE_BYTES,
            close_timeout=0.5,
            ping_interval=None,  # the protocol's own JSON pings keep the call alive
        ) as server:
            self.port = next(iter(server.sockets)).getsockname()[1]
            self._ready.set()
            await self._stop.wait()
            server.close(close_connections=True)
            try:
                await asyncio.wait_for(server.wait_closed(), 1.5)
            except (TimeoutError, asyncio.TimeoutError):
                log.warning("some practice calls did not close in time; dropping them")

    async def _handle(self, ws: ServerConnection) -> None:
        with self._changed:
            self._conversation_count += 1
            number = self._conversation_count
            record = ConversationRecord(conversation_id=f"conv_partner_{number:04d}_{secrets.token_hex(4)}")
            self._records.append(record)
            del self._records[:-MAX_RECORDS]  # a partner left running for days keeps only the recent calls
            self._changed.notify_all()
        seed = self._seed + number if self._seed is not None else secrets.randbits(32)
        conversation = PartnerConversation(
            ws,
            record,
            options=self.options,
            personas=self._personas,
            builtins=self._builtins,
            seed=seed,
            model=self.model,
            speech=self._speech,
            changed=self._changed,
            pool=self._pool_for_call if self.hearing else None,
        )
        await conversation.run()

    # --- recognition -----------------------------------------------------------------------------------------------

    def _pool_for_call(self) -> asyncio.Future[RecognitionPool | None]:
        """A recognition pool for one call, once the shared model has loaded (off the loop, once per model)."""
        loop = asyncio.get_running_loop()
        if self._recogniser_load is None:
            self._recogniser_load = loop.run_in_executor(None, self._load_recogniser, self._speech_model_dir)
        pool: asyncio.Future[RecognitionPool | None] = loop.create_future()

        def loaded(load: asyncio.Future[Recogniser | None]) -> None:
            recogniser = None if load.cancelled() or load.exception() else load.result()
            if not pool.done():
                made = (
                    RecognitionPool(recogniser, max_workers=RECOGNISER_WORKERS, max_pending=3) if recogniser else None
                )
                pool.set_result(made)

        self._recogniser_load.add_done_callback(loaded)
        return pool

    def _load_recogniser(self, model_dir: Path | None) -> Recogniser | None:
        if self._recogniser is not None and model_dir in (None, self._recogniser.model_dir):
            return self._recogniser
        try:
            recogniser = Recogniser.load(model_dir, cpu_threads=RECOGNISER_THREADS, workers=RECOGNISER_WORKERS)
        except ModelUnavailable as problem:
            self.recogniser_problem = str(problem)
            log.warning("spoken turns cannot be recognised: %s", problem)
            return None
        except Exception as problem:  # CTranslate2 or onnxruntime missing or broken in this installation
            self.recogniser_problem = f"The speech recogniser would not start ({problem})."
            log.exception("the speech recogniser would not load")
            return None
        self.recogniser_problem = recogniser.fallback_reason
        self._recogniser = recogniser
        return recogniser

    def preload_recogniser(self, wait: float = 0.0) -> None:
        """Load the model now (from any thread but the partner's) rather than at the first spoken call; with `wait`,
        block up to that many seconds until it has loaded. Loading holds Python's interpreter lock for some 50 ms at
        its end (the tokenizer): done while the call dials, that pause does not fall on the seller's greeting, whose
        audio and call screen need the interpreter then."""
        if not (self.hearing and self._loop is not None and not self._loop.is_closed()):
            return
        loaded = threading.Event()

        def begin() -> None:
            pool = self._pool_for_call()
            pool.add_done_callback(_close_unused)
            pool.add_done_callback(lambda _pool: loaded.set())

        try:
            self._loop.call_soon_threadsafe(begin)
        except RuntimeError:  # the partner stopped meanwhile
            return
        if wait > 0:
            loaded.wait(wait)

    # --- HTTP ------------------------------------------------------------------------------------------------------

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        parts = urlsplit(request.path)
        query = parse_qs(parts.query)
        agent_id = (query.get("agent_id") or [""])[0]
        refused = self._refuse_outsider(request)
        if refused is not None:
            return refused
        if parts.path == SIGNED_URL_PATH:
            return self._signed_url(request, agent_id)
        if parts.path in HEALTH_PATHS:
            return _json(HTTPStatus.OK, {"status": "ok", "service": "Roleplay Trainer practice partner"})
        if parts.path != CONVERSATION_PATH:
            return _json(HTTPStatus.NOT_FOUND, {"detail": "not found"})
        if not agent_id:
            return _json(HTTPStatus.BAD_REQUEST, {"detail": "agent_id is required"})
        signature = (query.get("conversation_signature") or query.get("token") or [None])[0]
        if signature is None and self.api_key:
            return _json(HTTPStatus.FORBIDDEN, {"detail": "this partner needs a signed URL (it has an API key)"})
        if signature is not None and not self._signature_valid(signature):
            return _json(HTTPStatus.FORBIDDEN, {"detail": "the signed URL is invalid or has expired"})
        return None  # a public agent, or a valid signed URL: go on with the WebSocket handshake

    def _refuse_outsider(self, request: Request) -> Response | None:
        """A web page (it sends Origin) or a request for another host name (DNS rebinding) is refused."""
        origin = request.headers.get("Origin")
        if origin is not None and origin not in self.allowed_origins:
            log.warning("refused a request from the web origin %r", origin[:100])
            return _json(HTTPStatus.FORBIDDEN, {"detail": "web pages may not use the practice partner"})
        host = (request.headers.get("Host") or "").rsplit(":", 1)[0]
        if host and host not in LOCAL_HOSTS and host != self.host:
            log.warning("refused a request for the host %r", host[:100])
            return _json(HTTPStatus.FORBIDDEN, {"detail": "unknown host"})
        return None

    def _signed_url(self, request: Request, agent_id: str) -> Response:
        if self.api_key and not hmac.compare_digest(
            (request.headers.get("xi-api-key") or "").encode(), self.api_key.encode()
        ):
            return _json(HTTPStatus.UNAUTHORIZED, {"detail": {"status": "invalid_api_key", "message": "Invalid key"}})
        if not agent_id:
            return _json(HTTPStatus.UNPROCESSABLE_ENTITY, {"detail": "agent_id is required"})
        signature = secrets.token_urlsafe(24)
        now = time.monotonic()
        self._signatures = {s: t for s, t in self._signatures.items() if t > now}
        if len(self._signatures) >= MAX_SIGNATURES:
            self._signatures.pop(next(iter(self._signatures)))
        self._signatures[signature] = now + SIGNED_URL_LIFETIME_S
        query = urlencode({"agent_id": agent_id, "conversation_signature": signature})
        return _json(HTTPStatus.OK, {"signed_url": f"{self.ws_url}{CONVERSATION_PATH}?{query}"})

    def _signature_valid(self, signature: str) -> bool:
        expiry = self._signatures.get(signature)
        return expiry is not None and expiry > time.monotonic()


def _json(status: HTTPStatus, body: dict[str, Any]) -> Response:
    data = json.dumps(body).encode()
    headers = Headers(
        [("Connection", "close"), ("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return Response(status.value, status.phrase, headers, data)


def _copy(record: ConversationRecord) -> ConversationRecord:
    return ConversationRecord(**{**record.__dict__, "lines": list(record.lines), "reply_s": list(record.reply_s)})


def _close_unused(pool: asyncio.Future[RecognitionPool | None]) -> None:
    if not pool.cancelled() and pool.exception() is None and pool.result() is not None:
        pool.result().close(wait=False)  # type: ignore[union-attr]

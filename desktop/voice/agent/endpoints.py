"""Where an agent call connects, and what to tell the trainee when it cannot: the public-agent WebSocket URL, the
signed URL of a private agent, and plain words for every way opening or keeping a call can fail."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlencode, urlsplit, urlunsplit

# The HTTP client that openai already brings (published as httpx2), rather than a second one.
import httpx2 as httpx
from websockets.exceptions import InvalidStatus, InvalidURI

from desktop.secure_urls import insecure_key_message

CONVERSATION_PATH = "/v1/convai/conversation"
SIGNED_URL_PATH = "/v1/convai/conversation/get-signed-url"
MAX_BODY_BYTES = 64 * 1024  # a signed URL answer is a few hundred bytes; an error page needs no more to be shown


class ConnectFailure(Exception):
    """Raised inside the loop only; becomes a CONNECT_FAILED end."""

    def __init__(self, message: str, detail: str = "", code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.code = code


def public_agent_url(api_url: str, agent_id: str) -> str:
    """The WebSocket URL of a public agent from the REST base: https -> wss, http -> ws; a base path is kept."""
    parts = urlsplit(api_url.strip())
    scheme = {"https": "wss", "http": "ws", "wss": "wss", "ws": "ws"}.get(parts.scheme.lower())
    if scheme is None or not parts.netloc:
        raise ConnectFailure(
            f"The ElevenLabs API address {api_url!r} is not a valid http(s) URL. Check it in Settings.",
            detail=f"bad api url {api_url!r}",
        )
    path = parts.path.rstrip("/") + CONVERSATION_PATH
    return urlunsplit((scheme, parts.netloc, path, urlencode({"agent_id": agent_id}), ""))


async def fetch_signed_url(api_url: str, agent_id: str, api_key: str, timeout: float) -> str:
    """GET the signed URL of a private agent; ConnectFailure in plain words on any failure."""
    base = api_url.strip().rstrip("/")
    host = urlsplit(base).netloc or base
    insecure = insecure_key_message("the ElevenLabs API key", base, "in Settings (or ROLEPLAY_ELEVENLABS_API_URL)")
    if insecure:
        raise ConnectFailure(insecure, detail=f"plain http to {host}")
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            request = client.build_request(
                "GET", base + SIGNED_URL_PATH, params={"agent_id": agent_id}, headers={"xi-api-key": api_key}
            )
            response = await client.send(request, stream=True)
            try:
                body = await _read_capped(response, MAX_BODY_BYTES)
            finally:
                await response.aclose()
    except httpx.TimeoutException as exc:
        raise ConnectFailure(
            f"ElevenLabs ({host}) did not answer within {timeout:g} s. Check your internet connection.",
            detail=repr(exc),
        ) from None
    except (httpx.HTTPError, OSError, ValueError) as exc:
        raise ConnectFailure(
            f"Could not reach ElevenLabs at {host}. Check your internet connection and the API address in Settings.",
            detail=repr(exc),
        ) from None
    text = body.decode("utf-8", "replace")
    status = response.status_code
    if status == 401:
        raise ConnectFailure("The ElevenLabs API key was rejected (401). Check it in Settings.", code=401)
    if status == 403:
        raise ConnectFailure(
            "The ElevenLabs API key is not allowed to use this agent (403). Check the key's permissions.", code=403
        )
    if status == 404:
        raise ConnectFailure(
            f"ElevenLabs does not know the agent {agent_id!r} (404). Check the agent id in Settings.", code=404
        )
    if status >= 400:
        raise ConnectFailure(
            f"ElevenLabs refused to start the call (HTTP {status}). Try again in a moment.",
            detail=text[:500],
            code=status,
        )
    try:
        signed = json.loads(text).get("signed_url")
    except (ValueError, AttributeError):
        signed = None
    if not isinstance(signed, str) or not signed:
        raise ConnectFailure("ElevenLabs sent an unexpected answer for the signed URL.", detail=text[:500])
    return signed


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    """At most `limit` bytes of the body: a hostile or broken server's 300 MB error page is not read into memory."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk[: limit - size])
        size += len(chunks[-1])
        if size >= limit:
            break
    return b"".join(chunks)


def describe_open_error(exc: BaseException, url: str, timeout: float) -> ConnectFailure:
    host = urlsplit(url).netloc or url
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        if status in (401, 403):
            return ConnectFailure(
                f"The agent refused the connection (HTTP {status}). It may be private: add an ElevenLabs API key "
                "in Settings.",
                detail=repr(exc),
                code=status,
            )
        return ConnectFailure(
            f"The agent server refused the connection (HTTP {status}).", detail=repr(exc), code=status
        )
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):
        return ConnectFailure(
            f"The agent server ({host}) did not answer within {timeout:g} s. Check your internet connection.",
            detail=repr(exc),
        )
    if isinstance(exc, ConnectionRefusedError):
        return ConnectFailure(
            f"The agent server ({host}) refused the connection. Is the address right and the server running?",
            detail=repr(exc),
        )
    if isinstance(exc, InvalidURI):
        return ConnectFailure(f"The agent address for {host} is not valid.", detail=type(exc).__name__)
    if isinstance(exc, OSError):
        return ConnectFailure(
            f"Could not reach the agent server ({host}). Check your internet connection.", detail=repr(exc)
        )
    return ConnectFailure(f"Could not open the call with the agent server ({host}).", detail=repr(exc))


def server_error_words(code: int, text: str) -> str:
    said = f": {text}" if text else "."
    if code == 1008:
        hint = " If it mentions an override, enable that override in the agent's Security tab." if text else ""
        return f"The agent rejected the call (policy violation, 1008){said}{hint}"
    if code == 1011:
        return f"The agent server had an internal error (1011){said}"
    if code == 1002:
        return f"The agent stopped the call because of an error (1002){said}"
    if 4000 <= code < 5000:
        return f"The agent server ended the call with error {code}{said}"
    return f"The agent closed the call with code {code}{said}"

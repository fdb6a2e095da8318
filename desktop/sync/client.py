"""The team backend's HTTP API (`docs/sync-api.yaml`): one method per endpoint, every failure turned into one of
the exceptions in `errors.py`. Thread-safe: the pusher's workers share one client and its connection pool."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urlsplit

# The HTTP client that openai already brings (published as httpx2), rather than a second one.
import httpx2 as httpx

from desktop.core.clock import utc_now
from desktop.retry_after import retry_after_seconds
from desktop.sync.config import is_loopback_host
from desktop.sync.errors import (
    BackendUnavailable,
    BackendUnreachable,
    RateLimited,
    RequestRejected,
    SignInNeeded,
    StaleRevision,
)

SESSIONS_PATH = "/api/v1/training-sessions"
USAGE_PATH = "/api/v1/usage/today"
PERSONAS_PATH = "/api/v1/personas"
ASSIGNMENTS_PATH = "/api/v1/assignments"
ME_PATH = "/api/v1/me"
REJECTED_STATUSES = (400, 413, 422)
MAX_MESSAGE = 500


@dataclass(frozen=True)
class PutAccepted:
    remote_id: int | None
    revision: int | None
    created: bool


@dataclass(frozen=True)
class SessionPage:
    sessions: list[dict]
    next_cursor: str | None
    server_date: datetime | None  # the server's clock when it answered (a pull watermark immune to skew)
    deleted: list[dict] = field(default_factory=list)  # tombstones on this page (an older server sends none)


@dataclass(frozen=True)
class PersonasAnswer:
    personas: list | None  # None: not modified since the ETag we sent
    etag: str


class BackendClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout_s: float = 20.0,
        max_connections: int = 8,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._host = urlsplit(self.base_url).hostname or self.base_url
        self._token = token
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            # A proxy from the environment is for the internet, never for a server on this computer.
            trust_env=not is_loopback_host(self._host),
            follow_redirects=False,  # a redirect could carry the token somewhere else, or to plain http
            headers={"Accept": "application/json", "User-Agent": "RoleplayTrainer-sync/1"},
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"BackendClient({self.base_url!r})"

    def set_token(self, token: str) -> None:
        self._token = token

    def close(self) -> None:
        self._http.close()

    # -- endpoints --------------------------------------------------------------------------------------------------

    def put_session(self, client_session_id: str, body: bytes) -> PutAccepted:
        """Creates or updates one session (idempotent on the server)."""
        response = self._send(
            "PUT",
            f"{SESSIONS_PATH}/{quote(client_session_id, safe='')}",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        _raise_for_conflict(response)
        self._raise_for_status(response)
        data = _json_object(response, strict=False)
        remote_id, revision = data.get("id"), data.get("revision")
        return PutAccepted(
            remote_id if isinstance(remote_id, int) else None,
            revision if isinstance(revision, int) else None,
            response.status_code == 201,
        )

    def delete_session(self, client_session_id: str, revision: int, device_id: str) -> int:
        """Deletes one session on the backend (it keeps a tombstone other devices pull); the revision it holds."""
        response = self._send(
            "DELETE",
            f"{SESSIONS_PATH}/{quote(client_session_id, safe='')}",
            params={"revision": revision, "device_id": device_id},
        )
        _raise_for_conflict(response)
        self._raise_for_status(response)
        held = _json_object(response, strict=False).get("revision")
        return held if isinstance(held, int) else revision

    def list_sessions(
        self,
        updated_since: str,
        *,
        cursor: str | None = None,
        limit: int = 100,
        device_id: str | None = None,
        exclude_device_id: str | None = None,
    ) -> SessionPage:
        params: dict[str, str | int] = {"updated_since": updated_since, "limit": limit}
        if cursor:
            params["cursor"] = cursor
        if device_id:
            params["device_id"] = device_id
        if exclude_device_id:
            params["exclude_device_id"] = exclude_device_id
        response = self._send("GET", SESSIONS_PATH, params=params)
        self._raise_for_status(response)
        data = _json_object(response)
        sessions, next_cursor = data.get("sessions"), data.get("next_cursor")
        deleted = data.get("deleted") or []
        if (
            not isinstance(sessions, list)
            or not isinstance(deleted, list)
            or not (next_cursor is None or isinstance(next_cursor, str))
        ):
            raise _bad_answer(response, "a session page")
        return SessionPage(
            [s for s in sessions if isinstance(s, dict)],
            next_cursor or None,
            _server_date(response),
            [d for d in deleted if isinstance(d, dict)],
        )

    def usage_today(self) -> dict:
        response = self._send("GET", USAGE_PATH)
        self._raise_for_status(response)
        return _json_object(response)

    def personas(self, etag: str = "") -> PersonasAnswer:
        response = self._send("GET", PERSONAS_PATH, headers={"If-None-Match": etag} if etag else None)
        if response.status_code == 304:
            return PersonasAnswer(None, etag)
        self._raise_for_status(response)
        personas = _json_object(response).get("personas")
        if not isinstance(personas, list):
            raise _bad_answer(response, "the persona list")
        return PersonasAnswer(personas, response.headers.get("ETag", ""))

    def me(self) -> dict:
        """Who the token belongs to: email, name, role, team and the dashboard's address."""
        response = self._send("GET", ME_PATH)
        self._raise_for_status(response)
        return _json_object(response)

    def assignments(self) -> list:
        """The member's assignments; [] from a server that has none (404: it predates them)."""
        response = self._send("GET", ASSIGNMENTS_PATH)
        if response.status_code == 404:
            return []
        self._raise_for_status(response)
        entries = _json_object(response).get("assignments")
        if not isinstance(entries, list):
            raise _bad_answer(response, "the assignment list")
        return entries

    # -- plumbing ---------------------------------------------------------------------------------------------------

    def _send(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token}", **(kwargs.pop("headers", None) or {})}
        try:
            return self._http.request(method, path, headers=headers, **kwargs)
        except httpx.ConnectTimeout as exc:
            raise BackendUnreachable(
                f"The team backend ({self._host}) could not be reached in time. Sessions stay queued and sync "
                "when you are back online.",
                detail=f"{method} {path}: {type(exc).__name__}",
            ) from None
        except httpx.TimeoutException as exc:
            raise BackendUnavailable(
                f"The team backend ({self._host}) did not answer in time. Retrying later.",
                detail=f"{method} {path}: {type(exc).__name__}",
            ) from None
        except (httpx.ConnectError, httpx.UnsupportedProtocol, httpx.ProxyError) as exc:
            raise BackendUnreachable(
                f"Could not connect to the team backend ({self._host}). Sessions stay queued and sync when you are "
                "back online.",
                detail=f"{method} {path}: {type(exc).__name__}: {exc}",
            ) from None
        except (httpx.TransportError, OSError) as exc:
            raise BackendUnavailable(
                f"The connection to the team backend ({self._host}) broke. Retrying later.",
                detail=f"{method} {path}: {type(exc).__name__}: {exc}",
            ) from None

    def _raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        where = f"{response.request.method} {response.request.url.path}"
        if status in (401, 403):
            raise SignInNeeded(
                "The team backend no longer accepts your sign-in. Sign in again to resume sync; "
                "your sessions stay queued.",
                status_code=status,
                detail=f"{where}: {status}",
            )
        if status == 429:
            seconds = retry_after_seconds(response.headers, utc_now())
            raise RateLimited(
                "The team backend asked to slow down. Sync resumes shortly.",
                seconds,
                detail=f"{where}: 429, Retry-After {response.headers.get('Retry-After')!r}",
            )
        if status in REJECTED_STATUSES:
            raise RequestRejected(
                _rejection_message(response), status, detail=f"{where}: {status} {response.text[:300]!r}"
            )
        if status >= 500:
            raise BackendUnavailable(
                f"The team backend had a problem (HTTP {status}). Retrying later.",
                detail=f"{where}: {status} {response.text[:200]!r}",
            )
        raise BackendUnavailable(
            f"The team backend gave an unexpected answer (HTTP {status}). Check its address in Settings.",
            detail=f"{where}: {status} {response.text[:200]!r}",
        )


def _raise_for_conflict(response: httpx.Response) -> None:
    if response.status_code != 409:
        return
    data = _json_object(response, strict=False)
    server_revision = data.get("server_revision")
    if not isinstance(server_revision, int):
        raise BackendUnavailable(
            "The team backend reported a conflict without saying which revision it holds. Retrying later.",
            detail=f"409 without server_revision: {response.text[:200]!r}",
        )
    error = data.get("error") if data.get("error") == "deleted" else "stale_revision"
    words = "deleted this session" if error == "deleted" else f"holds a newer copy (revision {server_revision})"
    raise StaleRevision(f"The team backend {words}.", server_revision, error=error)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (see desktop.retry_after: the grader reads it the same way)."""
    return retry_after_seconds({"retry-after": value} if value is not None else {}, now or utc_now())


def _rejection_message(response: httpx.Response) -> str:
    """The server's own words for a refused body, shortened for a status line."""
    data = _json_object(response, strict=False)
    parts = []
    details = data.get("details")
    if isinstance(details, list):
        for item in details[:5]:
            if isinstance(item, dict):
                field, message = str(item.get("field") or "").strip(), str(item.get("message") or "").strip()
                parts.append(f"{field}: {message}" if field else message)
    if not parts:
        for key in ("message", "error"):
            if isinstance(data.get(key), str) and data[key].strip():
                parts.append(data[key].strip())
                break
    text = "; ".join(p for p in parts if p) or f"HTTP {response.status_code}"
    said = text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."
    return f"The team backend refused this session ({said})."


def _json_object(response: httpx.Response, strict: bool = True) -> dict:
    try:
        data = json.loads(response.content)
    except ValueError:
        data = None
    if isinstance(data, dict):
        return data
    if strict:
        raise _bad_answer(response, "JSON")
    return {}


def _bad_answer(response: httpx.Response, what: str) -> BackendUnavailable:
    return BackendUnavailable(
        f"The team backend sent an answer this app cannot read (expected {what}). Retrying later.",
        detail=f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text[:200]!r}",
    )


def _server_date(response: httpx.Response) -> datetime | None:
    try:
        moment = parsedate_to_datetime(response.headers.get("Date", ""))
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment is not None and moment.tzinfo is not None else None

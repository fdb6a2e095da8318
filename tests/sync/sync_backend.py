"""A team backend for tests and benchmarks: the sync contract (docs/sync-api.yaml) on 127.0.0.1, sessions in a
real SQLite file, every request body validated against the OpenAPI file (and every answer too, so the fake cannot
drift from the contract), and faults on demand: 500s, 429 with Retry-After, stalls past the client's timeout,
connections reset after the server committed, 401, 422.

Run on its own (for benchmarks): python -m tests.sync.sync_backend --db FILE [--port N] [--token T]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import socket
import sqlite3
import struct
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from tests.sync.sync_contract import Contract

SESSIONS = "/api/v1/training-sessions"
STATS_PATH = "/__test__/stats"  # outside the contract: request counts, for a benchmark that runs us as a process
MAX_BODY = 8_000_000

# -- the server ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """What to do to one request: '500', '429', 'stall' (before committing), 'stall_after_commit',
    'reset_after_commit' (commit, then a reset mid-response), '401', '422'."""

    kind: str
    retry_after: str = "1"
    message: str = "the test backend refused this session"


FaultPlan = Callable[[str, str, dict | None], Fault | None]  # (method, route, body) -> fault or None


@dataclass(frozen=True)
class Seen:
    method: str
    route: str
    status: int  # 0 when the connection was dropped without an answer
    token: str
    fault: str = ""
    client_session_id: str = ""


@dataclass
class SyncBackend:
    db_path: Path
    tokens: dict[str, str] = field(default_factory=lambda: {"test-token": "sam"})
    stall_s: float = 30.0
    faults: FaultPlan | None = None
    usage: dict = field(
        default_factory=lambda: {
            "sessions_today": 0,
            "minutes_today": 0,
            "max_sessions_per_day": None,
            "max_session_minutes": 10,
        }
    )
    personas: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.contract = Contract()
        self.put_schema = self.contract.request_schema(SESSIONS + "/{client_session_id}", "put")
        self.seen: list[Seen] = []
        self.contract_violations: list[str] = []
        self._changed = threading.Condition()
        self._release = threading.Event()
        self._db_lock = threading.Lock()
        self._db = sqlite3.connect(str(self.db_path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode = wal")
        self._db.execute("PRAGMA synchronous = normal")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS sessions (id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL,"
            " client_session_id TEXT NOT NULL, revision INTEGER NOT NULL, device_id TEXT NOT NULL,"
            " document TEXT NOT NULL, updated_seq INTEGER NOT NULL, updated_at TEXT NOT NULL,"
            " UNIQUE (user, client_session_id))"
        )
        self._server: ThreadingHTTPServer | None = None

    # -- life ------------------------------------------------------------------------------------------------------

    def start(self, port: int = 0) -> str:
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._server.daemon_threads = True
        self._server.backend = self  # type: ignore[attr-defined]
        threading.Thread(target=self._server.serve_forever, name="sync-backend", daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._release.set()  # stalled requests end now
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        with self._db_lock:
            self._db.close()

    # -- what tests look at ----------------------------------------------------------------------------------------

    def documents(self, user: str = "sam") -> dict[str, dict]:
        with self._db_lock:
            rows = self._db.execute("SELECT document FROM sessions WHERE user = ?", (user,)).fetchall()
        return {doc["client_session_id"]: doc for doc in (json.loads(row[0]) for row in rows)}

    def row_count(self) -> int:
        with self._db_lock:
            return self._db.execute("SELECT count(*) FROM sessions").fetchone()[0]

    def wait_until(self, predicate: Callable[[list[Seen]], bool], timeout: float = 10.0) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self.seen), timeout)

    def seed(self, document: dict, user: str = "sam") -> int:
        """Stores a document as if another device had pushed it (checked against the contract like any)."""
        problems = self.contract.errors(document, self.put_schema)
        assert not problems, problems
        status, answer = self._upsert(user, document)
        assert status in (200, 201), answer
        return answer["id"]

    # -- handling --------------------------------------------------------------------------------------------------

    def handle(self, handler: _Handler) -> None:
        parts = urlsplit(handler.path)
        route, key = _route(handler.command, parts.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if 0 < length <= MAX_BODY else b""
        auth = handler.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""
        note = _Note(handler.command, route, token, key)
        if handler.command == "GET" and parts.path == STATS_PATH:  # for benchmarks in another process
            with self._changed:
                counts = Counter(f"{s.method} {s.route} {s.status}" for s in self.seen)
            return self._answer(handler, note, 200, dict(counts), record=False)
        if route is None:
            return self._answer(handler, note, 404, {"error": "not_found"})
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                return self._answer(handler, note, 400, {"error": "bad_request", "details": [_d("", "not JSON")]})
        fault = self.faults(handler.command, route, body) if self.faults else None
        note.fault = fault.kind if fault else ""
        user = self.tokens.get(token)
        if user is None or (fault and fault.kind == "401"):
            return self._answer(handler, note, 401, {"error": "unauthorized"})
        if fault and fault.kind == "500":
            return self._answer(handler, note, 500, {"error": "internal"})
        if fault and fault.kind == "429":
            return self._answer(handler, note, 429, {"error": "slow_down"}, {"Retry-After": fault.retry_after})
        if fault and fault.kind == "stall":
            self._record(note, 0)
            self._release.wait(self.stall_s)
            return _drop(handler)
        if fault and fault.kind == "422":
            return self._answer(handler, note, 422, {"error": "invalid", "details": [_d("", fault.message)]})
        if route == "put":
            if length > MAX_BODY:
                handler.close_connection = True  # the unread body makes this connection unusable
                return self._answer(handler, note, 413, {"error": "too_large", "details": [_d("", "body too large")]})
            problems = self.contract.errors(body, self.put_schema)
            if not problems and body["client_session_id"] != key:
                problems = [("client_session_id", "differs from the address")]
            if problems:
                details = [_d(where, message) for where, message in problems]
                return self._answer(handler, note, 422, {"error": "invalid", "details": details})
            status, answer = self._upsert(user, body)
            if fault and fault.kind == "reset_after_commit":
                self._record(note, 0)
                return _drop(handler, partial=True)
            if fault and fault.kind == "stall_after_commit":
                self._record(note, 0)
                self._release.wait(self.stall_s)
                return _drop(handler)
            return self._answer(handler, note, status, answer)
        if route == "list":
            return self._list(handler, note, user, parse_qs(parts.query))
        if route == "usage":
            return self._answer(handler, note, 200, self.usage)
        etag = '"' + hashlib.sha256(json.dumps(self.personas, sort_keys=True).encode()).hexdigest()[:16] + '"'
        if handler.headers.get("If-None-Match") == etag:
            return self._answer(handler, note, 304, None, {"ETag": etag})
        return self._answer(handler, note, 200, {"personas": self.personas}, {"ETag": etag})

    def _upsert(self, user: str, doc: dict) -> tuple[int, dict]:
        with self._db_lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT id, revision FROM sessions WHERE user = ? AND client_session_id = ?",
                    (user, doc["client_session_id"]),
                ).fetchone()
                if row is not None and row[1] > doc["revision"]:
                    self._db.execute("ROLLBACK")
                    return 409, {"error": "stale_revision", "server_revision": row[1]}
                seq = self._db.execute("SELECT coalesce(max(updated_seq), 0) + 1 FROM sessions").fetchone()[0]
                values = (doc["revision"], doc["device_id"], json.dumps(doc), seq, _now())
                if row is None:
                    cursor = self._db.execute(
                        "INSERT INTO sessions (revision, device_id, document, updated_seq, updated_at, user,"
                        " client_session_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (*values, user, doc["client_session_id"]),
                    )
                    status, remote_id = 201, cursor.lastrowid
                else:
                    self._db.execute(
                        "UPDATE sessions SET revision = ?, device_id = ?, document = ?, updated_seq = ?,"
                        " updated_at = ? WHERE id = ?",
                        (*values, row[0]),
                    )
                    status, remote_id = 200, row[0]
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return status, {"id": remote_id, "client_session_id": doc["client_session_id"], "revision": doc["revision"]}

    def _list(self, handler: _Handler, note: _Note, user: str, query: dict) -> None:
        since = (query.get("updated_since") or [""])[0]
        try:
            moment = datetime.fromisoformat(since.replace("Z", "+00:00"))
            limit = int((query.get("limit") or ["100"])[0])
            before = int(base64.urlsafe_b64decode((query.get("cursor") or ["MA=="])[0]).decode() or 0)
        except ValueError:
            return self._answer(handler, note, 400, {"error": "bad_request", "details": [_d("", "bad query")]})
        with self._db_lock:
            rows = self._db.execute(
                "SELECT id, document, updated_seq FROM sessions WHERE user = ? AND updated_at >= ?"
                " AND (? = 0 OR updated_seq < ?) ORDER BY updated_seq DESC LIMIT ?",
                (user, _iso(moment), before, before, max(1, min(limit, 500)) + 1),
            ).fetchall()
        page = rows[: max(1, min(limit, 500))]
        more = len(rows) > len(page)
        cursor = base64.urlsafe_b64encode(str(page[-1][2]).encode()).decode() if more else None
        sessions = [{**json.loads(document), "id": remote_id} for remote_id, document, _ in page]
        return self._answer(handler, note, 200, {"sessions": sessions, "next_cursor": cursor})

    def _answer(
        self,
        handler: _Handler,
        note: _Note,
        status: int,
        body: object,
        headers: dict | None = None,
        record: bool = True,
    ) -> None:
        self._check_answer(note, status, body)
        if record:  # before the answer leaves, so a client that has it can count on the record
            self._record(note, status)
        data = b"" if body is None else json.dumps(body).encode()
        handler.send_response(status)
        for name, value in {
            "Content-Type": "application/json",
            "Content-Length": str(len(data)),
            **(headers or {}),
        }.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _check_answer(self, note: _Note, status: int, body: object) -> None:
        path = {"put": SESSIONS + "/{client_session_id}", "list": SESSIONS, "usage": "/api/v1/usage/today"}.get(
            note.route or "", "/api/v1/personas"
        )
        if note.route is None or note.fault or status >= 500:
            return  # injected faults and server errors are outside the contract by definition
        try:
            schema = self.contract.response_schema(path, note.method.lower(), status)
            problems = self.contract.errors(body, schema) if schema is not None else []
        except ValueError as exc:
            problems = [("", str(exc))]
        if problems:
            self.contract_violations.append(f"{note.method} {path} {status}: {problems}")

    def _record(self, note: _Note, status: int) -> None:
        with self._changed:
            self.seen.append(Seen(note.method, note.route or "?", status, note.token, note.fault, note.key))
            self._changed.notify_all()


@dataclass
class _Note:
    method: str
    route: str | None
    token: str
    key: str
    fault: str = ""


def _route(method: str, path: str) -> tuple[str | None, str]:
    if method == "PUT" and path.startswith(SESSIONS + "/"):
        return "put", unquote(path[len(SESSIONS) + 1 :])
    if method == "GET":
        return {SESSIONS: "list", "/api/v1/usage/today": "usage", "/api/v1/personas": "personas"}.get(path), ""
    return None, ""


def _d(where: str, message: str) -> dict:
    return {"field": where, "message": message}


def _now() -> str:
    return _iso(datetime.now(timezone.utc))


def _iso(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _drop(handler: _Handler, partial: bool = False) -> None:
    """Ends the connection without a complete answer: a TCP reset, after part of a response when `partial`."""
    handler.close_connection = True
    try:
        if partial:
            handler.wfile.write(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 90\r\n\r\n{"id"')
            handler.wfile.flush()
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()
    except OSError:
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real backend behind a proxy would offer
    server_version = "SyncTestBackend/1"
    timeout = 30
    # Headers and body leave in two writes; with Nagle's algorithm the second waits for a delayed ACK (~40 ms).
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.server.backend.handle(self)  # type: ignore[attr-defined]

    do_PUT = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass

    def finish(self) -> None:
        with contextlib.suppress(OSError):  # the connection was reset on purpose
            super().finish()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default="test-token")
    args = parser.parse_args()
    backend = SyncBackend(Path(args.db), tokens={args.token: "sam"})
    print(backend.start(args.port), flush=True)
    sys.stdin.read()  # serve until the parent closes our stdin
    backend.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

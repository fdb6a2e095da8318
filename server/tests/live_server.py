"""The real server as a process: `roleplay-server run` (gunicorn) on a free port, its data in a temporary folder,
on SQLite or on the DATABASE_URL given; and the CLI commands that prepare it."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from server_process import SERVER, ServerProcess


def server_env(data: Path, database_url: str | None, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["ROLEPLAY_SERVER_HOME"] = str(data)
    env["ROLEPLAY_SERVER_SECRET_KEY"] = "test-secret-key-" + data.name
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


@dataclass
class LiveServer:
    data: Path
    database_url: str | None
    port: int = 0
    process: subprocess.Popen | None = None
    log: list[str] = field(default_factory=list)
    extra_env: dict = field(default_factory=dict)
    _process: ServerProcess | None = None

    def cli(self, *args: str, input_text: str | None = None, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*SERVER, *args],
            env=server_env(self.data, self.database_url, **self.extra_env, **env),
            capture_output=True,
            text=True,
            timeout=120,
            input=input_text,
        )

    def start(self, workers: int = 2) -> None:
        self._process = ServerProcess(server_env(self.data, self.database_url, **self.extra_env))
        self.log = self._process.log
        self.port = self._process.start(workers, timeout_s=60)
        self.process = self._process.process

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()

    def request(
        self,
        method: str,
        path: str,
        body: object = None,
        token: str | None = None,
        headers: dict | None = None,
        raw: bytes | None = None,
    ) -> tuple[int, dict, object]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            sent = dict(headers or {})
            if token is not None:
                sent["Authorization"] = f"Bearer {token}"
            data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
            if data is not None:
                sent.setdefault("Content-Type", "application/json")
            conn.request(method, path, body=data, headers=sent)
            response = conn.getresponse()
            payload = response.read()
            answer_headers = {k.lower(): v for k, v in response.getheaders()}
            parsed: object = payload
            if answer_headers.get("content-type", "").startswith("application/json") and payload:
                parsed = json.loads(payload)
            return response.status, answer_headers, parsed
        finally:
            conn.close()


def make_server(database_url: str | None = None, **extra_env: str) -> LiveServer:
    data = Path(tempfile.mkdtemp(prefix="roleplay-live-"))
    return LiveServer(data, database_url, extra_env=extra_env)


def discard(server: LiveServer) -> None:
    server.stop()
    shutil.rmtree(server.data, ignore_errors=True)

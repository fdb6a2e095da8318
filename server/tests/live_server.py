"""The real server as a process: `roleplay-server run` (gunicorn) on a free port, its data in a temporary folder,
on SQLite or on the DATABASE_URL given; and the CLI commands that prepare it."""

from __future__ import annotations

import http.client
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from pg_cluster import free_port

SERVER = [sys.executable, "-m", "roleplay_server.cli"]


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
        self.port = free_port()
        self.process = subprocess.Popen(
            [*SERVER, "run", "--port", str(self.port), "--workers", str(workers)],
            env=server_env(self.data, self.database_url, **self.extra_env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        ready: queue.Queue[bool] = queue.Queue()

        def read() -> None:
            # gunicorn says "Booting worker" once per worker after "Listening at": wait for the last worker.
            booted = 0
            for line in self.process.stdout:
                self.log.append(line)
                if "Booting worker" in line:
                    booted += 1
                    if booted == workers:
                        ready.put(True)
            ready.put(False)

        threading.Thread(target=read, daemon=True).start()
        try:
            ok = ready.get(timeout=60)
        except queue.Empty:
            ok = False
        if not ok:
            self.stop()
            raise RuntimeError("the server did not start:\n" + "".join(self.log))
        self._wait_answering()

    def _wait_answering(self) -> None:
        # A worker that has booted may still be importing Django: the first request waits for it (no sleep needed).
        status, _, _ = self.request("GET", "/accounts/login/")
        assert status == 200, status

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

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

"""The real server as a process, one starter for both test trees (the server's own tests, run from server/, and the
desktop app's sync tests and the benchmarks, run from the repository root): `roleplay-server run` (gunicorn) on a
free loopback port with the environment given, ready once every worker has booted and one answers over HTTP; its
output kept line by line (the access log) for tests that read it."""

from __future__ import annotations

import http.client
import queue
import socket
import subprocess
import sys
import threading
from pathlib import Path

SERVER = [sys.executable, "-m", "roleplay_server.cli"]
HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.log: list[str] = []
        self._logged = threading.Condition()

    def start(self, workers: int = 2, timeout_s: float = 90.0) -> int:
        """Starts the server and returns its port; raises RuntimeError (with its output) when it does not come up."""
        self.port = free_port()
        self.process = subprocess.Popen(
            [*SERVER, "run", "--port", str(self.port), "--workers", str(workers)],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        ready: queue.Queue[bool] = queue.Queue()
        process = self.process

        def read() -> None:
            # gunicorn says "Booting worker" once per worker after "Listening at": wait for the last worker.
            booted = 0
            for line in process.stdout:
                with self._logged:
                    self.log.append(line)
                    self._logged.notify_all()
                if "Booting worker" in line:
                    booted += 1
                    if booted == workers:
                        ready.put(True)
            ready.put(False)

        threading.Thread(target=read, daemon=True).start()
        try:
            ok = ready.get(timeout=timeout_s)
        except queue.Empty:
            ok = False
        if not ok:
            self.stop()
            raise RuntimeError("the server did not start:\n" + "".join(self.log))
        # A worker that has booted may still be importing Django: the first request waits for it (no sleep needed).
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("GET", "/accounts/login/")
            status = conn.getresponse().status
        finally:
            conn.close()
        if status != 200:
            self.stop()
            raise RuntimeError(f"the server answered {status} to its sign-in page:\n" + "".join(self.log))
        return self.port

    def logged_since(self, start: int, marker: str, timeout_s: float = 10.0) -> list[str]:
        """The output's lines from `start` on, once a line containing `marker` has come through."""
        with self._logged:
            self._logged.wait_for(lambda: any(marker in line for line in self.log[start:]), timeout_s)
            return self.log[start:]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

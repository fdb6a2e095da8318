"""Sync throughput: 1,000 finished sessions of 100 lines pushed to the loopback test backend (its own process) by
the app's sync thread, beside a plain HTTP-client loop doing the same uploads with bodies built beforehand (the
limit). Sessions per second, requests per session, and the time ratio to the plain loop.

Target: the sync thread within 1.5x of the plain loop's time.
Run: .venv/bin/python benchmarks/sync.py [--sessions N] [--lines N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx2 as httpx  # noqa: E402

from benchmarks.common import generate_history, median, percentile  # noqa: E402
from desktop.settings import Settings  # noqa: E402
from desktop.store.db import Store  # noqa: E402
from desktop.store.documents import session_document  # noqa: E402
from desktop.store.queries import SessionQueries  # noqa: E402
from desktop.store.sessions import SessionRepository  # noqa: E402
from desktop.sync.service import SyncOptions, SyncService  # noqa: E402
from desktop.sync.status import SyncPhase  # noqa: E402
from tests.sync.sync_backend import STATS_PATH  # noqa: E402

TOKEN = "bench-token"


class Backend:
    """The test backend in a process of its own, so its work does not share this process's interpreter lock."""

    def __init__(self, folder: Path, name: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.sync.sync_backend", "--db", str(folder / f"{name}.db"), "--token", TOKEN],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.url = self.process.stdout.readline().strip()

    def stats(self) -> dict[str, int]:
        return httpx.get(self.url + STATS_PATH, trust_env=False).json()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(30)


def plain_loop(url: str, bodies: list[tuple[str, bytes]]) -> tuple[float, list[float]]:
    latencies = []
    with httpx.Client(base_url=url, trust_env=False, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        began = time.perf_counter()
        for client_session_id, body in bodies:
            start = time.perf_counter()
            answer = client.put(
                f"/api/v1/training-sessions/{client_session_id}",
                content=body,
                headers={"Content-Type": "application/json"},
            )
            latencies.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 201, answer.text
        return time.perf_counter() - began, latencies


def sync_thread(url: str, store: Store, sessions: int) -> float:
    store.db.execute_sql("UPDATE sessions SET synced_revision = 0, remote_id = NULL")
    store.db.execute_sql("DELETE FROM sync_cache")
    os.environ["ROLEPLAY_BACKEND_TOKEN"] = TOKEN
    settings = Settings(backend_url=url, device_id="bench-device")
    service = SyncService(settings, SessionRepository(store), SessionQueries(), SyncOptions())
    began = time.perf_counter()
    service.start()
    done = service.status.wait_for(lambda s: s.phase is SyncPhase.SYNCED and s.pending == 0, 600)
    elapsed = time.perf_counter() - began
    service.stop()
    assert done, service.status.state
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        store = Store.open(folder / "roleplay.db")
        generate_history(store.db, args.sessions, args.lines)
        queries = SessionQueries()
        ids = [row[0] for row in store.db.execute_sql("SELECT id FROM sessions ORDER BY id")]
        documents = [session_document(queries.get_session(i), "bench-device") for i in ids]
        bodies = [(d["client_session_id"], json.dumps(d, separators=(",", ":")).encode()) for d in documents]
        size = sum(len(body) for _, body in bodies) / len(bodies)
        print(f"{args.sessions} sessions x {args.lines} lines, {size / 1000:.1f} kB per session document")

        plain_times, sync_times, latencies, requests = [], [], [], {}
        for run in range(args.runs):
            backend = Backend(folder, f"plain{run}")
            try:
                elapsed, run_latencies = plain_loop(backend.url, bodies)
            finally:
                backend.close()
            plain_times.append(elapsed)
            latencies += run_latencies
            backend = Backend(folder, f"sync{run}")
            try:
                sync_times.append(sync_thread(backend.url, store, args.sessions))
                requests = backend.stats()
            finally:
                backend.close()
            print(f"run {run + 1}: plain loop {plain_times[-1]:.2f} s, sync thread {sync_times[-1]:.2f} s")
        store.close()

    plain, ours = median(plain_times), median(sync_times)
    puts = sum(count for key, count in requests.items() if key.startswith("PUT "))
    print(f"plain loop:  {args.sessions / plain:7.1f} sessions/s, 1.00 requests/session,")
    print(
        f"             PUT latency median {median(latencies):.2f} ms, p95 {percentile(latencies, 0.95):.2f} ms, "
        f"p99 {percentile(latencies, 0.99):.2f} ms"
    )
    print(f"sync thread: {args.sessions / ours:7.1f} sessions/s, {puts / args.sessions:.2f} requests/session (PUT)")
    print(f"             all requests in the last run, by answer: {requests}")
    print(f"ratio (sync time / plain time, median of {args.runs}): {ours / plain:.2f}  (target <= 1.5)")


if __name__ == "__main__":
    main()

"""Team server push throughput and latency: D simulated devices (one member and token each) push S sessions of L
transcript lines each, all devices in parallel, with the app's idempotent PUT, against the real server
(`roleplay-server run`, gunicorn): PostgreSQL with 4 workers and SQLite with 1. Sessions per second, p50/p95/p99
PUT latency, and exactly one row per session at the end. Beside it, the same load as a bare
`INSERT ... ON CONFLICT DO UPDATE` loop on the same database: the same row the server writes for each session (its
columns and document, into the server's own table with its indexes and foreign keys), one connection per device,
one transaction per session, all devices in parallel. The ratio of the two times is the server's overhead (target
within 2x). And the floor: the same number of trivial
authenticated GETs (/api/v1/me) from the same devices, what HTTP + Django + the token cost before any push work.

Full size (the issue's): 50 devices x 200 sessions x 100 lines. Run:
  .venv/bin/python benchmarks/server_push.py [--devices 50] [--sessions 200] [--lines 100] [--backends postgres,sqlite]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sqlite3
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "server" / "tests"))

from pg_cluster import PostgresCluster, find_bin_dir  # noqa: E402

from benchmarks.common import median, percentile  # noqa: E402
from tests.sync.team_server import TEAM, TeamServer  # noqa: E402


def session_body(device: str, index: int, lines: int) -> dict:
    """A finished, graded session as the app sends it (about 100 bytes a line)."""
    return {
        "client_session_id": str(uuid.uuid4()),
        "revision": 1,
        "device_id": device,
        "mode": "voice",
        "persona": {"id": "walter-briggs", "name": "Walter Briggs", "motivation_level": "low"},
        "scenario": {"id": "cold-call-first-contact", "title": "First contact cold call", "difficulty": "PRO"},
        "agent_id": "agent_bench",
        "conversation_id": f"conv_{device}_{index}",
        "started_at": "2026-11-20T15:04:05Z",
        "ended_at": "2026-11-20T15:11:32Z",
        "duration_seconds": 447,
        "status": "completed",
        "end_reason": "user_hangup",
        "transcript": [
            {
                "seq": seq,
                "speaker": "seller" if seq % 2 else "trainee",
                "text": f"Line {seq} of call {index}: how many acres, and is there road access to the back forty?",
                "offset_ms": seq * 3000,
                "duration_ms": 2500,
                "interrupted": False,
            }
            for seq in range(1, lines + 1)
        ],
        "metrics": {"talk_ratio": 0.46, "questions": 12},
        "grade": {
            "rapport": 72,
            "discovery": 64,
            "objection_handling": 58,
            "closing": 40,
            "overall": 59,
            "strengths": ["Warm opener"],
            "improvements": ["Ask for the timeline"],
            "recommendations": [],
            "grader": "heuristic",
            "graded_at": "2026-11-20T15:11:40Z",
        },
        "virtual_earnings": 0,
        "xp_earned": 120,
    }


def start_server(backend: str, workers: int, database_url: str | None) -> TeamServer:
    import tempfile

    server = TeamServer(Path(tempfile.mkdtemp(prefix=f"roleplay-bench-{backend}-")))
    extra = {"ROLEPLAY_SERVER_SYNC_RATE": "0", "ROLEPLAY_SERVER_LOG_LEVEL": "WARNING"}
    if database_url:
        extra["DATABASE_URL"] = database_url
    base_env = server.env

    def env() -> dict:
        return {**base_env(), **extra}

    server.env = env  # type: ignore[method-assign]
    server.cli("init", "--team", TEAM, "--admin", "coach@bench.example")
    server.start(workers)
    return server


def make_tokens(server: TeamServer, devices: int) -> tuple[list[str], list[tuple[int, int]]]:
    """A member and token per device: (tokens, (member id, team id) of each)."""
    out = server.shell(
        "from roleplay_server.team.models import Team\n"
        "from roleplay_server.team.people import add_member\n"
        "from roleplay_server.team.tokens import create_token\n"
        f"team = Team.objects.get(name={TEAM!r})\n"
        f"for n in range({devices}):\n"
        "    m = add_member(team, f'device{n}@bench.example', 'trainee')\n"
        "    print(m.pk, m.team_id, create_token(m, f'device {n}')[1])\n"
    )
    found = [line.split() for line in out.splitlines() if " rpt_" in line]
    assert len(found) == devices, out[-500:]
    return [token for _m, _t, token in found], [(int(m), int(t)) for m, t, _token in found]


def push_load(port: int, tokens: list[str], bodies: list[list[bytes]]) -> tuple[float, list[float]]:
    """Every device on its own thread and keep-alive connection; (wall seconds, PUT latencies in ms)."""
    work = [
        # '{"client_session_id":"<uuid>"': dumped compactly, the id comes first
        [("PUT", f"/api/v1/training-sessions/{body[22:58].decode()}", body) for body in mine]
        for mine in bodies
    ]
    return _load(port, tokens, work, 201)


def floor_load(port: int, tokens: list[str], per_device: int) -> tuple[float, list[float]]:
    """The floor of HTTP + Django + the token per request on this machine: the same devices, the same number of
    requests, each a trivial authenticated GET (/api/v1/me: one token lookup, no write)."""
    return _load(port, tokens, [[("GET", "/api/v1/me", None)] * per_device for _ in tokens], 200)


def _load(port: int, tokens: list[str], work: list[list[tuple]], expect: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    go = threading.Event()

    def device(token: str, mine: list[tuple]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        own = []
        go.wait()
        for method, path, body in mine:
            start = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            own.append((time.perf_counter() - start) * 1000)
            if response.status != expect:
                raise RuntimeError(f"{method} answered {response.status}")
        conn.close()
        with lock:
            latencies.extend(own)

    with ThreadPoolExecutor(len(tokens)) as pool:
        futures = [pool.submit(device, token, mine) for token, mine in zip(tokens, work, strict=True)]
        start = time.perf_counter()
        go.set()
        for future in futures:
            future.result()
        wall = time.perf_counter() - start
    return wall, latencies


# The columns the server writes for a new session (team_trainingsession, see session_store.summary_columns), in
# the order of BARE_SQL: the baseline writes the same row, with the same values, into the same table (its unique
# key, its three secondary indexes, its foreign keys and its jsonb/text document) that the server writes.
BARE_COLUMNS = (
    "member_id, team_id, client_session_id, revision, device_id, document, deleted_at, updated_at, mode, status,"
    " end_reason, persona_id, persona_name, scenario_id, scenario_title, difficulty, started_at, duration_seconds,"
    " overall, rapport, discovery, objection_handling, closing, xp_earned, virtual_earnings"
)
BARE_SQL = (
    "INSERT INTO team_trainingsession (" + BARE_COLUMNS + ") VALUES ({values})"
    " ON CONFLICT (member_id, client_session_id) DO UPDATE SET revision = excluded.revision,"
    " document = excluded.document, updated_at = excluded.updated_at"
    " WHERE team_trainingsession.revision <= excluded.revision"
)
SCORES = ("overall", "rapport", "discovery", "objection_handling", "closing")


def bare_rows(backend: str, member: tuple[int, int], mine: list[bytes]) -> list[list]:
    """Each session as the server's row, under a new key (the server's rows keep theirs): built before the clock
    starts, since the baseline is the database's share alone."""
    from datetime import datetime, timezone

    rows = []
    for body in mine:
        old_key, new_key = body[22:58].decode(), uuid.uuid4()
        text = body.decode().replace(old_key, str(new_key), 1)
        doc = json.loads(text)
        persona, scenario, grade = doc["persona"], doc["scenario"], doc.get("grade") or {}
        started = datetime.fromisoformat(doc["started_at"].replace("Z", "+00:00"))
        if backend == "sqlite":  # as Django stores them there: hex UUIDs, naive UTC text instants
            key, started = new_key.hex, started.astimezone(timezone.utc).replace(tzinfo=None).isoformat(" ")
        else:
            key = new_key
        rows.append(
            [
                member[0],
                member[1],
                key,
                doc["revision"],
                doc["device_id"],
                text,
                None,
                None,  # updated_at: the moment of the write, filled in the loop
                doc["mode"],
                doc["status"],
                doc.get("end_reason") or "",
                persona["id"],
                persona["name"],
                scenario.get("id") or "",
                scenario.get("title") or "",
                scenario["difficulty"],
                started,
                doc.get("duration_seconds"),
                *(grade.get(score) for score in SCORES),
                doc["xp_earned"],
                doc["virtual_earnings"],
            ]
        )
    return rows


def bare_upsert_load(backend: str, target: str, bodies: list[list[bytes]], members: list[tuple[int, int]]) -> float:
    """The same sessions as the server's rows through INSERT ... ON CONFLICT DO UPDATE into the server's own table,
    one connection per device, one transaction (a commit) per session, all devices in parallel."""
    from datetime import datetime, timezone

    if backend == "postgres":
        import psycopg

        def connect():
            return psycopg.connect(target, autocommit=True)

        values = ", ".join("%s::jsonb" if n == 5 else "%s" for n in range(25))
        statement = BARE_SQL.format(values=values)
    else:

        def connect():  # as the server's connections are set up (Django's backend and datadir.sqlite_settings)
            db = sqlite3.connect(target, timeout=60, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            return db

        statement = BARE_SQL.format(values=", ".join(["?"] * 25))
    work = [bare_rows(backend, member, mine) for member, mine in zip(members, bodies, strict=True)]
    go = threading.Event()

    def device(rows: list[list]) -> None:
        db = connect()
        go.wait()
        for row in rows:
            now = datetime.now(timezone.utc)
            row[7] = now.replace(tzinfo=None).isoformat(" ") if backend == "sqlite" else now
            db.execute(statement, row)
        db.close()

    with ThreadPoolExecutor(len(bodies)) as pool:
        futures = [pool.submit(device, rows) for rows in work]
        start = time.perf_counter()
        go.set()
        for future in futures:
            future.result()
        return time.perf_counter() - start


def count_rows(backend: str, target: str, table: str, where: str = "") -> int:
    if backend == "postgres":
        import psycopg

        with psycopg.connect(target) as db:
            return db.execute(f"SELECT count(*) FROM {table} {where}").fetchone()[0]
    with sqlite3.connect(target) as db:
        return db.execute(f"SELECT count(*) FROM {table} {where}").fetchone()[0]


def run(backend: str, devices: int, sessions: int, lines: int, cluster: PostgresCluster | None) -> dict:
    workers = 4 if backend == "postgres" else 1
    database_url = None
    if backend == "postgres":
        assert cluster is not None
        database_url = cluster.url
    server = start_server(backend, workers, database_url)
    try:
        tokens, members = make_tokens(server, devices)
        bodies = [
            [json.dumps(session_body(f"device-{d}", i, lines), separators=(",", ":")).encode() for i in range(sessions)]
            for d in range(devices)
        ]
        wall, latencies = push_load(server.port, tokens, bodies)
        floor_wall, floor_latencies = floor_load(server.port, tokens, sessions)
        target = database_url or str(server.data / "roleplay-server.sqlite3")
        rows = count_rows(backend, target, "team_trainingsession")
        distinct = count_rows(
            backend, target, "(SELECT DISTINCT member_id, client_session_id FROM team_trainingsession) AS d"
        )
        bare = bare_upsert_load(backend, target, bodies, members)
        bare_rows = count_rows(backend, target, "team_trainingsession") - rows
    finally:
        server.stop()
    total = devices * sessions
    return {
        "backend": backend,
        "workers": workers,
        "sessions": total,
        "lines_per_session": lines,
        "body_kib": round(len(bodies[0][0]) / 1024, 1),
        "sessions_per_s": round(total / wall, 1),
        "put_ms_p50": round(median(latencies), 1),
        "put_ms_p95": round(percentile(latencies, 0.95), 1),
        "put_ms_p99": round(percentile(latencies, 0.99), 1),
        "rows": rows,
        "one_row_per_session": rows == distinct == total and bare_rows == total,
        "bare_upsert_sessions_per_s": round(total / bare, 1),
        "bare_rows": bare_rows,  # the baseline's own rows, beside the server's in the same table
        "time_ratio_to_bare_upsert": round(wall / bare, 2),
        "floor_get_me_per_s": round(total / floor_wall, 1),
        "floor_get_ms_p50": round(median(floor_latencies), 1),
        "floor_get_ms_p95": round(percentile(floor_latencies, 0.95), 1),
        "floor_time_ratio_to_bare_upsert": round(floor_wall / bare, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--sessions", type=int, default=200, help="per device")
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--backends", default="postgres,sqlite")
    args = parser.parse_args()
    results = []
    cluster = None
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "postgres" in backends:
        if find_bin_dir() is None:
            print("PostgreSQL binaries missing: skipping postgres", file=sys.stderr)
            backends.remove("postgres")
        else:
            cluster = PostgresCluster.start()
    try:
        for backend in backends:
            result = run(backend, args.devices, args.sessions, args.lines, cluster)
            print(json.dumps(result), flush=True)
            results.append(result)
    finally:
        if cluster is not None:
            cluster.stop()
    print(f"cores: {os.cpu_count()}")
    return 0 if all(r["one_row_per_session"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

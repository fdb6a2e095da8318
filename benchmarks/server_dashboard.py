"""Team server dashboard pages under load of data: a team of M members with C synced calls (spread over a year),
on PostgreSQL with 4 gunicorn workers; the coach signed in over HTTP. p50/p95 time of the team overview, a member's
page and a leaderboard (each asked R times, round-robin over members and periods). Target: each under 200 ms at p95.

Full size (the issue's): 50 members, 20,000 calls. Run:
  .venv/bin/python benchmarks/server_dashboard.py [--members 50] [--calls 20000] [--repeat 40]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "server" / "tests"))

from pg_cluster import PostgresCluster, find_bin_dir  # noqa: E402

from benchmarks.common import median, percentile  # noqa: E402
from benchmarks.server_push import start_server  # noqa: E402
from tests.sync.team_server import ADMIN_PASSWORD, TEAM  # noqa: E402

SEED = """
import random
from datetime import timedelta
from django.utils import timezone
from roleplay_server.demo import SELLERS, document
from roleplay_server.team.models import Team, TrainingSession
from roleplay_server.team.people import add_member
from roleplay_server.team.session_store import summary_columns
import uuid
rng = random.Random(7)
team = Team.objects.get(name={team!r})
now = timezone.now()
members = [add_member(team, f"m{{n}}@bench.example", "trainee", None, f"Member {{n}}") for n in range({members})]
rows = []
for n in range({calls}):
    member = members[n % len(members)]
    started = now - timedelta(days=rng.uniform(0, 365))
    doc = document(member.name, rng.choice(SELLERS), started, rng, rng.uniform(35, 85), f"laptop-{{member.pk}}")
    row = TrainingSession(member=member, team=team, client_session_id=uuid.UUID(doc["client_session_id"]),
                          revision=1, document=doc, updated_at=now)
    for key, value in summary_columns(doc).items():
        setattr(row, key, value)
    rows.append(row)
    if len(rows) == 1000:
        TrainingSession.objects.bulk_create(rows)
        rows = []
TrainingSession.objects.bulk_create(rows)
print("members", ",".join(str(m.pk) for m in members))
"""


def signed_in_opener(base: str, email: str, password: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": email, "password": password, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(base + "/accounts/login/", form, headers={"Referer": base + "/accounts/login/"})
    landed = opener.open(request)
    assert "/accounts/login/" not in landed.geturl(), "the coach could not sign in"
    return opener


def timed_pages(opener, base: str, paths: list[str], repeat: int) -> dict:
    samples: list[float] = []
    for n in range(repeat):
        path = paths[n % len(paths)]
        start = time.perf_counter()
        with opener.open(base + path) as response:
            body = response.read()
            assert response.status == 200 and b"<html" in body, path
        samples.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": round(median(samples), 1), "p95_ms": round(percentile(samples, 0.95), 1), "n": repeat}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    if find_bin_dir() is None:
        print("PostgreSQL binaries are missing (apt-get install postgresql)", file=sys.stderr)
        return 2
    cluster = PostgresCluster.start()
    try:
        server = start_server("postgres", 4, cluster.url)
        try:
            began = time.perf_counter()
            out = server.shell(SEED.format(team=TEAM, members=args.members, calls=args.calls))
            seeded_s = time.perf_counter() - began
            member_ids = [int(i) for i in out.split("members ", 1)[1].strip().split(",")]
            base = server.url
            opener = signed_in_opener(base, "coach@bench.example", ADMIN_PASSWORD)
            pages = {
                "team_overview": ["/"],
                "member_page": [f"/members/{pk}/" for pk in member_ids],
                "leaderboard": [
                    f"/leaderboards/?by={by}&period={period}"
                    for by in ("xp", "score", "calls")
                    for period in ("week", "month", "all")
                ],
            }
            for paths in pages.values():  # warm each worker's imports and templates once
                timed_pages(opener, base, paths, 8)
            result = {
                "members": args.members,
                "calls": args.calls,
                "seeded_s": round(seeded_s, 1),
                **{name: timed_pages(opener, base, paths, args.repeat) for name, paths in pages.items()},
            }
        finally:
            server.stop()
    finally:
        cluster.stop()
    print(json.dumps(result))
    return 0 if all(result[name]["p95_ms"] < 200 for name in pages) else 1


if __name__ == "__main__":
    sys.exit(main())

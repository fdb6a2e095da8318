"""The real team server (`server/`, `roleplay-server run`) as a process on a free loopback port with its data in a
temporary folder, for the desktop sync tests that talk to it over real sockets instead of the test backend.

Members, tokens, limits and team personas are made through the server's own command line (`init`, and Django's
`shell -c` through `roleplay-server manage`), never by writing its tables from here."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

# The server's tests folder holds the one starter both test trees use (it is not a package: add it to the path).
_SERVER_TESTS = Path(__file__).resolve().parents[2] / "server" / "tests"
if str(_SERVER_TESTS) not in sys.path:
    sys.path.append(str(_SERVER_TESTS))

from server_process import SERVER, ServerProcess  # noqa: E402

ADMIN_PASSWORD = "a-long-live-test-password-1"
TEAM = "Live Team"


@dataclass
class TeamServer:
    data: Path
    port: int = 0
    process: subprocess.Popen | None = None
    log: list[str] = field(default_factory=list)
    _process: ServerProcess | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
        env.update(
            ROLEPLAY_SERVER_HOME=str(self.data),
            ROLEPLAY_SERVER_SECRET_KEY="live-test-secret-" + self.data.name,
            ROLEPLAY_SERVER_TIME_ZONE="UTC",
            ROLEPLAY_SERVER_ADMIN_PASSWORD=ADMIN_PASSWORD,
        )
        return env

    def cli(self, *args: str) -> str:
        done = subprocess.run([*SERVER, *args], env=self.env(), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"roleplay-server {args[0]}: {done.stdout}\n{done.stderr}"
        return done.stdout

    def shell(self, code: str) -> str:
        """Runs Python inside the server's Django (its models and team helpers); returns what it printed."""
        return self.cli("manage", "shell", "-c", code)

    def start(self, workers: int = 2) -> None:
        self._process = ServerProcess(self.env())
        self.log = self._process.log
        self.port = self._process.start(workers)
        self.process = self._process.process

    def logged_since(self, start: int, marker: str, timeout: float = 10.0) -> list[str]:
        """The access log's lines from `start` on, once a line containing `marker` has come through."""
        assert self._process is not None
        return self._process.logged_since(start, marker, timeout)

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()

    def request(self, method: str, path: str, body: object = None, token: str | None = None) -> tuple[int, object]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            data = None if body is None else json.dumps(body).encode()
            if data is not None:
                headers["Content-Type"] = "application/json"
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            try:
                return response.status, json.loads(payload) if payload else None
            except ValueError:
                return response.status, payload
        finally:
            conn.close()

    # -- the team ---------------------------------------------------------------------------------------------------

    def new_member(self, role: str = "trainee") -> tuple[str, str]:
        """A new member of the team with one device token: (email, token)."""
        email = f"m-{uuid.uuid4().hex[:10]}@live.example"
        out = self.shell(
            "from roleplay_server.team.models import Team\n"
            "from roleplay_server.team.people import add_member\n"
            "from roleplay_server.team.tokens import create_token\n"
            f"m = add_member(Team.objects.get(name={TEAM!r}), {email!r}, {role!r})\n"
            "print(create_token(m, 'laptop')[1])\n"
        )
        return email, out.strip().splitlines()[-1]

    def new_token(self, email: str) -> str:
        return self.cli("create-token", email, "--device", "laptop").strip()

    def revoke_tokens(self, email: str) -> None:
        self.shell(
            "from django.utils import timezone\n"
            "from roleplay_server.team.models import DeviceToken\n"
            f"DeviceToken.objects.filter(member__user__username={email!r}).update(revoked_at=timezone.now())\n"
        )

    def set_limits(self, email: str, per_day: int | None, minutes: int | None) -> None:
        self.shell(
            "from roleplay_server.team.models import UsageLimit\n"
            "from roleplay_server.team.people import find_member\n"
            f"m = find_member({email!r})\n"
            "UsageLimit.objects.update_or_create(member=m, defaults={'team': m.team,"
            f" 'max_sessions_per_day': {per_day!r}, 'max_session_minutes': {minutes!r}}})\n"
        )

    def save_persona(self, persona: dict) -> None:
        self.shell(
            "import json\n"
            "from roleplay_server.team.models import Team, TeamPersona\n"
            "from roleplay_server.team.personas import save_persona\n"
            f"team = Team.objects.get(name={TEAM!r})\n"
            f"data = json.loads({json.dumps(persona)!r})\n"
            "save_persona(team, data, TeamPersona.objects.filter(team=team, slug=data['id']).first())\n"
        )

    def assign(
        self,
        email: str | None,
        persona_id: str,
        scenario_id: str,
        difficulty: str,
        pass_mark: int,
        mode: str = "practice",
    ) -> None:
        """An assignment due in two days, for one member (or the whole team when email is None)."""
        self.shell(
            "from datetime import date, timedelta\n"
            "from roleplay_server.team.models import Assignment, Team\n"
            "from roleplay_server.team.people import find_member\n"
            f"email = {email!r}\n"
            "Assignment.objects.create(team=Team.objects.get(name=" + repr(TEAM) + "),"
            " member=find_member(email) if email else None,"
            f" persona_id={persona_id!r}, scenario_id={scenario_id!r}, difficulty={difficulty!r},"
            f" pass_mark={pass_mark}, mode={mode!r}, due_date=date.today() + timedelta(days=2))\n"
        )


def start_team_server(workers: int = 2) -> TeamServer:
    server = TeamServer(Path(tempfile.mkdtemp(prefix="roleplay-team-server-")))
    try:
        server.cli("init", "--team", TEAM, "--admin", "coach@live.example")
        server.start(workers)
    except BaseException:
        discard(server)
        raise
    return server


def discard(server: TeamServer) -> None:
    server.stop()
    shutil.rmtree(server.data, ignore_errors=True)

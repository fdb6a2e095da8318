"""Settings -> Team: the team server's address, the sign-in token (pasted from the server's Devices page, or made
with `roleplay-server create-token`), who that token signs you in as, and a link to the team's dashboard.

The card holds the page's address and token fields (the page keeps reading and saving them as before); "Test
connection" now also asks the server who you are (`GET /api/v1/me`) and says it, and the dashboard link follows
the address as it is typed."""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtWidgets import QLabel, QLineEdit

from desktop.sync.client import BackendClient
from desktop.sync.config import check_base_url
from desktop.sync.errors import SyncError
from desktop.ui.settings.connection_checks import OK, ConnectionResult
from desktop.ui.settings.fields import FormCard

ROLES = {"trainee": "trainee", "coach": "coach", "admin": "admin"}


@dataclass(frozen=True)
class TeamIdentity:
    email: str
    name: str
    role: str
    team: str
    dashboard_url: str

    def words(self) -> str:
        who = self.name if self.name == self.email else f"{self.name} ({self.email})"
        return f"Signed in as {who}, {ROLES.get(self.role, 'member')} of {self.team}."


def fetch_identity(url: str, token: str, timeout_s: float = 6.0) -> TeamIdentity:
    """Who the token belongs to. Raises SyncError (InsecureBackendUrl, SignInNeeded, BackendUnreachable, ...)."""
    client = BackendClient(check_base_url(url), token, timeout_s=timeout_s, max_connections=1)
    try:
        data = client.me()
    finally:
        client.close()
    fields = {key: data.get(key) for key in ("email", "name", "role", "team", "dashboard_url")}
    if not all(isinstance(value, str) for value in fields.values()):
        raise SyncError("The team server answered, but not with who you are.", detail=f"GET /api/v1/me: {data!r:.200}")
    return TeamIdentity(**fields)


def with_identity(result: ConnectionResult, url: str, token: str) -> ConnectionResult:
    """A passed connection test, with who the token signs you in as (an older server without /me: as it was)."""
    if result.kind != OK:
        return result
    try:
        who = fetch_identity(url, token)
    except SyncError:
        return result
    return ConnectionResult(OK, f"{result.message} {who.words()}")


def dashboard_url(address: str) -> str:
    """The dashboard of the server at this address, or "" while the address is not usable."""
    try:
        return check_base_url(address) + "/" if address.strip() else ""
    except SyncError:
        return ""


class TeamCard(FormCard):
    def __init__(self) -> None:
        super().__init__(
            "Team",
            "Sync your calls with your team's server, and see your coach's assignments. Paste the sign-in token "
            "from the server's Devices page. Optional: everything works offline.",
        )
        self.dashboard = QLabel(objectName="muted", openExternalLinks=True)
        self.dashboard.setAccessibleName("Team dashboard link")

    def add_dashboard_link(self, address: QLineEdit) -> None:
        """Below the other rows: a link to the dashboard that follows the address field."""
        self.add_wide(self.dashboard)
        address.textChanged.connect(self._show_link)
        self._show_link(address.text())

    def _show_link(self, address: str) -> None:
        url = dashboard_url(address)
        if url:
            link = html.escape(url, quote=True)
            self.dashboard.setText(f'Team dashboard: <a href="{link}">{html.escape(url)}</a>')
        else:
            self.dashboard.setText("The team dashboard's link appears here once the address is set.")

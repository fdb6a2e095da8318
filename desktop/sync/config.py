"""Where the team backend is and who we are to it: the checked base URL, the bearer token and this install's
device id. A non-loopback address must be https, so the token never crosses a network in the clear."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from desktop import secrets
from desktop.secure_urls import is_loopback_host
from desktop.settings import Settings
from desktop.sync.errors import BackendNotConfigured, InsecureBackendUrl, SignInNeeded

TOKEN_SECRET = "backend_token"


@dataclass(frozen=True)
class BackendConfig:
    base_url: str
    device_id: str
    # Kept out of repr so a config printed in a log or a traceback never shows it.
    token: str = field(repr=False, default="")


def check_base_url(url: str) -> str:
    """The base URL without a trailing slash; InsecureBackendUrl with a message the user can act on otherwise."""
    text = url.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise InsecureBackendUrl(
            f"The team backend address {text!r} is not a web address. Enter one like https://team.example.com "
            "in Settings.",
            detail=f"bad scheme or host in {text!r}",
        )
    if parts.username or parts.password:
        raise InsecureBackendUrl(
            "The team backend address must not contain a user name or password. Remove them and sign in instead.",
            detail="credentials in the backend URL",
        )
    if scheme != "https" and not is_loopback_host(parts.hostname):
        raise InsecureBackendUrl(
            f"The team backend address must start with https:// ({parts.hostname} is not this computer, and the "
            "sign-in token must not travel unencrypted). Change it in Settings.",
            detail=f"plain http to {parts.hostname}",
        )
    if parts.query or parts.fragment:
        raise InsecureBackendUrl(
            "The team backend address must not contain '?' or '#'. Enter only the server address in Settings.",
            detail="query or fragment in the backend URL",
        )
    return text.rstrip("/")


def backend_url(settings: Settings) -> str:
    """The checked backend URL (ROLEPLAY_BACKEND_URL wins over Settings). Raises BackendNotConfigured when there is
    none, InsecureBackendUrl when it may not be used."""
    url = settings.effective_backend_url.strip()
    if not url:
        raise BackendNotConfigured(
            "No team backend is set up, so sync is off. Add the backend address in Settings "
            "(or set ROLEPLAY_BACKEND_URL)."
        )
    return check_base_url(url)


def backend_token() -> str:
    """The bearer token from the environment (ROLEPLAY_BACKEND_TOKEN) or the keyring; SignInNeeded when absent."""
    token = (secrets.get_secret(TOKEN_SECRET) or "").strip()
    if not token:
        raise SignInNeeded(
            "Sign in to the team backend to sync: add your token in Settings (or set ROLEPLAY_BACKEND_TOKEN)."
        )
    return token


def load_config(settings: Settings) -> BackendConfig:
    """URL, token and device id together; raises the first problem found (address before sign-in)."""
    return BackendConfig(backend_url(settings), settings.device_id, backend_token())

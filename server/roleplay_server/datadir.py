"""Where the server keeps its data (SQLite file, secret key) and how DATABASE_URL becomes Django's DATABASES."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

HOME_ENV = "ROLEPLAY_SERVER_HOME"


def default_home() -> Path:
    """A per-user folder, as each platform expects one."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "RoleplayTrainer" / "server"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "RoleplayTrainer" / "server"
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "roleplay-trainer-server"


def data_home() -> Path:
    home = Path(os.environ.get(HOME_ENV) or default_home()).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home


def secret_key(home: Path) -> str:
    """The environment's key when set (several workers on several machines share it), else one made once per folder."""
    if os.environ.get("ROLEPLAY_SERVER_SECRET_KEY"):
        return os.environ["ROLEPLAY_SERVER_SECRET_KEY"]
    path = home / "secret_key"
    if not path.exists():
        # O_EXCL: two workers starting at once cannot both write a different key
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def database_settings(home: Path) -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return sqlite_settings(home / "roleplay-server.sqlite3")
    return parse_database_url(url)


def sqlite_settings(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "TEST": {"NAME": str(path.with_name(path.stem + "-test.sqlite3"))},  # a real file in tests, not :memory:
        # Each worker thread keeps its connection: opening one (and its PRAGMAs) on every request cost more than
        # the push's own statements.
        "CONN_MAX_AGE": 600,
        # WAL lets readers (the dashboard) run while a push writes; IMMEDIATE avoids lock-upgrade deadlocks.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


def parse_database_url(url: str) -> dict:
    """postgres://user:password@host:port/name?sslmode=require, or sqlite:///absolute/path."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return sqlite_settings(Path(unquote(parts.path)))
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"DATABASE_URL: unsupported scheme {parts.scheme!r} (use postgres:// or sqlite:///)")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": unquote(parts.hostname or ""),
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": dict(parse_qsl(parts.query)),
    }

"""`roleplay sync [--json]` as a user runs it: a real process against the loopback test backend."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.store.db import Store
from desktop.store.sessions import SessionRepository
from tests.sync.sync_backend import SyncBackend
from tests.sync.sync_data import make_sessions, remote_document

ROOT = Path(__file__).resolve().parents[2]


def roleplay(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


@pytest.fixture
def three_sessions(data_home: Path) -> None:
    store = Store.open(data_home / "roleplay.db")
    make_sessions(SessionRepository(store), 3)
    store.close()


def test_sync_pushes_pulls_and_says_what_happened(three_sessions, backend: SyncBackend, monkeypatch):
    backend.seed(remote_document("laptop-b"))
    backend.usage = {"sessions_today": 1, "minutes_today": 6, "max_sessions_per_day": 3, "max_session_minutes": 10}
    monkeypatch.setenv("ROLEPLAY_BACKEND_URL", backend.url)
    monkeypatch.setenv("ROLEPLAY_BACKEND_TOKEN", "test-token")
    result = roleplay("sync")
    assert result.returncode == 0, result.stderr
    assert "Pushed 3 sessions." in result.stdout
    assert "Pulled 1 new and 0 updated from your other devices." in result.stdout
    assert "Today: 1 of 3 calls used today, 10 min per call." in result.stdout
    assert backend.row_count() == 4

    again = roleplay("sync", "--json")
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["ok"] is True and report["pushed"] == 0 and report["pending"] == 0
    assert report["pulled"]["added"] == 0
    assert report["usage"]["limits"] == {"max_sessions_per_day": 3, "max_session_minutes": 10}
    assert "test-token" not in again.stdout + again.stderr

    listed = roleplay("sessions", "list", "--json")
    assert json.loads(listed.stdout)["total"] == 4  # the pulled session is in history


def test_sync_with_the_backend_unreachable_fails_with_one_line(three_sessions, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("ROLEPLAY_BACKEND_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("ROLEPLAY_BACKEND_TOKEN", "test-token")
    result = roleplay("sync")
    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("roleplay: Could not connect to the team backend (127.0.0.1)")
    assert json.loads(roleplay("sync", "--json").stdout)["pending"] == 3


@pytest.mark.parametrize(
    "url, token, words",
    [
        ("", "test-token", "No team backend is set up"),
        ("http://team.example.com", "test-token", "must start with https://"),
        ("http://127.0.0.1:9", "", "Sign in to the team backend"),
    ],
)
def test_sync_that_cannot_start_says_why_in_one_line(monkeypatch, url: str, token: str, words: str):
    monkeypatch.setenv("ROLEPLAY_BACKEND_URL", url)
    monkeypatch.setenv("ROLEPLAY_BACKEND_TOKEN", token)
    result = roleplay("sync")
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert words in line

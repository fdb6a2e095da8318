"""Shared fixtures: every test gets its own data folder, a real SQLite file, and a file-based test keyring."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Real Qt widgets render offscreen unless a test run chose a display (Xvfb) itself.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop.store.db import Store  # noqa: E402
from desktop.store.queries import SessionQueries  # noqa: E402
from desktop.store.sessions import SessionRepository  # noqa: E402

# `pulse`: a private PulseAudio with a virtual mic and speaker; `backend` and `sync`: the sync contract test backend.
pytest_plugins = [
    "tests.pulse",
    "tests.sync.sync_fixtures",
    "tests.ui.call.call_screen_kit",
    "tests.partner.partner_kit",
]


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "roleplay-home"
    monkeypatch.setenv("ROLEPLAY_HOME", str(home))
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))
    # The first-run guide opens over the window on a fresh data folder; tests that want it delete this.
    monkeypatch.setenv("ROLEPLAY_FIRST_RUN", "skip")
    # keyrings.alt is a test-only dependency, chosen by name here as a user would have to.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    for name in (
        "ELEVENLABS_API_KEY",
        "ELEVENLABS_AGENT_ID",
        "OPENAI_API_KEY",
        "ROLEPLAY_BACKEND_TOKEN",
        "ROLEPLAY_BACKEND_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def root_logging() -> Iterator[None]:
    """The root logger as each test found it. A test that runs the CLI in-process configures the app's logging, whose
    handlers would otherwise outlive it, writing to its closed captured stderr and its deleted data folder."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level, getattr(root, "_roleplay_configured", False)
    yield
    for handler in [h for h in root.handlers if h not in saved[0]]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(saved[1])
    root._roleplay_configured = saved[2]  # type: ignore[attr-defined]


@pytest.fixture
def store(data_home: Path) -> Iterator[Store]:
    opened = Store.open(data_home / "roleplay.db", data_home / "backups")
    yield opened
    opened.close()


@pytest.fixture
def repo(store: Store) -> SessionRepository:
    return SessionRepository(store)


@pytest.fixture
def queries(store: Store) -> SessionQueries:
    return SessionQueries()


PERSONA = {
    "id": "walter-briggs",
    "name": "Walter Briggs",
    "property_type": "20 acres of vacant rural land",
    "location": "Bastrop County, TX",
    "motivation_level": "low",
    "conversation_style": "skeptical",
    "objection_patterns": ["price too low", "not in a hurry", "wants to talk to family"],
}
SCENARIO = {"id": "cold-call-first-contact", "title": "First contact cold call"}


def start(repo: SessionRepository, **overrides):
    values = {"persona_snapshot": PERSONA, "scenario_snapshot": SCENARIO, "difficulty": "PRO", **overrides}
    return repo.start_session(**values)

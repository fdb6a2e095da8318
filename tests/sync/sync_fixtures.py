"""Fixtures for the sync tests, registered in conftest: the contract-checking test backend, and sync services
pointed at it that are stopped before the store closes."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.settings import load_settings
from desktop.sync.service import SyncService
from tests.sync.sync_backend import SyncBackend
from tests.sync.sync_data import fast_options


@pytest.fixture
def backend(tmp_path: Path):
    server = SyncBackend(tmp_path / "server.db")
    server.start()
    yield server
    server.stop()
    assert server.contract_violations == []


@pytest.fixture
def sync(repo, queries, backend: SyncBackend, monkeypatch):
    """Makes sync services pointed at the test backend; stops them before the store closes."""
    monkeypatch.setenv("ROLEPLAY_BACKEND_URL", backend.url)
    monkeypatch.setenv("ROLEPLAY_BACKEND_TOKEN", "test-token")
    made: list[SyncService] = []

    def make(**options) -> SyncService:
        service = SyncService(load_settings(), repo, queries, fast_options(**options))
        made.append(service)
        return service

    yield make
    for service in made:
        service.stop()

"""What screens and services are handed to read and write the user's data: the settings, the read queries and the
one writer. The app's wiring (`desktop.bootstrap.AppState`) provides it; nothing below the wiring imports the wiring."""

from __future__ import annotations

from typing import Protocol

from desktop.settings import Settings
from desktop.store.queries import SessionQueries
from desktop.store.sessions import SessionRepository


class LocalData(Protocol):
    settings: Settings
    queries: SessionQueries
    repository: SessionRepository

"""What every entry point does first: the data folder, settings, the migrated store, and crash recovery."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from desktop import settings as app_settings
from desktop.store.db import Store
from desktop.store.queries import SessionQueries
from desktop.store.sessions import SessionRepository

log = logging.getLogger(__name__)


@dataclass
class AppState:
    settings: app_settings.Settings
    store: Store
    repository: SessionRepository
    queries: SessionQueries
    recovered_sessions: list[int] = field(default_factory=list)

    def close(self) -> None:
        self.store.close()


def open_app_state() -> AppState:
    """Opens the store and recovers sessions a dead process left active. Raises DatabaseCorruptError or
    MigrationError with a message meant for the user."""
    app_settings.ensure_data_dir()
    settings = app_settings.load_settings()
    store = Store.open(app_settings.db_path(), app_settings.backups_dir())
    if store.migration_backup:
        log.info("database migrated; the previous file was copied to %s", store.migration_backup)
    repository = SessionRepository(store)
    recovered = repository.recover_orphaned_sessions()
    if recovered:
        log.warning("recovered %d interrupted session(s): %s", len(recovered), recovered)
    return AppState(settings, store, repository, SessionQueries(), recovered)

"""What every entry point does first: the data folder, settings, the migrated store, and crash recovery."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from desktop import settings as app_settings
from desktop.store.db import Store
from desktop.store.disk import DiskFullError, is_disk_full
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


def open_app_state(*, grade_pending: bool = False, read_only_if_disk_full: bool = False) -> AppState:
    """Opens the store and recovers sessions a dead process left active. Raises DatabaseCorruptError or
    MigrationError with a message meant for the user.

    read_only_if_disk_full: on a full disk, open the store read-only (for commands that only read) instead of
    raising DiskFullError.
    grade_pending: grade now, by the rules, every ended call still waiting for a grade (what a command does; the
    app's window has its grading queue, which tries the model first)."""
    try:
        app_settings.ensure_data_dir()
        settings = app_settings.load_settings()
        store = Store.open(app_settings.db_path(), app_settings.backups_dir())
    except (DiskFullError, OSError) as exc:
        folder = app_settings.data_dir()
        if not is_disk_full(exc, folder):
            raise
        if not read_only_if_disk_full or not app_settings.db_path().exists():
            raise DiskFullError(folder) from exc
        # Reading needs no space: show what was saved, write nothing (no recovery, no grading) until there is room.
        store = Store.open_read_only(app_settings.db_path())
        log.warning("%s Opened read-only.", DiskFullError(folder))
        settings = app_settings.load_settings(save=False)
        return AppState(settings, store, SessionRepository(store), SessionQueries(), [])
    if store.migration_backup:
        log.info("database migrated; the previous file was copied to %s", store.migration_backup)
    repository = SessionRepository(store)
    recovered = repository.recover_orphaned_sessions()
    if recovered:
        log.warning("recovered %d interrupted session(s): %s", len(recovered), recovered)
    queries = SessionQueries()
    if grade_pending:
        grade_pending_by_rules(repository, queries)
    return AppState(settings, store, repository, queries, recovered)


def grade_pending_by_rules(repository: SessionRepository, queries: SessionQueries) -> list[int]:
    """Grades, by the rules (milliseconds a call), every ended call still flagged: a call killed mid-way or right
    after it ended is otherwise never graded from the command line, and sync waits for a grade before it pushes.
    `roleplay grade ID --force` asks the model afterwards. Returns the ids graded."""
    from desktop.grading.queue import NotGradable, grade_session

    graded = []
    for session_id in queries.sessions_needing_grade():
        try:
            grade_session(repository, queries, session_id)
        except NotGradable:
            continue
        except Exception:  # one bad call must not stop the command: it stays flagged, retried next time
            log.exception("grading session %s by the rules failed", session_id)
            continue
        graded.append(session_id)
    if graded:
        log.info("graded %d call(s) that were waiting: %s", len(graded), graded)
    return graded

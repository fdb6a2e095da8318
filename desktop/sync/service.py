"""SyncService: everything sync needs, built from the app's state, behind a few calls.

The app calls `start()` once, `flush_now()` when a session is graded, `online()` when the network comes back,
`signed_in()` after the user enters a new token, `stop()` before closing the store, and listens to `status`.
`roleplay sync` calls `sync_now()` instead of starting the thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from desktop.settings import Settings
from desktop.store.local_data import LocalData
from desktop.store.queries import SessionQueries
from desktop.store.sessions import SessionRepository
from desktop.store.sync_store import SyncStore
from desktop.sync.assignments import AssignmentsResult, refresh_assignments
from desktop.sync.backoff import RetryPolicy
from desktop.sync.client import BackendClient
from desktop.sync.config import backend_token, backend_url
from desktop.sync.errors import BackendNotConfigured, BackendUnreachable, InsecureBackendUrl, SignInNeeded, SyncError
from desktop.sync.outbox import Outbox, StopSignal
from desktop.sync.personas import TeamPersonasResult, refresh_team_personas
from desktop.sync.pull import Puller, PullResult
from desktop.sync.status import RejectedSession, SyncStatus
from desktop.sync.usage import UsageToday, current_usage, refresh_usage
from desktop.sync.worker import Pause, SyncWorker, wait_on_event

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncOptions:
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout_s: float = 20.0
    max_in_flight: int = 4
    poll_interval_s: float = 60.0
    refresh_interval_s: float = 300.0
    page_size: int = 100
    pause: Pause = wait_on_event


@dataclass
class SyncReport:
    """What one `sync_now` did, for `roleplay sync`."""

    pushed: int = 0
    rejected: list[RejectedSession] = field(default_factory=list)
    conflicts: int = 0
    deleted: int = 0  # deletions pushed
    pending: int = 0
    pulled: PullResult | None = None
    usage: UsageToday | None = None
    team_personas: TeamPersonasResult | None = None
    assignments: AssignmentsResult | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def changed_contacts(self) -> bool:
        """New or changed team personas or assignments: what Contacts shows."""
        personas = self.team_personas is not None and self.team_personas.changed
        return personas or (self.assignments is not None and self.assignments.changed)

    @property
    def changed_history(self) -> bool:
        """Calls pulled from another device, changed or deleted there: what History shows."""
        pulled = self.pulled
        return pulled is not None and (pulled.added + pulled.updated + pulled.deleted) > 0

    def to_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok}


class SyncService:
    def __init__(
        self,
        settings: Settings,
        repository: SessionRepository,
        queries: SessionQueries,
        options: SyncOptions | None = None,
    ) -> None:
        self.options = options or SyncOptions()
        self.status = SyncStatus()
        self.store = SyncStore(repository)
        self.store.install_deletion_outbox().result()  # before any call can be deleted without it being recorded
        self._settings = settings
        self._worker: SyncWorker | None = None
        self._stopping = threading.Event()
        self._client: BackendClient | None = None
        self._refresh_listeners: list[Callable[[SyncReport], None]] = []
        self.config_error: SyncError | None = None
        try:
            url = backend_url(settings)
        except (BackendNotConfigured, InsecureBackendUrl) as exc:
            self.config_error = exc
            self.status.update(configured=False, problem=exc.message)
            return
        token, self._token_problem = self._read_token()
        self._client = BackendClient(
            url, token, timeout_s=self.options.timeout_s, max_connections=self.options.max_in_flight + 2
        )
        self._puller = Puller(
            self._client,
            self.store,
            settings.device_id,
            page_size=self.options.page_size,
            should_stop=self._stopping.is_set,
        )
        self._outbox = Outbox(
            self.store,
            queries,
            settings.device_id,
            max_in_flight=self.options.max_in_flight,
            resolve_conflict=self._puller.resolve_conflict,
        )
        self.status.update(
            configured=True,
            sign_in_needed=self._token_problem is not None,
            problem=self._token_problem.message if self._token_problem else "",
            pending=self.store.pending_count(),
        )

    @classmethod
    def from_state(cls, state: LocalData, options: SyncOptions | None = None) -> SyncService:
        return cls(state.settings, state.repository, state.queries, options)

    @property
    def configured(self) -> bool:
        return self._client is not None

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.alive

    # -- the background thread ---------------------------------------------------------------------------------------

    def start(self) -> None:
        """Starts the sync thread; does nothing when sync is off (no or unusable backend address)."""
        if self._client is None or self._worker is not None:
            return
        self._worker = SyncWorker(
            outbox=self._outbox,
            client=self._client,
            store=self.store,
            status=self.status,
            refresh=self.refresh,
            policy=self.options.retry,
            poll_interval_s=self.options.poll_interval_s,
            refresh_interval_s=self.options.refresh_interval_s,
            pause=self.options.pause,
            paused_for_sign_in=self._token_problem is not None,
        )
        self._worker.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stops the thread (without waiting for a stalled request) and closes the connections. Call it before
        the store closes. Everything not yet acknowledged stays queued in the database."""
        self._stopping.set()
        if self._worker is not None and not self._worker.stop(timeout):
            log.warning("the sync thread did not stop within %.1f s", timeout)
        if self._client is not None:
            self._outbox.close()
            self._client.close()

    def flush_now(self) -> None:
        if self._worker is not None:
            self._worker.flush_now()

    def online(self) -> None:
        if self._worker is not None:
            self._worker.online()

    def signed_in(self) -> None:
        """Reads the token again (after the user entered a new one) and resumes a sync paused by 401/403."""
        if self._client is None:
            return
        token, self._token_problem = self._read_token()
        if self._token_problem is not None:
            self.status.update(sign_in_needed=True, problem=self._token_problem.message)
            return
        self._client.set_token(token)
        self.status.update(sign_in_needed=False, problem="")
        if self._worker is not None:
            self._worker.resume()

    def add_refresh_listener(self, listener: Callable[[SyncReport], None]) -> None:
        """Calls `listener(report)` after every refresh (pull, limits, personas, assignments) that changed something
        the screens show, on the thread that ran it (the sync thread): the app relays it to the GUI thread."""
        self._refresh_listeners.append(listener)

    def wait_idle(self, timeout: float) -> bool:
        """For tests and the CLI: True once every flush/online/sign-in asked for so far has been handled."""
        return self._worker.wait_idle(timeout) if self._worker is not None else True

    # -- reads for the UI ----------------------------------------------------------------------------------------------

    def usage_today(self) -> UsageToday:
        """Today's limits and usage: the server's last answer (offline too), else Settings."""
        return current_usage(self.store, self._settings)

    def origin_devices(self, session_ids: list[int]) -> dict[int, str]:
        """Which of these sessions came from another device (history marks them)."""
        return self.store.origin_devices(session_ids)

    # -- one pass, now -------------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Pull, today's limits, team personas (the worker's periodic step). Raises the first SyncError."""
        failure = self._refresh_into(SyncReport())
        if failure is not None:
            raise failure

    def _refresh_into(self, report: SyncReport) -> SyncError | None:
        """Runs each part; one that fails does not keep the others from running, unless the backend is unreachable
        or refuses the sign-in (raised at once). Returns the first other failure."""
        assert self._client is not None
        client = self._client
        first_failure: SyncError | None = None
        try:
            for name, part in (
                ("pulled", self._puller.pull),
                ("usage", lambda: refresh_usage(client, self.store)),
                ("team_personas", lambda: refresh_team_personas(client, self.store)),
                ("assignments", lambda: refresh_assignments(client, self.store)),
            ):
                try:
                    setattr(report, name, part())
                except (BackendUnreachable, SignInNeeded):
                    raise
                except SyncError as exc:
                    log.warning("sync step %s failed: %s (%s)", name, exc.message, exc.detail)
                    first_failure = first_failure or exc
        finally:  # also when a later step failed: what the earlier ones stored is news to the screens
            self._tell_refresh_listeners(report)
        return first_failure

    def _tell_refresh_listeners(self, report: SyncReport) -> None:
        if not (report.changed_contacts or report.changed_history):
            return
        for listener in list(self._refresh_listeners):
            try:
                listener(report)
            except Exception:  # a broken listener must not stop sync
                log.exception("a sync refresh listener failed")

    def sync_now(self) -> SyncReport:
        """Pushes and pulls once on this thread (for `roleplay sync`; not while the sync thread runs). Raises
        the configuration or sign-in problem; a backend failure is reported in `problem`."""
        if self.config_error is not None:
            raise self.config_error
        if self._worker is not None:
            raise RuntimeError("sync_now is for when the sync thread is not running; use flush_now")
        if self._token_problem is not None:
            raise self._token_problem
        assert self._client is not None
        result = self._outbox.push_round(self._client, StopSignal())
        report = SyncReport(result.pushed, list(result.rejected), result.conflicts, result.deleted)
        failure = result.failure
        if failure is None:
            try:
                failure = self._refresh_into(report)
            except SyncError as exc:
                failure = exc
        if isinstance(failure, SignInNeeded):
            raise failure
        if failure is not None:
            report.problem = failure.message
            log.info("sync now: %s (%s)", failure.message, failure.detail)
        report.pending = self.store.pending_count()
        self.status.update(
            pending=report.pending,
            rejected=tuple(RejectedSession(r.session_id, r.message) for r in self.store.rejections()),
            problem=report.problem,
            offline=isinstance(failure, BackendUnreachable),
        )
        return report

    @staticmethod
    def _read_token() -> tuple[str, SignInNeeded | None]:
        try:
            return backend_token(), None
        except SignInNeeded as exc:
            return "", exc

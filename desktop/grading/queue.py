"""The grading queue: a worker thread that grades ended sessions in order and writes each grade through the
repository. The `needs_grading` flag in the database is the durable queue, so a crash or quit mid-grading loses
nothing: whatever is still flagged is graded at the next start (`enqueue_pending`).

By default a session is graded by the model when one is configured and by the rules otherwise (see `llm.py`); a
grader that fails outright is replaced by the rules too, so every ended call ends with a grade. Progress reaches
listeners as small immutable events: "queued", "grading", then "graded" or "failed" ("skipped" for a coach debrief,
which is not a sales call and is never graded).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

from desktop.core.difficulty import Difficulty
from desktop.core.grading.rule_grader import grade_call
from desktop.core.metrics import compute_metrics
from desktop.core.results import Grade
from desktop.core.vocabulary import GRADED_KINDS
from desktop.grading.llm import (
    GRADER_ERROR,
    REASONS,
    GraderConfig,
    GradingCancelled,
    GradingOutcome,
    ModelFirstGrader,
)
from desktop.store.models import database
from desktop.store.queries import SessionQueries
from desktop.store.records import SessionRecord
from desktop.store.sessions import SessionRepository

log = logging.getLogger(__name__)

Grader = Callable[[SessionRecord], "Grade | GradingOutcome"]
Listener = Callable[["GradingEvent"], None]

QUEUED, GRADING, GRADED, FAILED, SKIPPED = "queued", "grading", "graded", "failed", "skipped"
RESULT_STAGES = (GRADED, FAILED, SKIPPED)


class NotGradable(ValueError):
    """The session is not a sales call (a coach debrief): there is nothing to grade."""


@dataclass(frozen=True)
class GradingEvent:
    """Progress of one session. `waiting` counts the sessions queued behind the grading thread at that moment."""

    session_id: int
    grade: Grade | None
    error: str = ""
    stage: str = GRADED
    waiting: int = 0
    fallback_reason: str = ""  # a code from llm.REASONS when the rules stood in for the model


def rule_based_grade(record: SessionRecord) -> Grade:
    """The grader that always works: rules over the transcript and the call's analytics."""
    objections = tuple(record.persona.get("objection_patterns") or ())
    metrics = record.metrics or compute_metrics(
        record.lines,
        objection_patterns=objections,
        voice=record.summary.mode == "voice",
        call_length_s=record.summary.duration_seconds,
    )
    try:
        difficulty = Difficulty.parse(record.summary.difficulty)
    except ValueError:
        difficulty = Difficulty.ROOKIE
    return grade_call(record.lines, objection_patterns=objections, difficulty=difficulty, metrics=metrics)


def default_grader(stop: threading.Event | None = None) -> ModelFirstGrader:
    """The model when one is configured (read at each session), the rules otherwise."""
    return ModelFirstGrader(rule_based_grade, GraderConfig.current, stop=stop)


def grade_and_save(
    repository: SessionRepository,
    queries: SessionQueries,
    session_id: int,
    grader: Grader = rule_based_grade,
    *,
    fallback: Callable[[SessionRecord], Grade] = rule_based_grade,
) -> GradingOutcome | None:
    """Grades one ended session now, on the calling thread, and saves the result; None when it no longer exists.

    Raises only when even the fallback fails (the session then stays queued) or on GradingCancelled."""
    record = queries.get_session(session_id)
    if record is None:
        return None
    if record.summary.kind not in GRADED_KINDS:
        raise NotGradable(f"session {session_id} is a coach debrief; only practice calls are graded")
    if record.metrics is None and record.lines:
        repository.save_metrics(
            session_id,
            compute_metrics(
                record.lines,
                objection_patterns=tuple(record.persona.get("objection_patterns") or ()),
                voice=record.summary.mode == "voice",
                call_length_s=record.summary.duration_seconds,
            ),
        )
        record = queries.get_session(session_id) or record
    try:
        result = grader(record)
    except GradingCancelled:
        raise
    except Exception as exc:
        if grader is fallback:
            raise
        log.exception("grader failed on session %s; using the rules", session_id)
        note = f"{REASONS[GRADER_ERROR]}; re-grade with `roleplay grade {session_id} --force`"
        result = GradingOutcome(replace(fallback(record), note=note), None, GRADER_ERROR, type(exc).__name__)
    outcome = result if isinstance(result, GradingOutcome) else GradingOutcome(result)
    save_outcome(repository, session_id, outcome)
    return outcome


def grade_session(
    repository: SessionRepository, queries: SessionQueries, session_id: int, grader: Grader = rule_based_grade
) -> Grade | None:
    """Grades one ended session now, on the calling thread; the saved grade, or None when it no longer exists."""
    outcome = grade_and_save(repository, queries, session_id, grader)
    return outcome.grade if outcome else None


def save_outcome(repository: SessionRepository, session_id: int, outcome: GradingOutcome) -> None:
    """The rule-based grade kept beside a model grade and the session's grade, in one transaction on the writer
    thread; the session's grade is saved last, so it is the newest."""

    def job() -> None:
        with database.atomic():
            if outcome.beside is not None:
                repository.save_grade(session_id, outcome.beside)
            repository.save_grade(session_id, outcome.grade)

    repository.submit(job).result()


class GradingQueue:
    """Grades sessions on one worker thread, in the order they were queued."""

    def __init__(
        self,
        repository: SessionRepository,
        queries: SessionQueries,
        grader: Grader | None = None,
        listener: Listener | None = None,
        *,
        fallback: Callable[[SessionRecord], Grade] = rule_based_grade,
    ) -> None:
        """grader: default `default_grader()`. listener: hears each session's result ("graded", "failed", "skipped");
        `add_listener` hears every stage. Listeners run on the grading thread (or the one that enqueues, for
        "queued"): hand events to the GUI through a signal."""
        self._repository = repository
        self._queries = queries
        self._stopping = threading.Event()
        self._grader = grader if grader is not None else default_grader(stop=self._stopping)
        self._fallback = fallback
        self._lock = threading.Lock()
        self._listeners: list[tuple[Listener, bool]] = [(listener, True)] if listener else []
        self._waiting: set[int] = set()
        self._ids: queue.Queue[tuple[int, bool] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="grading", daemon=True)
        self._thread.start()

    def add_listener(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append((listener, False))

    def remove_listener(self, listener: Listener) -> None:
        with self._lock:
            self._listeners = [(fn, only) for fn, only in self._listeners if fn != listener]

    def enqueue(self, session_id: int, *, force: bool = False) -> bool:
        """Queues a session; False when it is already waiting. Without force, a session that was graded by the
        time its turn comes is not graded again."""
        with self._lock:
            if session_id in self._waiting:
                return False
            self._waiting.add(session_id)
            ahead = len(self._waiting) - 1
        self._ids.put((session_id, force))
        self._emit(GradingEvent(session_id, None, stage=QUEUED, waiting=ahead))
        return True

    def enqueue_pending(self) -> list[int]:
        """Queues every ended session still flagged for grading (a crash, a quit mid-grading); at start-up."""
        pending = self._queries.sessions_needing_grade()
        for session_id in pending:
            self.enqueue(session_id)
        return pending

    def join(self) -> None:
        """Waits until everything queued so far is graded."""
        self._ids.join()

    def stop(self, timeout: float = 2.0) -> None:
        """Stops after the session being graded; a wait between retries is cut short. Whatever is left stays
        flagged in the database and is graded at the next start."""
        self._stopping.set()
        self._ids.put(None)
        self._thread.join(timeout)
        close = getattr(self._grader, "close", None)
        if close is not None and not self._thread.is_alive():  # never pull the client from under a request
            close()

    def _loop(self) -> None:
        while True:
            item = self._ids.get()
            if item is None:
                self._ids.task_done()
                return
            session_id, force = item
            with self._lock:
                self._waiting.discard(session_id)
                waiting = len(self._waiting)
            try:
                if self._stopping.is_set():
                    continue  # still flagged: graded at the next start
                self._emit(GradingEvent(session_id, None, stage=GRADING, waiting=waiting))
                self._emit(self._grade(session_id, force, waiting))
            finally:
                # Only now is the item done, so join() also means "every listener has heard".
                self._ids.task_done()

    def _grade(self, session_id: int, force: bool, waiting: int) -> GradingEvent:
        try:
            if not force:
                record = self._queries.get_session(session_id)
                if record is not None and record.grade is not None and not record.summary.needs_grading:
                    return GradingEvent(session_id, record.grade, waiting=waiting)
            outcome = grade_and_save(self._repository, self._queries, session_id, self._grader, fallback=self._fallback)
        except GradingCancelled:
            return GradingEvent(session_id, None, "stopped; it will be graded at the next start", FAILED, waiting)
        except NotGradable as exc:
            return GradingEvent(session_id, None, str(exc), SKIPPED, waiting)
        except Exception as exc:  # keep grading the rest; the flag stays set, so it is retried next start
            log.exception("grading session %s failed", session_id)
            return GradingEvent(session_id, None, str(exc), FAILED, waiting)
        if outcome is None:
            return GradingEvent(session_id, None, "the session no longer exists", FAILED, waiting)
        return GradingEvent(session_id, outcome.grade, "", GRADED, waiting, outcome.fallback_reason)

    def _emit(self, event: GradingEvent) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener, results_only in listeners:
            if results_only and event.stage not in RESULT_STAGES:
                continue
            try:
                listener(event)
            except Exception:  # a broken listener must not stop the grading of other sessions
                log.exception("grading listener failed on %s", event)

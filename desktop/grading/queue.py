"""The grading queue: a worker thread that grades ended sessions in order and writes each grade through the
repository. The `needs_grading` flag in the database is the durable queue, so a crash or quit mid-grading loses
nothing: whatever is still flagged is graded at the next start.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from desktop.core.difficulty import Difficulty
from desktop.core.grading import grade_call
from desktop.core.metrics import compute_metrics
from desktop.core.results import Grade
from desktop.store.queries import SessionQueries, SessionRecord
from desktop.store.sessions import SessionRepository

log = logging.getLogger(__name__)

Grader = Callable[[SessionRecord], Grade]


@dataclass(frozen=True)
class GradingEvent:
    session_id: int
    grade: Grade | None
    error: str = ""


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


def grade_session(
    repository: SessionRepository, queries: SessionQueries, session_id: int, grader: Grader = rule_based_grade
) -> Grade | None:
    """Grades one ended session now, on the calling thread; None when it no longer exists or has no lines."""
    record = queries.get_session(session_id)
    if record is None:
        return None
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
    grade = grader(record)
    repository.save_grade(session_id, grade)
    return grade


class GradingQueue:
    """Grades sessions on one worker thread, in the order they were queued."""

    def __init__(
        self,
        repository: SessionRepository,
        queries: SessionQueries,
        grader: Grader = rule_based_grade,
        listener: Callable[[GradingEvent], None] | None = None,
    ) -> None:
        self._repository = repository
        self._queries = queries
        self._grader = grader
        self._listener = listener
        self._ids: queue.Queue[int | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="grading", daemon=True)
        self._thread.start()

    def enqueue(self, session_id: int) -> None:
        self._ids.put(session_id)

    def enqueue_pending(self) -> list[int]:
        pending = self._queries.sessions_needing_grade()
        for session_id in pending:
            self.enqueue(session_id)
        return pending

    def join(self) -> None:
        """Waits until everything queued so far is graded."""
        self._ids.join()

    def stop(self, timeout: float = 2.0) -> None:
        self._ids.put(None)
        self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            session_id = self._ids.get()
            if session_id is None:
                self._ids.task_done()
                return
            try:
                grade = grade_session(self._repository, self._queries, session_id, self._grader)
                event = GradingEvent(session_id, grade)
            except Exception as exc:  # keep grading the rest; the flag stays set, so it is retried next start
                log.exception("grading session %s failed", session_id)
                event = GradingEvent(session_id, None, str(exc))
            try:
                if self._listener:
                    self._listener(event)
            finally:
                # Only now is the item done, so join() also means "every listener has heard".
                self._ids.task_done()

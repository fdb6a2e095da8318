"""A stored session as readers get it: the summary row a history page lists (`SessionSummary`) and the whole record
of one call with its lines and grades (`SessionRecord`, read by `read_record`). A part of a row that does not parse
is shown as missing rather than hiding the call.

Any thread may read (WAL gives readers a consistent snapshot while the writer commits). The history pages, filters
and search are `queries`.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass, field

from desktop.core.results import CallMetrics, Grade
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.store.models import GradeRow, LineRow, SessionRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionSummary:
    id: int
    client_session_id: str
    kind: str
    mode: str
    status: str
    end_reason: str | None
    persona_id: str
    persona_name: str
    scenario_id: str
    difficulty: str
    started_at: str
    duration_seconds: float | None
    overall: int | None
    grader: str | None
    needs_grading: bool
    revision: int
    synced_revision: int
    parent_session_id: int | None = None  # a coach debrief: the call it reviews
    typed_into: bool = False  # a voice call the trainee typed lines into (CallMetrics.typed_lines), "voice + typed"


@dataclass(frozen=True)
class SessionRecord:
    summary: SessionSummary
    persona: dict
    scenario: dict
    practice_mode: bool
    trainee_name: str
    agent_id: str
    conversation_id: str
    ended_at: str | None
    error_message: str
    recording_path: str
    remote_id: int | None
    sync_error: str
    lines: tuple[TranscriptLine, ...]
    metrics: CallMetrics | None
    grade: Grade | None
    graded_at: str | None
    earlier_grades: tuple[Grade, ...] = field(default=())
    # What the recogniser heard on each trainee line the trainee corrected since (seq -> heard words).
    heard_texts: dict[int, str] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.summary.id

    @property
    def corrected_lines(self) -> int:
        return len(self.heard_texts)

    @property
    def parent_session_id(self) -> int | None:
        return self.summary.parent_session_id


def newest_grade_value(column: str):
    """A correlated subquery: the newest grade's value of `column` for each session row (the newest grade is the
    session's grade; an older one may be the rule grade kept beside the model's for comparison)."""
    newest = GradeRow.alias("newest")
    return (
        newest.select(getattr(newest, column))
        .where(newest.session == SessionRow.id)
        .order_by(newest.id.desc())
        .limit(1)
    )


def latest_grade(column: str):
    return newest_grade_value(column).alias(column)


def is_positive_number(value: object) -> bool:
    return isinstance(value, (int, float)) and value > 0


def read_record(session_id: int) -> SessionRecord | None:
    """One session with its lines and grades (newest first), or None when there is no such session."""
    row = _run(_record_query, session_id).fetchone()
    if row is None:
        return None
    row = dict(zip(_RECORD_COLUMNS, row, strict=True))
    # Tuples straight from the cursor: building 100+ line objects through peewee's row wrappers would cost
    # several times the query itself.
    line_rows = _run(_lines_query, session_id).fetchall()
    lines = tuple(
        TranscriptLine(seq, _speaker(speaker), text, offset_ms or 0, duration_ms or 0, bool(interrupted))
        for seq, speaker, text, offset_ms, duration_ms, interrupted, _heard in line_rows
    )
    heard_texts = {seq: heard for seq, *_, heard in line_rows if heard is not None}
    grades = list(_run(_grades_query, session_id))
    return SessionRecord(
        summary=_summary(row),
        persona=_json_object(row["persona_snapshot"], session_id, "persona"),
        scenario=_json_object(row["scenario_snapshot"], session_id, "scenario"),
        practice_mode=bool(row["practice_mode"]),
        trainee_name=row["trainee_name"],
        agent_id=row["agent_id"],
        conversation_id=row["conversation_id"],
        ended_at=row["ended_at"],
        error_message=row["error_message"],
        recording_path=row["recording_path"],
        remote_id=row["remote_id"],
        sync_error=row["sync_error"],
        lines=lines,
        metrics=_metrics(row["metrics"], session_id),
        grade=_grade(grades[0]) if grades else None,
        graded_at=grades[0][-1] if grades else None,
        earlier_grades=tuple(_grade(g) for g in grades[1:]),
        heard_texts=heard_texts,
    )


_SPEAKERS = {speaker.value: speaker for speaker in Speaker}


def _record_query():
    return SessionRow.select(SessionRow, latest_grade("overall"), latest_grade("grader")).where(SessionRow.id == _ID)


_RECORD_COLUMNS = tuple(SessionRow._meta.sorted_field_names) + ("overall", "grader")


def _lines_query():
    return (
        LineRow.select(
            LineRow.seq,
            LineRow.speaker,
            LineRow.text,
            LineRow.offset_ms,
            LineRow.duration_ms,
            LineRow.interrupted,
            LineRow.heard_text,
        )
        .where(LineRow.session == _ID)
        .order_by(LineRow.seq)
    )


def _grades_query():
    return (
        GradeRow.select(
            GradeRow.rapport,
            GradeRow.discovery,
            GradeRow.objection_handling,
            GradeRow.closing,
            GradeRow.feedback,
            GradeRow.grader,
            GradeRow.virtual_earnings,
            GradeRow.xp_earned,
            GradeRow.note,
            GradeRow.graded_at,
        )
        .where(GradeRow.session == _ID)
        .order_by(GradeRow.id.desc())
    )


_ID = -271828  # placeholder for the session id in queries compiled once


@functools.cache
def _compiled(build) -> tuple[str, tuple]:
    return build().sql()


def _run(build, session_id: int):
    """Runs a query compiled once by peewee (SQL and parameters cached), binding this session's id."""
    sql, params = _compiled(build)
    bound = tuple(session_id if value == _ID else value for value in params)
    return SessionRow._meta.database.execute_sql(sql, bound)


def _summary(row: dict) -> SessionSummary:
    return SessionSummary(
        id=row["id"],
        client_session_id=row["client_session_id"],
        kind=row["kind"],
        mode=row["mode"],
        status=row["status"],
        end_reason=row["end_reason"],
        persona_id=row["persona_id"],
        persona_name=row["persona_name"],
        scenario_id=row["scenario_id"],
        difficulty=row["difficulty"],
        started_at=row["started_at"],
        duration_seconds=row["duration_seconds"],
        overall=row["overall"],
        grader=row["grader"],
        needs_grading=bool(row["needs_grading"]),
        revision=row["revision"],
        synced_revision=row["synced_revision"],
        parent_session_id=row["parent_session_id"],
        typed_into=_typed_into(row["metrics"]),
    )


def _typed_into(metrics_json: str | None) -> bool:
    try:
        metrics = json.loads(metrics_json) if metrics_json else None
    except ValueError:
        return False
    return isinstance(metrics, dict) and is_positive_number(metrics.get("typed_lines"))


# One bad row (a hand edit, a bug of an older version, a damaged page SQLite still reads) must not hide the rest of
# the call: each part that does not parse is shown as missing, and the log says which.


def _json_object(text: str | None, session_id: int, what: str) -> dict:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        value = None
    if not isinstance(value, dict):
        log.warning("session %s: its %s is unreadable; shown without it", session_id, what)
        return {}
    return value


def _metrics(text: str | None, session_id: int) -> CallMetrics | None:
    if not text:
        return None
    try:
        return CallMetrics.from_dict(json.loads(text))
    except (ValueError, TypeError, KeyError, AttributeError):
        log.warning("session %s: its call analytics are unreadable; shown without them", session_id)
        return None


def _speaker(value: str) -> Speaker:
    # An unknown speaker is still a line someone said: shown, as the other side.
    return _SPEAKERS.get(value, Speaker.SELLER)


def _grade(row: tuple) -> Grade:
    rapport, discovery, objection_handling, closing, feedback, grader, earnings, xp, note, _graded_at = row
    try:
        feedback = json.loads(feedback)
    except ValueError:
        feedback = None
    if not isinstance(feedback, dict):
        log.warning("a grade's feedback is unreadable; shown without it")
        feedback = {}
    return Grade(
        rapport=rapport,
        discovery=discovery,
        objection_handling=objection_handling,
        closing=closing,
        strengths=tuple(feedback.get("strengths", ())),
        improvements=tuple(feedback.get("improvements", ())),
        recommendations=tuple(feedback.get("recommendations", ())),
        grader=grader,
        virtual_earnings=earnings,
        xp_earned=xp,
        note=note,
    )

"""Read-only queries over the store: history pages, one session with its lines, full-text search, progress.

Any thread may read (WAL gives readers a consistent snapshot while the writer commits).
"""

from __future__ import annotations

import functools
import json
import logging
import re
from dataclasses import dataclass, field

from peewee import Case, fn

from desktop.core.results import CallMetrics, Grade
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.core.vocabulary import Status
from desktop.store.models import GradeRow, LineRow, SessionRow, TranscriptSearch, UserPersonaRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionFilter:
    persona_id: str | None = None
    difficulty: str | None = None
    mode: str | None = None
    status: str | None = None
    kind: str | None = None
    started_from: str | None = None  # inclusive, RFC 3339
    started_before: str | None = None  # exclusive
    search: str | None = None


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

    @property
    def id(self) -> int:
        return self.summary.id

    @property
    def parent_session_id(self) -> int | None:
        return self.summary.parent_session_id


def _newest_grade_value(column: str):
    """A correlated subquery: the newest grade's value of `column` for each session row (the newest grade is the
    session's grade; an older one may be the rule grade kept beside the model's for comparison)."""
    newest = GradeRow.alias("newest")
    return (
        newest.select(getattr(newest, column))
        .where(newest.session == SessionRow.id)
        .order_by(newest.id.desc())
        .limit(1)
    )


def _latest_grade(column: str):
    return _newest_grade_value(column).alias(column)


def fts_query(text: str) -> str:
    """Turns what a user typed into a safe FTS5 query: every word must appear; the last may be a prefix."""
    words = re.findall(r"\w+", text, flags=re.UNICODE)
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


class SessionQueries:
    def list_sessions(
        self, limit: int = 50, offset: int = 0, session_filter: SessionFilter | None = None
    ) -> list[SessionSummary]:
        """Newest first. With a search, sessions whose latest matching line is newest come first (the same order
        for calls made here; a session pulled from another device later ranks by when it arrived)."""
        values = _filter_values(session_filter or SessionFilter())
        if values is None:
            return []
        if "search" in values:
            return _search(values, limit, offset)
        sql, template = _compiled_list(tuple(sorted(values)))
        bound = {**{_placeholder(name): value for name, value in values.items()}, _LIMIT: limit, _OFFSET: offset}
        params = tuple(bound.get(value, value) if isinstance(value, (str, int)) else value for value in template)
        return _summaries(SessionRow._meta.database.execute_sql(sql, params))

    def count_sessions(self, session_filter: SessionFilter | None = None) -> int:
        values = _filter_values(session_filter or SessionFilter())
        return 0 if values is None else _filtered_query(values).count()

    def get_session(self, session_id: int) -> SessionRecord | None:
        row = _run(_record_query, session_id).fetchone()
        if row is None:
            return None
        row = dict(zip(_RECORD_COLUMNS, row, strict=True))
        # Tuples straight from the cursor: building 100+ line objects through peewee's row wrappers would cost
        # several times the query itself.
        lines = tuple(
            TranscriptLine(seq, _speaker(speaker), text, offset_ms or 0, duration_ms or 0, bool(interrupted))
            for seq, speaker, text, offset_ms, duration_ms, interrupted in _run(_lines_query, session_id)
        )
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
        )

    def sessions_needing_grade(self) -> list[int]:
        query = SessionRow.select(SessionRow.id).where(
            (SessionRow.needs_grading == True) & (SessionRow.status != Status.ACTIVE)  # noqa: E712
        )
        return [row.id for row in query.order_by(SessionRow.id)]

    def active_session_ids(self) -> list[int]:
        return [r.id for r in SessionRow.select(SessionRow.id).where(SessionRow.status == Status.ACTIVE)]

    def best_scores_by_persona(self) -> dict[str, int]:
        """The best overall score reached with each persona (for the contacts list)."""
        rows = (
            SessionRow.select(SessionRow.persona_id, fn.MAX(_newest_grade_value("overall")).alias("best"))
            .where(SessionRow.kind == "roleplay")  # a debrief's grade, if one were ever made, is no sales score
            .group_by(SessionRow.persona_id)
            .dicts()
        )
        return {row["persona_id"]: row["best"] for row in rows if row["best"] is not None}

    def user_personas(self) -> list[dict]:
        return [json.loads(row.data) for row in UserPersonaRow.select().order_by(UserPersonaRow.created_at)]


_FILTER_COLUMNS = {
    "persona_id": SessionRow.persona_id,
    "difficulty": SessionRow.difficulty,
    "mode": SessionRow.mode,
    "status": SessionRow.status,
    "kind": SessionRow.kind,
}
_LIMIT, _OFFSET = -1_000_001, -1_000_002


def _placeholder(name: str) -> str:
    return f"\x00{name}"


def _filter_values(f: SessionFilter) -> dict[str, str] | None:
    """The filter's set fields; the search is turned into an FTS5 query. None when the search can match nothing."""
    values = {name: getattr(f, name) for name in (*_FILTER_COLUMNS, "started_from", "started_before")}
    values = {name: value for name, value in values.items() if value}
    if f.search is not None and f.search.strip():
        match = fts_query(f.search)
        if not match:
            return None
        values["search"] = match
    return values


def _filtered_query(values: dict[str, str]):
    query = SessionRow.select()
    for name, value in values.items():
        if name in _FILTER_COLUMNS:
            query = query.where(_FILTER_COLUMNS[name] == value)
        elif name == "started_from":
            query = query.where(SessionRow.started_at >= value)
        elif name == "started_before":
            query = query.where(SessionRow.started_at < value)
        elif name == "search":
            matching = TranscriptSearch.select(TranscriptSearch.session_id).where(TranscriptSearch.match(value))
            query = query.where(SessionRow.id.in_(matching))
    return query


def _search(values: dict[str, str], limit: int, offset: int) -> list[SessionSummary]:
    """Walks the matching lines newest first and stops once a page of sessions is found. Collecting every match
    and then sorting costs time in proportion to how common the word is (seconds for "price" over years of calls);
    this costs time in proportion to the page."""
    db = SessionRow._meta.database
    others = {name: value for name, value in values.items() if name != "search"}
    matches = (
        TranscriptSearch.select(TranscriptSearch.session_id)
        .where(TranscriptSearch.match(values["search"]))
        .order_by(TranscriptSearch.rowid.desc())
    )
    cursor = db.execute_sql(*matches.sql())
    wanted, found, seen = offset + limit, [], set()
    while len(found) < wanted:
        batch = cursor.fetchmany(512)
        if not batch:
            break
        fresh = []
        for (session_id,) in batch:
            if session_id not in seen:
                seen.add(session_id)
                fresh.append(session_id)
        if others and fresh:
            kept = {
                row[0] for row in _filtered_query(others).select(SessionRow.id).where(SessionRow.id.in_(fresh)).tuples()
            }
            fresh = [session_id for session_id in fresh if session_id in kept]
        found.extend(fresh)
    page = found[offset:wanted]
    if not page:
        return []
    rows = _summary_query(_filtered_query({})).where(SessionRow.id.in_(page)).tuples()
    by_id = {summary.id: summary for summary in _summaries(rows)}
    return [by_id[session_id] for session_id in page if session_id in by_id]


def _summary_query(query):
    """Selects the columns of SessionSummary, in its field order."""
    return query.select(
        *_SUMMARY_FIELDS,
        _latest_grade("overall"),
        _latest_grade("grader"),
        SessionRow.needs_grading,
        SessionRow.revision,
        SessionRow.synced_revision,
        SessionRow.parent_session_id,
        _TYPED_INTO,
    )


# Whether the stored metrics count typed lines; a row whose metrics are not JSON (a hand edit, damage) reads as 0
# rather than failing the whole page, as json_extract alone would.
_TYPED_INTO = Case(
    None, [(fn.json_valid(SessionRow.metrics), fn.coalesce(fn.json_extract(SessionRow.metrics, "$.typed_lines"), 0))], 0
)


def _summaries(rows) -> list[SessionSummary]:
    # needs_grading is the 15th column and typed_into the 19th (see _summary_query); SQLite gives them as numbers.
    return [SessionSummary(*row[:14], bool(row[14]), *row[15:18], _positive(row[18])) for row in rows]


def _positive(value: object) -> bool:
    return isinstance(value, (int, float)) and value > 0


@functools.cache
def _compiled_list(filter_names: tuple[str, ...]) -> tuple[str, tuple]:
    """The history-page SQL for one combination of filters, compiled by peewee once, with placeholders that are
    swapped for the real values at each call (building the query each time costs more than running it)."""
    query = _filtered_query({name: _placeholder(name) for name in filter_names})
    query = _summary_query(query)
    return query.order_by(SessionRow.id.desc()).limit(_LIMIT).offset(_OFFSET).sql()


_SUMMARY_FIELDS = (
    SessionRow.id,
    SessionRow.client_session_id,
    SessionRow.kind,
    SessionRow.mode,
    SessionRow.status,
    SessionRow.end_reason,
    SessionRow.persona_id,
    SessionRow.persona_name,
    SessionRow.scenario_id,
    SessionRow.difficulty,
    SessionRow.started_at,
    SessionRow.duration_seconds,
)


_SPEAKERS = {speaker.value: speaker for speaker in Speaker}


def _record_query():
    return SessionRow.select(SessionRow, _latest_grade("overall"), _latest_grade("grader")).where(SessionRow.id == _ID)


_RECORD_COLUMNS = tuple(SessionRow._meta.sorted_field_names) + ("overall", "grader")


def _lines_query():
    return (
        LineRow.select(
            LineRow.seq, LineRow.speaker, LineRow.text, LineRow.offset_ms, LineRow.duration_ms, LineRow.interrupted
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
    return isinstance(metrics, dict) and _positive(metrics.get("typed_lines"))


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

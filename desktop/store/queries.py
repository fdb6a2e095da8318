"""Read-only queries over the store: history pages, one session with its lines, full-text search, progress.

Any thread may read (WAL gives readers a consistent snapshot while the writer commits).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from peewee import fn

from desktop.core.results import CallMetrics, Grade
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.store.models import GradeRow, LineRow, SessionRow, TranscriptSearch, UserPersonaRow


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


def _latest_grade(column: str):
    """A correlated subquery: the newest grade's value of `column` for each session row."""
    newest = GradeRow.alias("newest")
    return (
        newest.select(getattr(newest, column))
        .where(newest.session == SessionRow.id)
        .order_by(newest.id.desc())
        .limit(1)
        .alias(column)
    )


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
        query = self._filtered(session_filter or SessionFilter())
        if query is None:
            return []
        rows = (
            query.select(
                *_SUMMARY_FIELDS,
                _latest_grade("overall"),
                _latest_grade("grader"),
            )
            .order_by(SessionRow.id.desc())
            .limit(limit)
            .offset(offset)
            .dicts()
        )
        return [_summary(row) for row in rows]

    def count_sessions(self, session_filter: SessionFilter | None = None) -> int:
        query = self._filtered(session_filter or SessionFilter())
        return 0 if query is None else query.count()

    def get_session(self, session_id: int) -> SessionRecord | None:
        row = (
            SessionRow.select(
                SessionRow,
                _latest_grade("overall"),
                _latest_grade("grader"),
            )
            .where(SessionRow.id == session_id)
            .dicts()
            .first()
        )
        if row is None:
            return None
        lines = tuple(
            TranscriptLine(
                seq=line["seq"],
                speaker=Speaker(line["speaker"]),
                text=line["text"],
                offset_ms=line["offset_ms"],
                duration_ms=line["duration_ms"],
                interrupted=bool(line["interrupted"]),
            )
            for line in LineRow.select().where(LineRow.session == session_id).order_by(LineRow.seq).dicts()
        )
        grades = list(GradeRow.select().where(GradeRow.session == session_id).order_by(GradeRow.id.desc()))
        return SessionRecord(
            summary=_summary(row),
            persona=json.loads(row["persona_snapshot"]),
            scenario=json.loads(row["scenario_snapshot"]),
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
            metrics=CallMetrics.from_dict(json.loads(row["metrics"])) if row["metrics"] else None,
            grade=_grade(grades[0]) if grades else None,
            graded_at=grades[0].graded_at if grades else None,
            earlier_grades=tuple(_grade(g) for g in grades[1:]),
        )

    def sessions_needing_grade(self) -> list[int]:
        query = SessionRow.select(SessionRow.id).where(
            (SessionRow.needs_grading == True) & (SessionRow.status != "active")  # noqa: E712
        )
        return [row.id for row in query.order_by(SessionRow.id)]

    def active_session_ids(self) -> list[int]:
        return [r.id for r in SessionRow.select(SessionRow.id).where(SessionRow.status == "active")]

    def best_scores_by_persona(self) -> dict[str, int]:
        """The best overall score reached with each persona (for the contacts list)."""
        rows = (
            GradeRow.select(SessionRow.persona_id, fn.MAX(GradeRow.overall).alias("best"))
            .join(SessionRow)
            .group_by(SessionRow.persona_id)
            .dicts()
        )
        return {row["persona_id"]: row["best"] for row in rows}

    def user_personas(self) -> list[dict]:
        return [json.loads(row.data) for row in UserPersonaRow.select().order_by(UserPersonaRow.created_at)]

    def _filtered(self, f: SessionFilter):
        query = SessionRow.select()
        conditions = []
        for column, value in (
            (SessionRow.persona_id, f.persona_id),
            (SessionRow.difficulty, f.difficulty),
            (SessionRow.mode, f.mode),
            (SessionRow.status, f.status),
            (SessionRow.kind, f.kind),
        ):
            if value:
                conditions.append(column == value)
        if f.started_from:
            conditions.append(SessionRow.started_at >= f.started_from)
        if f.started_before:
            conditions.append(SessionRow.started_at < f.started_before)
        if f.search is not None and f.search.strip():
            match = fts_query(f.search)
            if not match:
                return None
            matching = TranscriptSearch.select(TranscriptSearch.session_id).where(TranscriptSearch.match(match))
            conditions.append(SessionRow.id.in_(matching))
        for condition in conditions:
            query = query.where(condition)
        return query


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
    SessionRow.needs_grading,
    SessionRow.revision,
    SessionRow.synced_revision,
)


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
    )


def _grade(row: GradeRow) -> Grade:
    feedback = json.loads(row.feedback)
    return Grade(
        rapport=row.rapport,
        discovery=row.discovery,
        objection_handling=row.objection_handling,
        closing=row.closing,
        strengths=tuple(feedback.get("strengths", ())),
        improvements=tuple(feedback.get("improvements", ())),
        recommendations=tuple(feedback.get("recommendations", ())),
        grader=row.grader,
        virtual_earnings=row.virtual_earnings,
        xp_earned=row.xp_earned,
        note=row.note,
    )

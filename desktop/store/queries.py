"""Read-only queries over the store: history pages with their filters and full-text search, one session (read by
`records`), the sessions waiting for a grade, the best scores by persona, the trainee's own personas.

Any thread may read (WAL gives readers a consistent snapshot while the writer commits).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass

from peewee import Case, fn

from desktop.core.vocabulary import Status
from desktop.store.models import SessionRow, TranscriptSearch, UserPersonaRow
from desktop.store.records import (
    SessionRecord,
    SessionSummary,
    is_positive_number,
    latest_grade,
    newest_grade_value,
    read_record,
)


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
        return read_record(session_id)

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
            SessionRow.select(SessionRow.persona_id, fn.MAX(newest_grade_value("overall")).alias("best"))
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
        latest_grade("overall"),
        latest_grade("grader"),
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
    return [SessionSummary(*row[:14], bool(row[14]), *row[15:18], is_positive_number(row[18])) for row in rows]


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

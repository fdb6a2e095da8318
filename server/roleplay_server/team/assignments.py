"""Assignments: which synced calls count as attempts, and where each member stands (open, passed or missed).

A call counts for an assignment given to its member (or to the whole team) when it has the assignment's persona,
scenario and difficulty, was started after the assignment was made and by the end of its due date; for an exam
assignment it must also have been made in exam mode (the document's practice_mode is false). The first
`max_attempts` such calls count; the assignment is passed when one of them scored at least the pass mark.
Attempts are recorded when a call is pushed (and updated when it is re-graded), so reading a status is a small
query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import connections
from django.db.models import Q
from django.utils import timezone

from roleplay_server.team.instants import rfc3339
from roleplay_server.team.models import Assignment, AssignmentAttempt, Member, TrainingSession

OPEN, PASSED, MISSED = "open", "passed", "missed"


def due_end(assignment: Assignment) -> datetime:
    """The end of the due date, on the team's clock (settings.TIME_ZONE)."""
    return timezone.make_aware(datetime.combine(assignment.due_date + timedelta(days=1), time.min))


def for_member_q(member_id: int, team_id: int) -> Q:
    return Q(team_id=team_id) & (Q(member_id=member_id) | Q(member__isnull=True))


def record_attempt(row: TrainingSession) -> None:
    """Called in the push's transaction: the call becomes (or stays) an attempt of every assignment it matches."""
    if row.is_deleted or row.started_at is None or not row.scenario_id:
        return
    for assignment in _matching(row):
        if row.started_at >= due_end(assignment):
            continue
        AssignmentAttempt.objects.update_or_create(
            assignment=assignment,
            session=row,
            defaults={"member_id": row.member_id, "started_at": row.started_at, "overall": row.overall},
        )


def _matching(row: TrainingSession) -> list[Assignment]:
    """The assignments given to the call's member or the whole team with its persona, scenario and difficulty and a
    mode it can count for (`_modes`), made by the time it began (a call begun as the coach saved it still counts).
    Asked on every push, and almost always empty, so the query is written once per database rather than compiled
    by the ORM each time, and asks only for ids: the assignments themselves are read only when there are some
    (building a raw queryset cost more than running the query)."""
    connection = connections[Assignment.objects.db]
    if connection.vendor not in _MATCHING:
        q = connection.ops.quote_name
        _MATCHING[connection.vendor] = (
            f"SELECT {q('id')} FROM {q(Assignment._meta.db_table)} WHERE {q('team_id')} = %s"
            f" AND ({q('member_id')} = %s OR {q('member_id')} IS NULL) AND {q('persona_id')} = %s"
            f" AND {q('scenario_id')} = %s AND {q('difficulty')} = %s AND {q('created_at')} <= %s"
            f" AND {q('mode')} IN (%s, %s)"
            f" ORDER BY {q('due_date')}, {q('id')}"
        )
    made_by = connection.ops.adapt_datetimefield_value(row.started_at + timedelta(minutes=5))
    params = [row.team_id, row.member_id, row.persona_id, row.scenario_id, row.difficulty, made_by, *_modes(row)]
    with connection.cursor() as cursor:
        cursor.execute(_MATCHING[connection.vendor], params)
        ids = [found[0] for found in cursor.fetchall()]
    return list(Assignment.objects.filter(pk__in=ids).order_by("due_date", "id")) if ids else []


_MATCHING: dict[str, str] = {}


def _modes(row: TrainingSession) -> tuple[str, str]:
    """The assignment modes the call can count for. Only a call the app marked practice_mode false was an exam; one
    without the field (an app older than it) or null counts for practice assignments alone, because the server
    cannot know it was an exam, and a practice call must not pass an exam. Read from the document already in memory
    (no column, no query)."""
    exam = isinstance(row.document, dict) and row.document.get("practice_mode") is False
    practice = Assignment.Mode.PRACTICE.value
    return (practice, Assignment.Mode.EXAM.value if exam else practice)


def forget_attempts(row: TrainingSession) -> None:
    """A deleted call is no attempt."""
    AssignmentAttempt.objects.filter(session=row).delete()


@dataclass(frozen=True)
class Standing:
    attempts: int
    best_score: int | None
    status: str
    passed_at: datetime | None


def standing(assignment: Assignment, attempts: list[AssignmentAttempt], now: datetime | None = None) -> Standing:
    """Where one member stands, from their attempts at it (oldest first)."""
    counted = attempts[: assignment.max_attempts] if assignment.max_attempts else attempts
    scores = [a.overall for a in counted if a.overall is not None]
    passing = next((a for a in counted if a.overall is not None and a.overall >= assignment.pass_mark), None)
    if passing is not None:
        status = PASSED
    elif (assignment.max_attempts and len(counted) >= assignment.max_attempts) or (now or timezone.now()) >= due_end(
        assignment
    ):
        status = MISSED
    else:
        status = OPEN
    return Standing(len(counted), max(scores) if scores else None, status, passing.started_at if passing else None)


def standings(assignments: list[Assignment], members: list[Member]) -> dict[tuple[int, int], Standing]:
    """(assignment id, member id) -> Standing for every member an assignment is for, in two queries."""
    found: dict[tuple[int, int], list[AssignmentAttempt]] = {}
    rows = AssignmentAttempt.objects.filter(assignment__in=assignments).order_by("started_at", "id")
    for attempt in rows:
        found.setdefault((attempt.assignment_id, attempt.member_id), []).append(attempt)
    now = timezone.now()
    result = {}
    for assignment in assignments:
        for member in members:
            if assignment.member_id in (None, member.pk):
                key = (assignment.pk, member.pk)
                result[key] = standing(assignment, found.get(key, []), now)
    return result


def for_app(member: Member) -> list[dict]:
    """The member's assignments as GET /api/v1/assignments sends them: open ones first, then by due date."""
    assignments = list(
        Assignment.objects.filter(for_member_q(member.pk, member.team_id)).select_related("created_by__user")
    )
    where = standings(assignments, [member])
    order = {OPEN: 0, PASSED: 1, MISSED: 2}
    items = []
    for assignment in assignments:
        now = where[(assignment.pk, member.pk)]
        items.append(
            {
                "id": assignment.pk,
                "persona_id": assignment.persona_id,
                "persona_name": assignment.persona_name or assignment.persona_id,
                "scenario_id": assignment.scenario_id,
                "scenario_title": assignment.scenario_title or assignment.scenario_id,
                "difficulty": assignment.difficulty,
                "mode": assignment.mode,
                "due_date": assignment.due_date.isoformat(),
                "pass_mark": assignment.pass_mark,
                "max_attempts": assignment.max_attempts,
                "attempts": now.attempts,
                "best_score": now.best_score,
                "status": now.status,
                "passed_at": rfc3339(now.passed_at) if now.passed_at else None,
                "assigned_by": assignment.created_by.name if assignment.created_by else "",
            }
        )
    items.sort(key=lambda item: (order[item["status"]], item["due_date"], item["id"]))
    return items

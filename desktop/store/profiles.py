"""The trainee's coaching memory in the store: the profile read from past sessions, and goals written through the
repository's writer thread.

Reads run on any thread. `save_goal` blocks until the goal is durable; from the GUI thread hand it to the writer
instead: `repo.submit(save_goal, repo, text, session_id)` returns a Future.
"""

from __future__ import annotations

from peewee import IntegrityError

from desktop.core.clock import to_iso, utc_now
from desktop.core.profile import Goal, PastSession, TraineeProfile, build_profile, clean_goal
from desktop.store.models import database
from desktop.store.queries import SessionQueries
from desktop.store.sessions import SessionRepository

# The goals a profile carries: the current one and a little history for the coach.
MAX_GOALS = 20

# Ended practice calls (not coach debriefs, not calls that never connected), each with its newest grade.
_SESSIONS_SQL = """
SELECT s.id, s.persona_id, s.persona_name, s.difficulty, s.started_at,
       g.overall, g.rapport, g.discovery, g.objection_handling, g.closing, g.grader
FROM sessions AS s
LEFT JOIN grades AS g ON g.id = (SELECT max(id) FROM grades WHERE session_id = s.id)
WHERE s.kind = 'roleplay' AND s.status IN ('completed', 'interrupted')
"""
_GOALS_SQL = "SELECT id, text, set_at, source_session_id FROM trainee_goals ORDER BY set_at DESC, id DESC LIMIT ?"


def load_trainee_profile(queries: SessionQueries) -> TraineeProfile:
    """The profile from everything stored now. It reads the same open database as `queries` (taken so call
    sites say which store they read); any thread may call it."""
    sessions = [
        PastSession(
            session_id=row[0],
            persona_id=row[1],
            persona_name=row[2],
            difficulty=row[3],
            started_at=row[4],
            overall=row[5],
            scores=tuple(row[6:10]) if row[5] is not None else None,
            grader=row[10],
        )
        for row in database.execute_sql(_SESSIONS_SQL).fetchall()
    ]
    return build_profile(sessions, load_goals())


def load_goals(limit: int = MAX_GOALS) -> list[Goal]:
    """Newest first."""
    return [Goal(*row) for row in database.execute_sql(_GOALS_SQL, (limit,)).fetchall()]


def save_goal(repo: SessionRepository, text: str, source_session_id: int | None = None) -> Goal:
    """Stores a goal the trainee or the coach set; it becomes the current goal. Raises ValueError for a blank goal
    or a session that does not exist."""
    cleaned = clean_goal(text)
    if not cleaned:
        raise ValueError("A goal needs a few words: what will you do differently on the next call?")
    set_at = to_iso(utc_now())

    def job() -> Goal:
        try:
            with database.atomic():
                cursor = database.execute_sql(
                    "INSERT INTO trainee_goals (text, source_session_id, set_at) VALUES (?, ?, ?)",
                    (cleaned, source_session_id, set_at),
                )
        except IntegrityError:
            raise ValueError(f"There is no session {source_session_id} to link this goal to.") from None
        return Goal(cursor.lastrowid, cleaned, set_at, source_session_id)

    return repo.submit(job).result()

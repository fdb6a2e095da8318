"""Read-only queries for the progress chart and the history totals: every graded call's latest scores and rewards,
and when each ended call started. One pass over the tables each, so 10,000 calls read in tens of milliseconds.

Any thread may read (WAL); the history presenter calls these off the GUI thread.
"""

from __future__ import annotations

from desktop.core.clock import parse_iso
from desktop.core.progress import ProgressPoint
from desktop.store.models import database

# The newest grade of each session is its grade (a re-grade adds a row); grades_session (session_id, id DESC)
# makes the correlated max() a single index probe.
_GRADED_POINTS = """
SELECT s.id, s.started_at, s.persona_id, s.persona_name, s.difficulty,
       g.rapport, g.discovery, g.objection_handling, g.closing, g.overall, g.xp_earned, g.virtual_earnings
FROM sessions s
JOIN grades g ON g.id = (SELECT max(id) FROM grades WHERE session_id = s.id)
WHERE s.kind = 'roleplay' AND s.status != 'active'
ORDER BY s.started_at, s.id
"""

_ENDED_STARTS = "SELECT started_at FROM sessions WHERE kind = 'roleplay' AND status != 'active' ORDER BY started_at"


def graded_points() -> list[ProgressPoint]:
    """Every graded practice call, oldest first."""
    return [
        ProgressPoint(
            session_id=row[0],
            started_at=row[1],
            persona_id=row[2],
            persona_name=row[3],
            difficulty=row[4],
            scores=(row[5], row[6], row[7], row[8]),
            overall=row[9],
            xp=row[10] or 0,
            earnings=row[11] or 0,
            timestamp=parse_iso(row[1]).timestamp(),
        )
        for row in database.execute_sql(_GRADED_POINTS)
    ]


def ended_call_starts() -> list[str]:
    """When each ended practice call started (RFC 3339, UTC), oldest first: the input to the streaks."""
    return [row[0] for row in database.execute_sql(_ENDED_STARTS)]


def personas_called() -> list[tuple[str, str]]:
    """(persona_id, name) of every seller with at least one practice call, by name: the history's filter list."""
    rows = database.execute_sql(
        "SELECT persona_id, max(persona_name) FROM sessions WHERE kind = 'roleplay' GROUP BY persona_id"
    )
    return sorted(((row[0], row[1]) for row in rows), key=lambda item: item[1].lower())

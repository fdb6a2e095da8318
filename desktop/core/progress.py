"""Progress across practice calls: graded points over time, practice streaks, and XP and earnings totals.

Pure: the store reads the rows (`desktop/store/progress.py`); the history screen draws and shows what this computes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class ProgressPoint:
    """One graded call: its latest grade's four scores (in results.SCORE_NAMES order), overall, and rewards."""

    session_id: int
    started_at: str  # RFC 3339, UTC
    persona_id: str
    persona_name: str
    difficulty: str
    scores: tuple[int, int, int, int]
    overall: int
    xp: int = 0
    earnings: int = 0
    # Seconds since the epoch of started_at, worked out by the reader (off the GUI thread) so the chart needs no
    # date parsing; None when the reader did not.
    timestamp: float | None = None


@dataclass(frozen=True)
class PracticeTotals:
    calls: int
    graded_calls: int
    xp: int
    earnings: int
    current_streak_days: int
    best_streak_days: int
    practised_today: bool


def streaks(days: Iterable[date], today: date) -> tuple[int, int]:
    """(current, best) runs of consecutive days with at least one call.

    The current streak is still alive when the last practice was yesterday: the trainee has until tonight.
    """
    ordered = sorted(set(days))
    best = run = 0
    previous: date | None = None
    for day in ordered:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    alive = previous is not None and today - previous <= timedelta(days=1)
    return (run if alive else 0), best


def practice_totals(call_days: Sequence[date], points: Sequence[ProgressPoint], today: date) -> PracticeTotals:
    """call_days: the local day of every ended call (graded or not); points: the graded ones."""
    current, best = streaks(call_days, today)
    return PracticeTotals(
        calls=len(call_days),
        graded_calls=len(points),
        xp=sum(point.xp for point in points),
        earnings=sum(point.earnings for point in points),
        current_streak_days=current,
        best_streak_days=best,
        practised_today=today in set(call_days),
    )


def for_persona(points: Sequence[ProgressPoint], persona_id: str | None) -> list[ProgressPoint]:
    """The points of one persona, or all of them when persona_id is None."""
    return list(points) if persona_id is None else [point for point in points if point.persona_id == persona_id]

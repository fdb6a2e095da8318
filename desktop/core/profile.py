"""The trainee's coaching memory: goals, recurring weak areas, scores over time and personas practised, built from
past sessions, plus the short summary and flat variables a seller or coach agent gets at call start.

Pure: the store reads the rows (`desktop/store/profiles.py`), this turns them into a profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import mean

from desktop.core.results import SCORE_NAMES

AREA_LABELS = {
    "rapport": "rapport",
    "discovery": "discovery questions",
    "objection_handling": "objection handling",
    "closing": "closing with a next step",
}
# A score under this counts as weak in that call.
WEAK_SCORE = 60
# Weak areas are read from the latest graded calls only: an old habit the trainee has fixed is not recurring.
RECENT_CALLS = 10
# Trend: the mean of the last TREND_WINDOW calls against the TREND_WINDOW before them, in overall points.
TREND_WINDOW = 3
TREND_POINTS = 5
MAX_GOAL_CHARS = 200
MAX_SUMMARY_CHARS = 600
NONE = "none"


@dataclass(frozen=True)
class PastSession:
    """One ended practice call as the profile sees it; scores are None until it is graded."""

    session_id: int
    persona_id: str
    persona_name: str
    difficulty: str
    started_at: str
    overall: int | None = None
    scores: tuple[int, int, int, int] | None = None  # in SCORE_NAMES order
    grader: str | None = None


@dataclass(frozen=True)
class Goal:
    id: int
    text: str
    set_at: str
    source_session_id: int | None = None


@dataclass(frozen=True)
class WeakArea:
    area: str  # a SCORE_NAMES key
    label: str
    weak_calls: int  # recent calls where it scored under WEAK_SCORE or was the lowest of the four
    of_calls: int
    average: int


@dataclass(frozen=True)
class ScorePoint:
    session_id: int
    started_at: str
    persona_id: str
    difficulty: str
    overall: int


@dataclass(frozen=True)
class PersonaPractice:
    persona_id: str
    persona_name: str
    calls: int
    best_overall: int | None
    last_overall: int | None
    last_started_at: str


@dataclass(frozen=True)
class TraineeProfile:
    total_calls: int
    goals: tuple[Goal, ...]  # newest first
    weak_areas: tuple[WeakArea, ...]  # most often weak first
    scores: tuple[ScorePoint, ...]  # graded calls, oldest first
    personas: tuple[PersonaPractice, ...]  # most practised first

    @property
    def current_goal(self) -> Goal | None:
        return self.goals[0] if self.goals else None

    @property
    def last_overall(self) -> int | None:
        return self.scores[-1].overall if self.scores else None

    @property
    def trend(self) -> str:
        """One of: new, improving, steady, slipping."""
        overall = [point.overall for point in self.scores]
        if len(overall) < 2 * TREND_WINDOW:
            return "new" if len(overall) < 2 else "steady"
        change = mean(overall[-TREND_WINDOW:]) - mean(overall[-2 * TREND_WINDOW : -TREND_WINDOW])
        return "improving" if change >= TREND_POINTS else "slipping" if change <= -TREND_POINTS else "steady"

    def persona(self, persona_id: str | None) -> PersonaPractice | None:
        return next((p for p in self.personas if p.persona_id == persona_id), None)


EMPTY_PROFILE = TraineeProfile(0, (), (), (), ())


def build_profile(sessions: Sequence[PastSession], goals: Sequence[Goal] = ()) -> TraineeProfile:
    """sessions: ended practice calls in any order. goals: in any order; the newest is the current one."""
    ordered = sorted(sessions, key=lambda s: (s.started_at, s.session_id))
    graded = [s for s in ordered if s.overall is not None]
    scores = tuple(ScorePoint(s.session_id, s.started_at, s.persona_id, s.difficulty, s.overall) for s in graded)
    return TraineeProfile(
        total_calls=len(ordered),
        goals=tuple(sorted(goals, key=lambda g: (g.set_at, g.id), reverse=True)),
        weak_areas=_weak_areas([s.scores for s in graded[-RECENT_CALLS:] if s.scores]),
        scores=scores,
        personas=_personas(ordered),
    )


def _weak_areas(recent: Sequence[tuple[int, int, int, int]]) -> tuple[WeakArea, ...]:
    if not recent:
        return ()
    areas = []
    for index, name in enumerate(SCORE_NAMES):
        values = [scores[index] for scores in recent]
        weak = sum(1 for scores in recent if scores[index] < WEAK_SCORE or scores[index] == min(scores))
        # Recurring: weak in at least two calls and in at least a third of the recent ones.
        if weak >= 2 and weak * 3 >= len(recent):
            areas.append(WeakArea(name, AREA_LABELS[name], weak, len(recent), int(round(mean(values)))))
    return tuple(sorted(areas, key=lambda a: (-a.weak_calls, a.average, SCORE_NAMES.index(a.area))))


def _personas(ordered: Sequence[PastSession]) -> tuple[PersonaPractice, ...]:
    by_persona: dict[str, list[PastSession]] = {}
    for session in ordered:
        by_persona.setdefault(session.persona_id, []).append(session)
    practice = []
    for persona_id, calls in by_persona.items():
        graded = [c.overall for c in calls if c.overall is not None]
        practice.append(
            PersonaPractice(
                persona_id,
                calls[-1].persona_name,
                len(calls),
                max(graded) if graded else None,
                graded[-1] if graded else None,
                calls[-1].started_at,
            )
        )
    return tuple(sorted(practice, key=lambda p: (-p.calls, p.persona_name)))


def clean_goal(text: str) -> str:
    """A goal as it is stored and shown: one line, at most MAX_GOAL_CHARS."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_GOAL_CHARS else line[: MAX_GOAL_CHARS - 1].rstrip() + "…"


def profile_summary(profile: TraineeProfile, persona_id: str | None = None) -> str:
    """A few sentences about the trainee for an agent's prompt (seller or coach), at most MAX_SUMMARY_CHARS."""
    if profile.total_calls == 0:
        return "This is the trainee's first practice call."
    parts = [f"The trainee has made {profile.total_calls} practice call{'s' if profile.total_calls != 1 else ''}."]
    if profile.scores:
        trend = {"improving": ", improving", "slipping": ", slipping lately"}.get(profile.trend, "")
        parts.append(f"Last overall score {profile.last_overall} of 100{trend}.")
    if profile.weak_areas:
        weakest = profile.weak_areas[0]
        parts.append(
            f"Recurring weak area: {weakest.label} (weak in {weakest.weak_calls} of the last {weakest.of_calls} "
            f"graded calls, average {weakest.average})."
        )
        if len(profile.weak_areas) > 1:
            parts.append(f"Also: {', '.join(a.label for a in profile.weak_areas[1:])}.")
    if profile.current_goal:
        parts.append(f'Their current goal: "{profile.current_goal.text}".')
    practice = profile.persona(persona_id)
    if persona_id is not None:
        if practice is None:
            parts.append("They have not called this seller before.")
        else:
            best = f"; best score {practice.best_overall}" if practice.best_overall is not None else ""
            times = "once" if practice.calls == 1 else f"{practice.calls} times"
            parts.append(f"They have called this seller {times} before{best}.")
    return _fit(parts, MAX_SUMMARY_CHARS)


def profile_variables(profile: TraineeProfile, persona_id: str) -> dict[str, str | int | float]:
    """Flat dynamic variables for the agent. Every key is always present (a missing variable fails the call):
    an unknown value is "none" or 0."""
    practice = profile.persona(persona_id)
    weakest = profile.weak_areas[0] if profile.weak_areas else None
    return {
        "total_calls": profile.total_calls,
        "previous_calls_with_persona": practice.calls if practice else 0,
        "best_with_persona": _or_none(practice.best_overall if practice else None),
        "last_with_persona": _or_none(practice.last_overall if practice else None),
        "last_overall": _or_none(profile.last_overall),
        "score_trend": profile.trend,
        "weakest_area": weakest.label if weakest else NONE,
        "weak_areas": ", ".join(a.label for a in profile.weak_areas) or NONE,
        "current_goal": profile.current_goal.text if profile.current_goal else NONE,
        "trainee_memory": profile_summary(profile, persona_id),
    }


def _or_none(value: int | None) -> int | str:
    return NONE if value is None else value


def _fit(parts: list[str], limit: int) -> str:
    """Whole sentences, dropping the least important (the last ones) until the text fits."""
    while len(parts) > 1 and len(" ".join(parts)) > limit:
        parts = parts[:-1]
    text = " ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"

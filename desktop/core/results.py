"""What a finished call produces: its analytics and its grade, as plain immutable values."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

SCORE_NAMES = ("rapport", "discovery", "objection_handling", "closing")
HEURISTIC_GRADER = "heuristic"  # the stored and synced name; people are shown grader_words()


def grader_words(grader: str) -> str:
    """Who graded a call, as the trainee reads it: "the built-in rules", or the model's name."""
    return "the built-in rules" if grader == HEURISTIC_GRADER else grader


def overall_of(rapport: int, discovery: int, objection_handling: int, closing: int) -> int:
    """The overall score is always the rounded mean of the four, computed here and never taken from a grader."""
    # Half up (62.5 -> 63), as people and most backends round; Python's round() would give the even 62.
    return (rapport + discovery + objection_handling + closing + 2) // 4


@dataclass(frozen=True)
class CallMetrics:
    """Call analytics as defined in the reference `call-analytics.md`.

    Fields that need speech timing are None for typed (text-mode) calls, where they would mean nothing.
    """

    call_length_s: float
    trainee_turns: int
    seller_turns: int
    questions: int
    open_questions: int
    closed_questions: int
    objections_raised: tuple[str, ...] = ()
    objections_answered: tuple[str, ...] = ()
    talk_ratio: float | None = None
    longest_monologue_s: float | None = None
    fillers_per_min: float | None = None
    soft_fillers_per_min: float | None = None
    words_per_min: float | None = None
    patience_s: float | None = None
    switches_per_min: float | None = None
    interruptions: int | None = None
    # Trainee lines typed during a voice call: the timing metrics above leave them (and the seller's answers) out.
    typed_lines: int = 0

    def to_dict(self) -> dict:
        data = asdict(self)
        data["objections_raised"] = list(self.objections_raised)
        data["objections_answered"] = list(self.objections_answered)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> CallMetrics:
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["objections_raised"] = tuple(values.get("objections_raised") or ())
        values["objections_answered"] = tuple(values.get("objections_answered") or ())
        return cls(**values)


@dataclass(frozen=True)
class Grade:
    """Four 0-100 scores, their rounded mean, feedback quoting the trainee, and the rewards of the call."""

    rapport: int
    discovery: int
    objection_handling: int
    closing: int
    strengths: tuple[str, ...] = ()
    improvements: tuple[str, ...] = ()
    recommendations: tuple[str, ...] = ()
    grader: str = HEURISTIC_GRADER
    virtual_earnings: int = 0
    xp_earned: int = 0
    # Why the fallback grader was used (no key, timeout, ...); empty for a model grade.
    note: str = ""
    overall: int = field(init=False)

    def __post_init__(self) -> None:
        for name in SCORE_NAMES:
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= 100:
                raise ValueError(f"{name} must be an integer from 0 to 100, got {value!r}")
        object.__setattr__(
            self, "overall", overall_of(self.rapport, self.discovery, self.objection_handling, self.closing)
        )

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("strengths", "improvements", "recommendations"):
            data[key] = list(data[key])
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Grade:
        known = {f for f in cls.__dataclass_fields__ if f != "overall"}
        values = {k: v for k, v in data.items() if k in known}
        for key in ("strengths", "improvements", "recommendations"):
            values[key] = tuple(values.get(key) or ())
        return cls(**values)

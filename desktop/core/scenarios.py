"""Practice scenarios: the bundled kinds of call a trainee can practise, and their validation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from desktop.core.difficulty import Difficulty
from desktop.core.personas import _is_text, _kind_of, _read_list, _require_unique
from desktop.core.resources import resource_path
from desktop.core.transcript import Speaker, TranscriptLine

SCENARIO_KINDS = ("cold_call", "inbound_callback", "follow_up", "negotiation", "objection_drill", "decision_maker")
CALLERS = ("trainee", "seller")


@dataclass(frozen=True)
class Scenario:
    """A kind of call to practise: who dials, how the seller opens, and what the trainee should achieve."""

    id: str
    title: str
    description: str
    kind: str
    caller: str = "trainee"
    opening: str = ""
    max_exchanges: int | None = None
    goals: tuple[str, ...] = ()

    @property
    def seller_calls(self) -> bool:
        return self.caller == "seller"

    @property
    def is_drill(self) -> bool:
        return self.max_exchanges is not None

    def is_finished(self, lines: Iterable[TranscriptLine]) -> bool:
        """A drill ends by itself once the seller has answered `max_exchanges` trainee turns; other calls end
        when someone hangs up."""
        return self.max_exchanges is not None and exchanges_completed(lines) >= self.max_exchanges

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "goals": list(self.goals)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        max_exchanges = data.get("max_exchanges")
        return cls(
            id=str(data["id"]),
            title=str(data["title"]),
            description=str(data.get("description") or ""),
            kind=str(data["kind"]),
            caller=str(data.get("caller") or "trainee"),
            opening=str(data.get("opening") or ""),
            max_exchanges=None if max_exchanges is None else int(max_exchanges),
            goals=tuple(str(g) for g in data.get("goals") or ()),
        )

    def snapshot(self, difficulty: Difficulty | str) -> dict[str, Any]:
        """The scenario as the sync contract records it, with the difficulty the call was played at."""
        level = difficulty if isinstance(difficulty, Difficulty) else Difficulty.parse(difficulty)
        return {"id": self.id, "title": self.title, "difficulty": level.value, "kind": self.kind}


def exchanges_completed(lines: Iterable[TranscriptLine]) -> int:
    """How many times a trainee turn (one or more lines in a row) got a seller reply after it."""
    count, trainee_waiting = 0, False
    for line in sorted(lines, key=lambda ln: ln.seq):
        if line.speaker is Speaker.TRAINEE:
            trainee_waiting = True
        elif line.speaker is Speaker.SELLER and trainee_waiting:
            count += 1
            trainee_waiting = False
    return count


def load_scenarios(path: Path | str | None = None) -> list[Scenario]:
    """The bundled scenarios, in file order."""
    entries = _read_list(Path(path) if path else resource_path("scenarios.json"), "scenarios")
    scenarios: list[Scenario] = []
    for index, entry in enumerate(entries):
        errors = validate_scenario(entry)
        if errors:
            raise ValueError(f"scenario #{index + 1} is invalid: {errors}")
        scenarios.append(Scenario.from_dict(entry))
    _require_unique([s.id for s in scenarios], "scenario id")
    return scenarios


def validate_scenario(data: object) -> dict[str, str]:
    """Checks one scenario entry; field -> message for each bad field."""
    if not isinstance(data, Mapping):
        return {"scenario": f"Expected a scenario with named fields, got {_kind_of(data)}."}
    errors = {key: f"{key} is required text." for key in ("id", "title", "kind") if not _is_text(data.get(key))}
    if "kind" not in errors and data["kind"] not in SCENARIO_KINDS:
        errors["kind"] = f"Kind must be one of {', '.join(SCENARIO_KINDS)}."
    if data.get("caller", "trainee") not in CALLERS:
        errors["caller"] = "Caller must be 'trainee' or 'seller'."
    limit = data.get("max_exchanges")
    if (limit is None and data.get("kind") == "objection_drill") or (
        limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1)
    ):
        errors["max_exchanges"] = "Max exchanges must be a whole number of at least 1 (null: no limit, not in drills)."
    goals = data.get("goals", [])
    if not isinstance(goals, list) or not all(_is_text(g) for g in goals):
        errors["goals"] = "Goals must be a list of text."
    return errors

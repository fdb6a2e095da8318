"""What the user asks the app to do from the contacts, the dialer, the tray or a second launch: small, plain values."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

DEFAULT_SCENARIO_ID = "cold-call-first-contact"
DEFAULT_DIFFICULTY = "ROOKIE"


@dataclass(frozen=True)
class CallRequest:
    """Place a practice call: with whom, which kind of call, how hard, with hints or not, by voice or by typing."""

    persona_id: str
    scenario_id: str = DEFAULT_SCENARIO_ID
    difficulty: str = DEFAULT_DIFFICULTY
    practice_mode: bool = True
    typed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallRequest:
        """Rebuilds a request another process sent; raises ValueError when it is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("persona_id"), str) or not data["persona_id"]:
            raise ValueError("a call request needs a persona_id")
        return cls(
            persona_id=data["persona_id"],
            scenario_id=str(data.get("scenario_id") or DEFAULT_SCENARIO_ID),
            difficulty=str(data.get("difficulty") or DEFAULT_DIFFICULTY).upper(),
            practice_mode=bool(data.get("practice_mode", True)),
            typed=bool(data.get("typed", False)),
        )

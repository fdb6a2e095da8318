"""The five difficulty levels and how hard each makes the seller."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Difficulty(str, Enum):
    BEGINNER = "BEGINNER"
    ROOKIE = "ROOKIE"
    PRO = "PRO"
    ELITE = "ELITE"
    NIGHTMARE = "NIGHTMARE"

    @property
    def profile(self) -> DifficultyProfile:
        return PROFILES[self]

    @classmethod
    def parse(cls, text: str) -> Difficulty:
        try:
            return cls(text.strip().upper())
        except ValueError:
            names = ", ".join(d.value for d in cls)
            raise ValueError(f"unknown difficulty {text!r}; choose one of {names}") from None


@dataclass(frozen=True)
class DifficultyProfile:
    """Knobs the prompt builder and the practice partner turn into seller behaviour.

    patience: how many weak caller turns the seller tolerates before ending the call.
    objections_per_call: how many objections the seller raises.
    info_willingness: 0..1, how readily the seller shares motivation, timeline, condition and price.
    price_flexibility: 0..1, how far below the asking price the seller will move, as a fraction of it.
    earnings_multiplier: scales the virtual earnings of a won call.
    """

    patience: int
    objections_per_call: int
    info_willingness: float
    price_flexibility: float
    earnings_multiplier: float
    description: str


PROFILES: dict[Difficulty, DifficultyProfile] = {
    Difficulty.BEGINNER: DifficultyProfile(
        12, 1, 0.9, 0.30, 1.0, "motivated and friendly; volunteers information and forgives mistakes"
    ),
    Difficulty.ROOKIE: DifficultyProfile(
        9, 2, 0.7, 0.20, 1.5, "open, but shares only when asked; one or two mild objections"
    ),
    Difficulty.PRO: DifficultyProfile(
        6, 3, 0.5, 0.12, 2.5, "guarded and price-sensitive; shares motivation only after rapport"
    ),
    Difficulty.ELITE: DifficultyProfile(
        4, 4, 0.3, 0.07, 4.0, "skeptical; tests you, has another offer, needs family to agree"
    ),
    Difficulty.NIGHTMARE: DifficultyProfile(
        2, 6, 0.15, 0.03, 6.0, "hostile or busy; hangs up on a weak opener or pressure; stacks objections"
    ),
}

"""How the rule-played seller's reply becomes one line: the parts a turn gathers (`ReplyDraft`), the choice among
`seller_lines`' variants without repeating one, money and facts filled into templates, and the finished `SellerTurn`.

Kept apart from `seller_brain` so the brain reads as decisions (what to answer, what to hold back) and this module as
wording. The random source is the brain's own, so a call stays deterministic for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from desktop.partner.seller import lines as say


@dataclass(frozen=True)
class SellerTurn:
    """One seller line. `end_call`: the seller hangs up after saying it (reason in `end_reason`)."""

    text: str
    end_call: bool = False
    end_reason: str = ""
    objection: str | None = None
    revealed: tuple[str, ...] = ()
    price_response: str | None = None  # "named", "accepted", "countered", "refused"
    price: int | None = None
    mood: str = "neutral"  # "warm", "neutral" or "cool"


@dataclass
class ReplyDraft:
    """What one reply has gathered so far; the rules fill it in turn, `SellerPhrasing.compose` makes it a line."""

    reaction: say.Variants = ()  # picked only when the reply is finished, since later rules may replace it
    content: list[str] = field(default_factory=list)
    tail: str = ""
    objection: str | None = None
    revealed: list[str] = field(default_factory=list)
    price_response: str | None = None
    price: int | None = None
    agreed: bool = False  # this reply says yes to a price or a next step


class SellerPhrasing:
    """Everything the seller has said in this call, and the wording of what comes next."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()
        self.said: list[str] = []

    def pick(self, variants: say.Variants, **values: object) -> str:
        """One variant, filled in; one not used yet in this call when there is one."""
        filled = [fill_template(v, values) for v in variants]
        fresh = [v for v in filled if v not in self._used]
        choice = self._rng.choice(fresh or filled)
        self._used.add(choice)
        return choice

    def compose(self, draft: ReplyDraft, mood: str) -> SellerTurn:
        """The reaction, at most three pieces of content (every part of a question of three) and the tail, as one
        line never said before in this call."""
        reaction = self.pick(draft.reaction) if draft.reaction else ""
        parts = [p for p in (reaction, *draft.content[:3], draft.tail) if p]
        text = self._unique(" ".join(parts))
        self.said.append(text)
        return SellerTurn(
            text,
            objection=draft.objection,
            revealed=tuple(draft.revealed),
            price_response=draft.price_response,
            price=draft.price,
            mood=mood,
        )

    def _unique(self, text: str) -> str:
        if text not in self.said:
            return text
        prefixes = say.REPEAT_PREFIXES
        candidates = [p + text[0].lower() + text[1:] for p in prefixes]
        candidates += [a + b.lower() + text[0].lower() + text[1:] for a in prefixes for b in prefixes if a != b]
        return next((c for c in candidates if c not in self.said), text)


def fill_template(template: str, values: dict[str, object]) -> str:
    """Formats {price}/{offer} as money and {fact} as is; a capitalised key ({Price}, {Fact}) starts a sentence."""
    if not values:
        return template
    shown: dict[str, str] = {}
    for key, value in values.items():
        text = say.money(value) if isinstance(value, int) else str(value)
        shown[key] = text
        shown[key.capitalize()] = text[:1].upper() + text[1:]
    return template.format(**shown)

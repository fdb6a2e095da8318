"""The rule-played seller's side of the haggling: the asking price, counters in small steps, and a floor that holds.

The floor is the minimum price the client sends (`prompts.lowest_acceptable_price`). No move ever accepts below
it, and a counter to an offer under it stays a step above it, so the seller never reveals the lowest number they
would take. A lowball (under LOWBALL_SHARE of the floor) earns no ground at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LOWBALL_SHARE = 0.8
EASY_FLEXIBILITY = 0.2  # BEGINNER and ROOKIE "accept a fair offer" from a caller they like


@dataclass(frozen=True)
class PriceMove:
    """What the seller does about money this turn.

    kind: "named" (states the price), "ask_offer" (wants the caller's number first), "restate" (repeats it),
    "accepted", "countered" or "refused". `price` is the seller's number after the move; `offer` the caller's.
    """

    kind: str
    price: int | None = None
    offer: int | None = None
    lowball: bool = False
    held: bool = False  # a refusal that keeps a number already said (else the seller states it now)


class Negotiation:
    def __init__(self, asking_price: int, minimum_price: int, flexibility: float) -> None:
        self.minimum = minimum_price
        self.counter = asking_price
        self.flexibility = flexibility
        self.step = _step(asking_price or minimum_price)
        self.named = False
        self.agreed: int | None = None
        self._asks = 0

    def asked(self, willing: bool) -> PriceMove:
        """The caller asks for the price; an unwilling seller wants an offer first, once."""
        if self.agreed is not None:
            return PriceMove("restate", self.agreed)
        if self.counter <= 0:
            return PriceMove("ask_offer")
        if self.named:
            return PriceMove("restate", self.counter)
        if willing or self._asks >= 1:
            self.named = True
            return PriceMove("named", self.counter)
        self._asks += 1
        return PriceMove("ask_offer")

    def is_lowball(self, offer: int) -> bool:
        return offer < self.minimum * LOWBALL_SHARE

    def offered(self, offer: int, *, ready: bool, reasons: int, strained: bool) -> PriceMove:
        """The caller names a price. ready: the seller trusts them enough to deal; reasons: how many reasons they gave
        for a lower price (condition, back taxes, cash, a quick close, closing costs); strained: they have been
        pushy or rude in this call."""
        if self.agreed is not None:
            return PriceMove("restate", self.agreed, offer)
        floor = self.minimum
        if self.counter <= 0:  # no asking price: the floor is all there is
            self.counter = max(floor, offer) + self.step * 4
        close_enough = offer >= self.counter - self.step or self.flexibility >= EASY_FLEXIBILITY
        if offer >= self.counter or (offer >= floor and ready and close_enough):
            return self._accept(offer)
        if self.is_lowball(offer):
            held, self.named = self.named, True
            return PriceMove("refused", self.counter, offer, lowball=True, held=held)
        give = 0.2 + 0.1 * reasons + (0.15 if ready else 0.0) - (0.1 if strained else 0.0)
        give = min(0.6, max(0.05, give))
        lowest_counter = floor if offer >= floor else floor + self.step
        proposed = self._round_up(self.counter - (self.counter - max(offer, floor)) * give)
        new_counter = min(self.counter, max(lowest_counter, proposed))
        if offer >= floor and new_counter <= offer:
            return self._accept(offer)
        moved = new_counter < self.counter or not self.named
        self.counter, self.named = new_counter, True
        return PriceMove("countered" if moved else "refused", new_counter, offer, held=not moved)

    def _accept(self, offer: int) -> PriceMove:
        if offer < self.minimum:  # a guard on the rules above: the floor is never broken
            raise AssertionError("accepting below the minimum price")
        self.agreed = self.counter = offer
        return PriceMove("accepted", offer, offer)

    def _round_up(self, amount: float) -> int:
        return int(math.ceil(amount / self.step) * self.step)


def _step(reference: int) -> int:
    return 100 if reference < 20_000 else 500 if reference < 100_000 else 1000

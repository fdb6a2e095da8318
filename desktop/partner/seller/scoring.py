"""How the rule-played seller judges the technique in one trainee turn, once `seller_cues` has read it.

Good technique (open questions, empathy, the seller's name, a summary, a follow-up, a polite opening) earns goodwill;
bad technique (rudeness, pressure, a pitch, talking over, an early lowball, asking again) uses up patience. The score
also carries the seller's first reaction to the turn. Pure: `SellerBrain` decides what the score does to the call.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.partner.seller import lines as say
from desktop.partner.seller.cues import TraineeTurn

NAME_USES_THAT_COUNT = 3  # after that, the seller's name is a habit, not warmth


@dataclass(frozen=True)
class TurnScore:
    good: float  # goodwill earned, before the brain's cap for one turn
    weak: float  # patience used up
    reaction: say.Variants = ()
    used_name: bool = False  # the seller's name counted this turn


def score_turn(
    turn: TraineeTurn,
    *,
    turn_number: int,
    talked_over: bool,
    name_uses: int,
    answered: set[str],
    early_lowball: bool,
    busy_cold_call: bool,
) -> TurnScore:
    """`answered`: topics the seller already gave a real answer to; `busy_cold_call`: a cold call to a seller short
    on patience, who hangs up on a caller who will not say who they are."""
    good = 0.0
    reaction: say.Variants = ()
    if turn.open_questions:
        good += 0.8 + 0.2 * min(2, turn.open_questions - 1)
    elif turn.closed_questions:
        good += 0.25
    if turn.empathy:
        good += 0.8
        reaction = say.REACTIONS["empathy"]
    used_name = turn.uses_name and name_uses < NAME_USES_THAT_COUNT
    if used_name:
        good += 0.4
    if turn.summarises and turn_number > 1:
        good += 1.0
        reaction = say.REACTIONS["summary"]
    if turn.follows_up:
        good += 0.5
    if turn_number <= 2:
        good += 0.5 * turn.introduces + 0.5 * turn.asks_permission
    weak = 0.0
    if turn.rude:
        weak += 2.0
        reaction = say.REACTIONS["rude"]
    if turn.pushy:
        weak += 1.0
        reaction = reaction if turn.rude else say.REACTIONS["pushy"]
    if turn.pitch:
        weak += 1.0
        reaction = reaction or say.REACTIONS["pitch"]
    if talked_over:
        weak += 1.0
        reaction = say.REACTIONS["talked_over"]
    if early_lowball:
        weak += 1.0
    if turn_number == 1 and busy_cold_call and not turn.introduces:
        weak += 1.0
    if turn.off_script:
        weak += 0.5
    repeats = [t for t in turn.topics if t in answered]
    if repeats and not turn.summarises:
        weak += 0.5
    return TurnScore(good, weak, reaction, used_name)

"""Who plays the other side of a partner conversation: the seller (or, in a debrief, the coach), by rules or through
an OpenAI-compatible model that falls back to those same rules on any failed turn. Kept apart from the protocol
handling in `partner_call`, which only needs the common interface below."""

from __future__ import annotations

from desktop.core.coach import coach_system_prompt
from desktop.core.prompts import build_agent_config
from desktop.partner.coach.brain import CoachBrain
from desktop.partner.model_seller import LlmSeller, SellerModelConfig
from desktop.partner.seller.brain import SellerBrain, SellerTurn
from desktop.partner.setup import PartnerRole


class RulePlayer:
    """The rules brain (the seller's or the coach's) behind the same interface as `LlmSeller`."""

    fallbacks = 0

    def __init__(self, brain: SellerBrain | CoachBrain) -> None:
        self.brain = brain

    def greeting(self) -> SellerTurn:
        return self.brain.greeting()

    async def reply(self, text: str, *, talked_over: bool = False) -> SellerTurn:
        return self.brain.reply(text, talked_over=talked_over)

    def reply_unheard(self) -> SellerTurn:
        return self.brain.reply_unheard()

    def add_context(self, text: str) -> None:
        """Background updates change nothing in the rules."""

    async def close(self) -> None:
        """Nothing to release."""


Player = RulePlayer | LlmSeller


def make_player(setup: PartnerRole, *, seed: int, model: SellerModelConfig | None) -> Player:
    """The coach when the setup carries a coach brief, else the seller; by the model when one is configured."""
    if setup.coach is not None:
        coach = CoachBrain(setup.coach, first_message=setup.first_message)
        if model is None:
            return RulePlayer(coach)
        # The client's prompt holds the call's transcript; without one, the coach works from the brief alone.
        return LlmSeller(model, setup.system_prompt or coach_system_prompt(setup.coach), coach)
    seller = SellerBrain(
        setup.persona,
        setup.scenario,
        setup.difficulty,
        trainee_name=setup.trainee_name,
        seed=seed,
        minimum_price=setup.minimum_price,
        objections=setup.objections,
        first_message=setup.first_message,
    )
    if model is None:
        return RulePlayer(seller)
    prompt = (
        setup.system_prompt
        or build_agent_config(
            setup.persona, setup.scenario, setup.difficulty, setup.trainee_name or "the caller"
        ).system_prompt
    )
    return LlmSeller(model, prompt, seller)  # the rules answer the turns the model fails

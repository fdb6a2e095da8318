"""When the rule-played seller raises which objection, and how the trainee's answer to it landed.

A call raises the difficulty's `objections_per_call` objections: each when something in the call invites it (an
offer invites "price too low", a proposed next step invites "I need to talk to my family") or, failing that, on a
schedule spread through the call. Budgets larger than the persona's list come back to objections handled poorly, as
the agent prompt asks ("stack them when the caller pushes"). Drills raise one per reply, in order.
"""

from __future__ import annotations

from desktop.core.difficulty import DifficultyProfile
from desktop.core.personas import OBJECTION_LINES, Persona
from desktop.core.scenarios import Scenario
from desktop.partner.seller.cues import TraineeTurn

# A typical practice call has about this many trainee turns; scheduled objections are spread over it.
EXPECTED_TURNS = 8
FIRST_SCHEDULED_TURN = 2
PRICE_TRIGGERED = (
    "price too low",
    "worth more online",
    "has another offer",
    "will list with an agent",
    "back taxes or lien",
    "send it in writing",
)
NEXT_STEP_TRIGGERED = ("wants to talk to family", "paperwork hassle", "send it in writing")


class ObjectionPlan:
    def __init__(
        self, persona: Persona, scenario: Scenario, profile: DifficultyProfile, labels: list[str] | None = None
    ) -> None:
        self.scenario = scenario
        self.profile = profile
        if scenario.is_drill:
            wanted = max(1, (scenario.max_exchanges or 1) - 1)
            extra = [label for label in OBJECTION_LINES if label not in persona.objection_patterns]
            base = list(labels) if labels else list(persona.objection_patterns) + extra
            self.labels = (base or list(OBJECTION_LINES))[: max(wanted, 1)]
            self.budget = wanted
        else:
            self.labels = list(labels) if labels else list(persona.objection_patterns[: profile.objections_per_call])
            self.budget = profile.objections_per_call if self.labels else 0
        self.stacks = self.budget >= 5  # the hardest sellers pile objections on, turn after turn
        self.spacing = 1 if self.stacks else max(2, round(EXPECTED_TURNS / (self.budget + 1)))
        self.raised: list[tuple[str, int]] = []
        self.pending: str | None = None
        self.handled: set[str] = set()
        self.poorly: set[str] = set()
        self.offer_seen = False  # "your offer is insulting" needs an offer first
        self.answered_early: set[str] = set()  # answered before it came up ("I got your name from the records")

    @property
    def raised_labels(self) -> list[str]:
        return [label for label, _ in self.raised]

    def raise_(self, label: str, turn_no: int) -> bool:
        """Record that `label` is raised now; True when it was raised before in this call."""
        again = label in self.raised_labels
        self.raised.append((label, turn_no))
        self.pending = label
        return again

    def answer_early(self, label: str) -> None:
        """The caller answered `label` before the seller raised it: it is not raised in this call."""
        self.answered_early.add(label)
        if self.pending == label:
            self.pending = None

    def judge(self, turn: TraineeTurn) -> str | None:
        """How the trainee answered the objection raised in the seller's last line, if there was one."""
        label, self.pending = self.pending, None
        if label is None:
            return None
        if turn.argues or turn.pushy or turn.rude:
            self.poorly.add(label)
            return "argued"
        if turn.empathy and (turn.questions or turn.price_reasons or turn.summarises):
            self.handled.add(label)
            self.poorly.discard(label)
            return "handled"
        if turn.empathy or turn.open_questions:
            return "partly"
        self.poorly.add(label)
        return "ignored"

    def next_due(self, turn_no: int, turn: TraineeTurn | None, price_talk: bool, price_known: bool) -> str | None:
        """The objection to raise at the end of this reply, if any. Objections about money wait until money has
        come up (`price_known`); `price_talk` means it came up in this turn."""
        if self.scenario.is_drill or len(self.raised) >= self.budget or self.pending is not None:
            return None
        since = turn_no - self.raised[-1][1] if self.raised else turn_no
        triggered = [label for label in self._triggered(turn_no, turn, price_talk) if label not in self.raised_labels]
        if triggered and since >= (1 if self.stacks or not self.raised else 2):
            return triggered[0]
        if turn_no < FIRST_SCHEDULED_TURN or since < self.spacing:
            return None
        ready = [
            label
            for label in self.labels
            if (price_known or label not in PRICE_TRIGGERED)
            and (self.offer_seen or label != "price too low")
            and label not in self.answered_early
        ]
        fresh = [label for label in ready if label not in self.raised_labels]
        if fresh:
            return fresh[0]
        # Only objections handled poorly come back, or a money one when money is on the table again.
        again = [label for label in ready if label in self.poorly or (price_talk and label in PRICE_TRIGGERED)]
        if not again:
            return None
        # Come back to the one raised longest ago, so a re-raise never repeats the last objection at once.
        return min(again, key=lambda label: max(t for lb, t in self.raised if lb == label))

    def trigger_for_next_step(self, turn_no: int) -> str | None:
        """A proposed next step the seller is not ready for brings up family or paperwork, if those are theirs."""
        if self.scenario.is_drill or len(self.raised) >= self.budget:
            return None
        for label in NEXT_STEP_TRIGGERED:
            if label in self.labels and label not in self.raised_labels:
                return label
        return None

    def drill_label(self, index: int) -> str:
        return self.labels[index % len(self.labels)]

    def _triggered(self, turn_no: int, turn: TraineeTurn | None, price_talk: bool) -> list[str]:
        found: list[str] = []
        if self.scenario.kind == "cold_call" and turn_no <= 2:
            found.append("how did you get my number")
        if turn is not None and turn_no == 1 and not turn.asks_permission and self.profile.patience <= 4:
            found.append("call back later")
        if turn is not None and turn.introduces and turn_no <= 3:
            found.append("is this a scam")
        if turn is not None and "motivation" in turn.topics:
            found.append("family land")
        if turn is not None and ("timeline" in turn.topics or turn.pushy):
            found.append("not in a hurry")
        if turn is not None and "decision" in turn.topics:
            found.append("wants to talk to family")
        if turn is not None and turn.offer is not None:
            self.offer_seen = True
        if price_talk:
            found.extend(label for label in PRICE_TRIGGERED if self.offer_seen or label != "price too low")
        return [label for label in found if label in self.labels and label not in self.answered_early]

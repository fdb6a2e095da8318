"""The rule-played seller of the embedded practice partner: one persona, one scenario, one difficulty, one call.

`SellerBrain.reply(trainee_text)` returns the seller's next line and whether the seller hangs up. The rules follow the
prompt the ElevenLabs agent gets (`prompts.py`) and the domain notes (acquisition-calls.md): open facts are shared
with anyone, money, family and motives only as trust grows (the difficulty's info_willingness); the price never goes
below the minimum; the persona's objections come up, spaced through the call; good technique warms the seller up and
bad technique uses up their patience, after which they hang up politely. Deterministic for a given seed.

This module holds the decisions; how a turn's technique is scored is `seller_scoring`, how a reply is worded is
`seller_phrasing` (whose `SellerTurn` callers import from here, as the brain's answer).
"""

from __future__ import annotations

import random

from desktop.core.difficulty import Difficulty
from desktop.core.personas import Persona
from desktop.core.prompts import first_message_for, lowest_acceptable_price
from desktop.core.scenarios import Scenario
from desktop.partner.seller import lines as say
from desktop.partner.seller import objection_lines
from desktop.partner.seller.cues import TraineeTurn, read_turn
from desktop.partner.seller.first_person import first_person
from desktop.partner.seller.objections import ObjectionPlan
from desktop.partner.seller.phrasing import ReplyDraft, SellerPhrasing, SellerTurn
from desktop.partner.seller.price import Negotiation, PriceMove
from desktop.partner.seller.scoring import score_turn

# Trust needed for the guarded facts is (1 - info_willingness) times this: 0.6 for BEGINNER, 5.1 for NIGHTMARE. With
# at most GOOD_TURN_CAP earned a turn (plus a point for each objection handled well), an excellent caller hears the
# seller's motives on the first ask at the easy levels and only after two or three good turns at the hard ones.
TRUST_SCALE = 6.0
DISCOVERY_TOPICS = frozenset({"motivation", "timeline", "decision", "price", "property"})
GOOD_TURN_CAP = 1.5
MAX_TOPICS_A_REPLY = 3  # "how big is it, how's the road, and is there power?" gets all three answers
MAX_TURNS = 40


class SellerBrain:
    def __init__(
        self,
        persona: Persona,
        scenario: Scenario,
        difficulty: Difficulty,
        *,
        trainee_name: str = "",
        seed: int = 0,
        minimum_price: int | None = None,
        objections: list[str] | None = None,
        first_message: str | None = None,
        max_turns: int = MAX_TURNS,
    ) -> None:
        self.persona = persona
        self.scenario = scenario
        self.difficulty = difficulty
        self.trainee_name = trainee_name
        self.profile = difficulty.profile
        self.minimum_price = (
            minimum_price if minimum_price is not None else lowest_acceptable_price(persona, difficulty)
        )
        self.max_turns = max_turns
        self._rng = random.Random(seed)
        self._phrasing = SellerPhrasing(self._rng)
        self._first_message = first_message or first_message_for(persona, scenario)
        self.objections = ObjectionPlan(persona, scenario, self.profile, objections)
        self.rapport = 0.0
        self.strain = 0.0
        self.turns = 0
        self.ended = False
        self.revealed: set[str] = set()
        self.discussed: set[str] = set()
        self.asked: set[str] = set()  # topics the trainee asked about and got a real answer to
        self.price = Negotiation(persona.asking_price or 0, self.minimum_price, self.profile.price_flexibility)
        self.next_step_agreed = False
        self._name_uses = 0

    # --- public --------------------------------------------------------------------------------------------------

    @property
    def mood(self) -> str:
        balance = self.rapport - self.strain
        return "warm" if balance >= 2.0 else "cool" if balance <= -0.5 else "neutral"

    @property
    def said(self) -> list[str]:
        """Every line the seller has said in this call, in order."""
        return self._phrasing.said

    @property
    def trust_needed(self) -> float:
        return (1.0 - self.profile.info_willingness) * TRUST_SCALE

    def greeting(self) -> SellerTurn:
        text = self._first_message
        self.said.append(text)
        return SellerTurn(text, mood=self.mood)

    def reply(self, trainee_text: str, *, talked_over: bool = False) -> SellerTurn:
        """The seller's answer to one typed or transcribed trainee turn. RuntimeError once the seller has hung up."""
        self._begin_turn()
        last = self.said[-1] if self.said else ""
        turn = read_turn(trainee_text, self.persona.first_name, last, self.trainee_name)
        if self.scenario.is_drill:
            return self._drill_reply(turn)
        out = ReplyDraft()
        self._score(turn, talked_over, out)
        if self.strain >= self.profile.patience:
            return self._end(out, self._phrasing.pick(say.HANG_UP[self._style]), "patience")
        if turn.goodbye and not (turn.questions or turn.offer or turn.next_step):
            lines = say.GOODBYE_AGREED if self.next_step_agreed else say.GOODBYE_PLAIN
            return self._end(out, self._phrasing.pick(lines), "goodbye")
        self._react_to_objection(turn, out)
        if turn.explains_source:
            self.objections.answer_early("how did you get my number")
            out.content.append(self._phrasing.pick(say.SOURCE_HEARD[self._style]))
        if turn.off_script:
            out.content.append(self._phrasing.pick(say.REACTIONS["off_script"]))
        if turn.offer is not None:
            self._handle_offer(turn, out)
        elif "price" in turn.topics:
            self._answer_price(out)
        if turn.next_step:
            self._handle_next_step(out)
        self._answer_topics(turn, out)
        if turn.asks_permission and self.turns <= 2:  # "got a minute?" is answered first, whatever else was asked
            out.content.insert(0, self._phrasing.pick(say.PERMISSION_ANSWERS[self._style]))
        elif not out.content and turn.open_questions:
            out.content.append(
                self._phrasing.pick(say.OPEN_ANSWERS.get(self.persona.motivation_level, say.OPEN_ANSWERS["medium"]))
            )
        if not out.content and out.objection is None:  # an objection is the answer; no "what else?" before it
            self._fill(out)
        self._maybe_object(turn, out)
        if self.turns >= self.max_turns:
            return self._end(out, self._phrasing.pick(say.WRAP_UP), "max_turns")
        return self._finish(out)

    def reply_unheard(self) -> SellerTurn:
        """The answer to a spoken turn the partner could not transcribe: something neutral that keeps the call going."""
        self._begin_turn()
        if self.scenario.is_drill:
            return self._drill_reply(None)
        out = ReplyDraft(reaction=say.UNHEARD)
        unrevealed = [t for t in ("size", "condition", "access", "utilities") if t not in self.revealed]
        if unrevealed and self._rng.random() < 0.5:
            self._answer(unrevealed[0], None, out)
        self.objections.pending = None
        self._maybe_object(None, out)
        if self.turns >= self.max_turns:
            return self._end(out, self._phrasing.pick(say.WRAP_UP), "max_turns")
        return self._finish(out)

    # --- scoring ---------------------------------------------------------------------------------------------------

    def _begin_turn(self) -> None:
        if self.ended:
            raise RuntimeError("the seller has already hung up")
        self.turns += 1

    @property
    def _style(self) -> str:
        style = self.persona.conversation_style
        return style if style in say.HANG_UP else "friendly"

    def _score(self, turn: TraineeTurn, talked_over: bool, out: ReplyDraft) -> None:
        score = score_turn(
            turn,
            turn_number=self.turns,
            talked_over=talked_over,
            name_uses=self._name_uses,
            answered=self.asked,
            early_lowball=turn.offer is not None and self._is_early_lowball(turn.offer),
            busy_cold_call=self.scenario.kind == "cold_call" and self.profile.patience <= 4,
        )
        if score.used_name:
            self._name_uses += 1
        out.reaction = score.reaction
        self.rapport += min(score.good, GOOD_TURN_CAP) - score.weak
        self.strain += score.weak
        if score.weak == 0 and score.good >= 1.0:
            self.strain = max(0.0, self.strain - 0.5)  # good listening wins back goodwill

    def _is_early_lowball(self, offer: int) -> bool:
        earned = self.rapport >= self.trust_needed and "motivation" in self.discussed
        return self.price.is_lowball(offer) and not earned

    # --- objections ------------------------------------------------------------------------------------------------

    def _react_to_objection(self, turn: TraineeTurn, out: ReplyDraft) -> None:
        outcome = self.objections.judge(turn)
        if outcome == "handled":
            self.rapport += 1.0
            self.strain = max(0.0, self.strain - 0.5)
            out.reaction = objection_lines.OBJECTION_SOFTENED
        elif outcome == "argued" and not (turn.pushy or turn.rude):  # pressure and rudeness are already counted
            self.rapport -= 1.5
            self.strain += 1.0
            out.reaction = objection_lines.OBJECTION_DUG_IN
        elif outcome == "partly" and not out.reaction:
            out.reaction = objection_lines.OBJECTION_PARTLY

    def _maybe_object(self, turn: TraineeTurn | None, out: ReplyDraft) -> None:
        if out.objection is not None or out.agreed:
            return  # one objection a reply, and none in the breath that says yes
        price_talk = turn is not None and (turn.offer is not None or "price" in turn.topics)
        label = self.objections.next_due(self.turns, turn, price_talk, "price" in self.discussed)
        if label is not None:
            self._raise(label, out)

    def _raise(self, label: str, out: ReplyDraft) -> None:
        again = self.objections.raise_(label, self.turns)
        line = self._phrasing.pick(objection_lines.objection_variants(label))
        if again:
            line = self._phrasing.pick(objection_lines.RAISED_AGAIN_PREFIXES) + line[0].lower() + line[1:]
        out.tail = line
        out.objection = label

    # --- price ----------------------------------------------------------------------------------------------------

    @property
    def agreed_price(self) -> int | None:
        return self.price.agreed

    @property
    def counter_price(self) -> int:
        return self.price.counter

    def _answer_price(self, out: ReplyDraft) -> None:
        self.discussed.add("price")
        willing = self.profile.info_willingness >= 0.6 or self.rapport >= self.trust_needed
        self._say_price(self.price.asked(willing), out)

    def _handle_offer(self, turn: TraineeTurn, out: ReplyDraft) -> None:
        assert turn.offer is not None
        self.discussed.add("price")
        move = self.price.offered(
            turn.offer,
            ready=self.rapport >= self._ready_trust() * 0.75,
            reasons=len(turn.price_reasons),
            strained=self.strain > 0,
        )
        if move.lowball:
            out.reaction = out.reaction or say.REACTIONS["lowball"]
        self._say_price(move, out)

    def _say_price(self, move: PriceMove, out: ReplyDraft) -> None:
        values = {"price": move.price, "offer": move.offer}
        if move.kind == "ask_offer":
            out.content.append(self._phrasing.pick(say.ASK_FOR_OFFER))
            return
        if move.kind == "restate":
            out.content.append(self._phrasing.pick(say.RESTATE_PRICE, price=move.price))
            return
        if move.kind == "named":
            out.content.append(self._phrasing.pick(say.NAME_PRICE, price=move.price))
        elif move.kind == "accepted":
            out.content.append(self._phrasing.pick(say.ACCEPT_PRICE, price=move.price))
            out.agreed = True
            if not self.next_step_agreed:
                out.tail = self._phrasing.pick(say.WHAT_NEXT)
        elif move.kind == "countered":
            out.content.append(self._phrasing.pick(say.COUNTER_PRICE, **values))
        elif move.lowball:
            out.content.append(self._phrasing.pick(say.HOLD_PRICE if move.held else say.NAME_PRICE, price=move.price))
        else:
            out.content.append(self._phrasing.pick(say.REFUSE_PRICE, offer=move.offer))
            out.content.append(self._phrasing.pick(say.HOLD_PRICE, price=move.price))
        out.price_response, out.price = move.kind, move.price

    # --- next step, discovery --------------------------------------------------------------------------------------

    def _ready_trust(self) -> float:
        return 1.0 + (1.0 - self.profile.info_willingness) * TRUST_SCALE

    def _discovery(self) -> int:
        topics = {("property" if t in say.OPEN_TOPICS else t) for t in self.discussed}
        return len(topics & DISCOVERY_TOPICS)

    def _handle_next_step(self, out: ReplyDraft) -> None:
        if self.next_step_agreed:
            out.content.append(
                self._phrasing.pick(("Yes, like we said.", "Right, that's the plan.", "Sure, as agreed."))
            )
            return
        needed = 1 if self.profile.info_willingness >= 0.8 else 2
        ready = (self.rapport >= self._ready_trust() or self.agreed_price is not None) and self._discovery() >= needed
        if ready and self.objections.pending is None:
            self.next_step_agreed = out.agreed = True
            out.content.append(self._phrasing.pick(say.AGREE_NEXT_STEP))
            out.tail = ""
            return
        label = self.objections.trigger_for_next_step(self.turns)
        if label is not None:
            self._raise(label, out)
        else:
            out.content.append(self._phrasing.pick(say.NOT_READY))

    def _answer_topics(self, turn: TraineeTurn, out: ReplyDraft) -> None:
        asked = [t for t in say.TOPIC_FACTS if t in turn.topics]
        for topic in asked[:MAX_TOPICS_A_REPLY]:
            self._answer(topic, turn, out)

    def _answer(self, topic: str, turn: TraineeTurn | None, out: ReplyDraft) -> None:
        self.discussed.add(topic)
        guarded = topic not in say.OPEN_TOPICS
        open_bonus = 0.5 if turn is not None and turn.open_questions else 0.0
        if guarded and self.rapport + open_bonus < self.trust_needed:
            out.content.append(self._phrasing.pick(say.topic_evasions(self._style, topic)))
            return
        again = topic in self.asked
        if turn is not None:
            self.asked.add(topic)
        fact = self._fact_text(topic)
        if fact is None:
            out.content.append(self._phrasing.pick(self._fallback(topic)))
        else:
            if topic == "timeline" and fact.lower().startswith("none"):
                fact = "no timeline, really" + fact[4:]
            if self.profile.info_willingness < 0.25:
                fact = fact.split(";")[0]  # a very guarded seller gives the short version
            line = self._phrasing.pick(say.FACT_TEMPLATES[topic], fact=fact)
            if again:
                line = self._phrasing.pick(say.REACTIONS["repeat"]) + " " + line
            out.content.append(line)
        self.revealed.add(topic)
        out.revealed.append(topic)

    def _fact_text(self, topic: str) -> str | None:
        for label in say.TOPIC_FACTS[topic]:
            note = self.persona.fact(label)
            if note:
                return first_person(note, self.persona)
        if topic == "size" and self.persona.property_type:
            return self.persona.property_type
        return None

    def _fallback(self, topic: str) -> say.Variants:
        table = say.FALLBACK_FACTS.get(topic, {"any": ("I'm not sure, honestly.", "I'd have to check on that.")})
        return table.get(self.persona.motivation_level) or table.get("any") or ("I'm not sure.",)

    def _fill(self, out: ReplyDraft) -> None:
        """A turn with nothing to answer: a willing seller volunteers something, others prompt the caller."""
        hidden = [t for t in say.VOLUNTEER_TEMPLATES if t not in self.revealed]
        volunteer = self.profile.info_willingness >= 0.8 or self.rapport >= self.trust_needed + 1.5
        if hidden and volunteer and self.mood != "cool" and self._rng.random() < 0.7:
            topic = hidden[0]
            fact = self._fact_text(topic)
            if fact is not None:
                out.content.append(self._phrasing.pick(say.VOLUNTEER_TEMPLATES[topic], fact=fact))
                self.revealed.add(topic)
                self.discussed.add(topic)
                out.revealed.append(topic)
                return
        if not out.reaction:
            out.content.append(self._phrasing.pick(say.NO_QUESTION.get(self._style, say.NO_QUESTION["friendly"])))

    # --- drills, endings -------------------------------------------------------------------------------------------

    def _drill_reply(self, turn: TraineeTurn | None) -> SellerTurn:
        out = ReplyDraft()
        if turn is not None:
            self._react_to_objection(turn, out)
        else:
            self.objections.pending = None
        limit = self.scenario.max_exchanges or 1
        if self.turns >= limit:
            return self._end(out, self._phrasing.pick(say.DRILL_CLOSE), "drill_done")
        self._raise(self.objections.drill_label(self.turns - 1), out)
        return self._finish(out)

    def _end(self, out: ReplyDraft, line: str, reason: str) -> SellerTurn:
        self.ended = True
        out.tail = ""
        out.content.append(line)
        turn = self._finish(out)
        return SellerTurn(**{**turn.__dict__, "end_call": True, "end_reason": reason})

    def _finish(self, out: ReplyDraft) -> SellerTurn:
        return self._phrasing.compose(out, self.mood)

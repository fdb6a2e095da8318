"""The rule-played seller answers what it was asked: the labelled set of trainee turns (typed, and as the on-device
recogniser heard them spoken), every part of a multi-part question, the turns a new user tried that got
non-sequiturs, and a seller that stays in character (an aggressive, unmotivated seller does not agree to a meeting at
once). Deterministic and fast."""

from __future__ import annotations

import time

import pytest

from desktop.core.difficulty import Difficulty
from desktop.core.personas import load_builtin_personas
from desktop.core.scenarios import load_scenarios
from desktop.partner.seller.brain import SellerBrain
from desktop.partner.seller.cues import read_turn
from tests.partner.seller_turns import HELD_OUT, LABELLED, addresses, answer, measure, recognised

PERSONAS = {p.id: p for p in load_builtin_personas()}
COLD = next(s for s in load_scenarios() if s.id == "cold-call-first-contact")


def test_the_labelled_set_is_big_enough_and_covers_every_topic() -> None:
    assert len(LABELLED) >= 150
    topics = {t for _, labels in LABELLED for t in labels.split()}
    assert topics >= {"size", "access", "utilities", "zoning", "condition", "taxes", "title", "decision", "timeline"}
    assert topics >= {"motivation", "offers", "paid", "price", "offer", "next_step", "permission", "source", "goodbye"}
    heard = recognised()
    assert set(heard) >= {typed for typed, _ in LABELLED}  # every turn was also spoken and recognised


# The 90 % target, typed and as recognised. Some recognised turns stay out of reach: tiny.en on espeak-ng's voice
# turns a few questions into other words ("What shape is it in?" -> "Wipe it in."), which no rule can answer.
FLOORS = {"typed": 0.90, "held-out": 0.90, "recognised": 0.90}


@pytest.mark.parametrize("which", sorted(FLOORS))
def test_the_seller_answers_on_topic(which: str) -> None:
    heard = recognised() if which == "recognised" else None
    turns = HELD_OUT if which == "held-out" else LABELLED
    hits, total, missed, examples = measure(heard, turns)
    assert hits / total >= FLOORS[which], f"{hits}/{total} {dict(missed)}\n" + "\n".join(examples[:10])


@pytest.mark.parametrize(
    ("heard", "topics"),
    [
        # A question whose first words the recogniser lost or changed is still heard as asking about its subject.
        ("Our septic system working.", {"utilities"}),
        ("It's the road paved.", {"access"}),
        ("Well, it's your deadline for closing.", {"timeline"}),
        ("On the back taxes current.", {"taxes"}),
        ("Is the title clear, and why fail now?", {"title", "motivation"}),  # each part of a misheard pair
        ("So how would you get it?", {"access"}),
        ("Well, how many acers is it?", {"size"}),  # and "well" that opens a sentence is not a water well
        ("Does it have a skeptic tank?", {"utilities"}),
    ],
)
def test_a_misheard_question_is_still_heard_for_what_it_asks(heard: str, topics: set[str]) -> None:
    assert read_turn(heard, "Dale").topics == topics


@pytest.mark.parametrize(
    "said",
    [
        # Statements stay statements: the caller acknowledging, telling about themselves, promising, or echoing
        # what the seller just said.
        "Right, the taxes are behind.",
        "Got it, the title's in your name.",
        "The well is a big plus for me.",
        "Honestly the condition doesn't matter to us.",
        "You won't owe anything at closing.",
        "The reason I'm calling is I buy land in the county.",
        "No rush at all.",
        "Forty acres with road access.",
    ],
)
def test_a_statement_is_not_taken_for_a_question(said: str) -> None:
    turn = read_turn(said, "Dale", "It's 40 acres, mostly pasture, and the road is gravel.")
    assert not turn.topics and not turn.questions, (turn.topics, turn.questions)


def test_every_part_of_a_multi_part_question_is_answered() -> None:
    several = tuple((typed, labels) for typed, labels in LABELLED + HELD_OUT if len(labels.split()) > 1)
    assert len(several) >= 15
    hits, total, _, examples = measure(None, several)
    assert hits == total, "\n".join(examples[:10])


@pytest.mark.parametrize(
    ("persona_id", "said", "topic", "not_said"),
    [
        # The new user's run: each of these got a non-sequitur before.
        ("dale-pruitt-coal-county", "Is anyone else involved in the decision, like family?", "decision", "my reasons"),
        ("dale-pruitt-coal-county", "Have you given any thought to selling?", "motivation", None),
        ("dale-pruitt-coal-county", "Does the lot have water and power?", "utilities", None),
        ("dale-pruitt-coal-county", "I got your name from the county property records.", "source", "my number"),
        ("priya-raman-polk-county", "I got your name from the county property records.", "source", "my number"),
    ],
)
def test_what_a_new_user_tried_is_answered(persona_id: str, said: str, topic: str, not_said: str | None) -> None:
    for level in Difficulty:
        reply = answer(PERSONAS[persona_id], level, said, {topic}, seed=5)
        assert addresses(reply, topic), (level, reply.text)
        assert not_said is None or not_said not in reply.text.lower(), (level, reply.text)
    if topic == "utilities":
        text = answer(PERSONAS[persona_id], Difficulty.ROOKIE, said, {topic}, seed=5).text.lower()
        assert "water" in text and "power" in text  # both parts


def test_records_given_early_mean_the_seller_never_asks_how_you_got_the_number() -> None:
    brain = SellerBrain(PERSONAS["bud-hoffmann-pasture"], COLD, Difficulty.PRO, trainee_name="Sam", seed=2)
    brain.greeting()
    replies = [brain.reply("Hi Bud, I'm Sam. I got your name from the county records. Got a minute?")]
    for line in ("How many acres is it?", "Is there water out there?", "How's the fence?", "Any back taxes?"):
        if not brain.ended:
            replies.append(brain.reply(line))
    assert not any("number" in reply.text.lower() for reply in replies), [r.text for r in replies]


@pytest.mark.parametrize("persona_id", ["curtis-hollis-hunting-land", "bud-hoffmann-pasture"])
def test_an_aggressive_unmotivated_seller_does_not_agree_to_a_meeting_at_once(persona_id: str) -> None:
    for level in Difficulty:
        brain = SellerBrain(PERSONAS[persona_id], COLD, level, trainee_name="Sam", seed=4)
        brain.greeting()
        brain.reply("Hi, this is Sam. I'm calling about your land.")
        reply = brain.reply("Can I come out and walk the property with you on Saturday?")
        assert not brain.next_step_agreed, (level, reply.text)


def test_a_warm_willing_seller_agrees_to_a_next_step_after_good_discovery() -> None:
    brain = SellerBrain(PERSONAS["rosa-delgado-bexar"], COLD, Difficulty.BEGINNER, trainee_name="Sam", seed=4)
    brain.greeting()
    for line in (
        "Hi Rosa, this is Sam. I got your name from the county records. Is now a good time?",
        "What has you thinking about selling it?",
        "I'm sorry to hear that. How soon would you like this wrapped up?",
        "Can I send you a written offer tonight and call you Thursday?",
    ):
        reply = brain.reply(line)
    assert brain.next_step_agreed, reply.text


def test_the_seller_is_deterministic_and_fast() -> None:
    def run() -> list[str]:
        brain = SellerBrain(PERSONAS["dale-pruitt-coal-county"], COLD, Difficulty.PRO, trainee_name="Sam", seed=9)
        brain.greeting()
        return [brain.reply(text).text for text, _ in LABELLED[:30] if not brain.ended]

    started = time.perf_counter()
    first = run()
    elapsed = time.perf_counter() - started
    assert first == run()
    assert elapsed / len(first) < 0.01  # well under 10 ms a reply

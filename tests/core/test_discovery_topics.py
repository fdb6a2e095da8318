"""The grader reads what a trainee's question asks about as the rule-played seller does, for the topics where that
was measured to agree with the labelled calls (desktop/core/evidence/asked_topics.py)."""

from __future__ import annotations

import pytest

from desktop.core.evidence import asked_topics
from desktop.partner.seller import cues
from tests.core.discovery_questions import asked_topics as grader_topics
from tests.core.discovery_questions import reading

# Measured on 6 Dec 2026 (before the seller's finer cues were shared: typed 87/119 and 14/28, heard 73/119, 10/28).
FLOORS = {(False, False): 111, (True, False): 20, (False, True): 92, (True, True): 16}


@pytest.mark.parametrize(("held_out", "heard"), sorted(FLOORS), ids=lambda flag: str(flag))
def test_the_grader_reads_the_topic_of_the_sellers_labelled_questions(held_out: bool, heard: bool) -> None:
    result = reading(held_out=held_out, heard=heard)
    assert result.total >= (25 if held_out else 110)
    assert result.read >= FLOORS[(held_out, heard)], "\n".join(result.misses)


def test_the_seller_and_the_grader_read_questions_from_one_table() -> None:
    assert cues.TOPIC_RES is asked_topics.TOPIC_RES


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Is there a fence around it?", "property"),
        ("Can you drive right up to it?", "property"),
        ("Could someone build a house on it?", "property"),
        ("Are you in a hurry to sell?", "timeline"),
        ("Do you need to sell by a certain date?", "timeline"),
        ("Who else is on the title?", "decision"),
        # Asked indirectly, as people do.
        ("I'd like to know if there's road access.", "property"),
        ("I was curious whether the taxes are current.", "property"),
        ("I'd love to hear what your plans are for the land.", "motivation"),
        ("I'd like to get a sense of your timeline.", "timeline"),
        ("Is there a reason you'd want to sell?", "motivation"),
        ("What would you do with the money if you sold?", "motivation"),
    ],
)
def test_plain_discovery_questions_are_read_as_their_topic(question: str, topic: str) -> None:
    assert topic in grader_topics(question)


def test_whether_they_would_sell_is_not_why() -> None:
    """The labelled calls' standard: "would you ever consider selling?" asks whether, a closed question that finds
    out no motivation (the seller, answering, may still tell why)."""
    assert "motivation" not in grader_topics("Would you ever consider selling the lot?")
    assert "motivation" not in grader_topics("Have you thought about selling at all?")


def test_a_statement_about_the_property_asks_nothing() -> None:
    assert grader_topics("There's a fence around it and the taxes are paid.") == set()

"""The partner's Whisper prompt: it names the call's seller and place and the trade's words from the reference on these
calls, and stays short (every decode of every turn reads it)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from desktop.core.personas import load_builtin_personas
from desktop.partner import hearing
from desktop.partner.hearing import vocabulary_prompt

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "acquisition-calls.md"
# Whisper keeps at most 223 prompt tokens; an English word is about 1.3 of them. Far under that, as a longer prompt
# slows every decode.
MAX_WORDS = 90


def personas() -> dict:
    return {persona.id: persona for persona in load_builtin_personas()}


def prompt_for(persona_id: str, trainee_name: str = "") -> str:
    return vocabulary_prompt(SimpleNamespace(persona=personas()[persona_id], trainee_name=trainee_name))


def trade_terms() -> list[str]:
    listed = hearing._TRADE_TALK.removeprefix("They talk about ").rstrip(".")
    return [re.sub(r"^(the|an|a) ", "", term) for term in re.split(r", | and ", listed)]


def test_the_prompt_names_the_seller_the_place_the_caller_and_the_trade() -> None:
    prompt = prompt_for("dale-pruitt-coal-county", "Sam")
    assert prompt.startswith("A phone call. Sam asks Dale Pruitt about the 38 acres")
    assert "Coal County, OK" in prompt
    for word in ("probate", "back taxes", "liens", "closing costs", "written offer"):
        assert word in prompt
    assert prompt_for("dale-pruitt-coal-county").startswith("A phone call. The caller asks Dale Pruitt")


@pytest.mark.parametrize("persona", [p.id for p in load_builtin_personas()])
def test_every_persona_prompt_stays_short(persona: str) -> None:
    prompt = prompt_for(persona, "Alexandra Montgomery-Whitfield")
    assert personas()[persona].name in prompt and personas()[persona].location in prompt
    assert len(prompt.split()) <= MAX_WORDS, (len(prompt.split()), prompt)


@pytest.mark.skipif(not REFERENCE.is_file(), reason="the shared reference is not beside the repository")
def test_every_trade_word_is_named_by_the_reference_on_these_calls() -> None:
    """The trade sentence is the reference's vocabulary (and the earlier prompt's property words), not words picked
    from a failing test sentence."""
    reference = " ".join(REFERENCE.read_text(encoding="utf-8").lower().split())  # its lines wrap mid-phrase
    terms = trade_terms()
    assert len(terms) >= 15, terms
    # The three property words the prompt held before the reference's went in: trainees ask about them.
    assert [term for term in terms if term.lower() not in reference] == ["acres", "well", "septic"]

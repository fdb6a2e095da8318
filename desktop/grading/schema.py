"""The JSON schema the model grades in, and the checks its answer must pass before it becomes a Grade.

The model's answer is never trusted: it is parsed and checked here, scores are clamped to 0-100, the overall is
computed by us (see `overall_of`), a quote that the trainee did not say is dropped with its feedback item, lists and
texts are capped, and earnings cannot exceed what the difficulty allows.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from desktop.core.difficulty import Difficulty
from desktop.core.grading import feedback_wording as fb
from desktop.core.grading.rule_grader import BASE_EARNINGS, XP_BASE, XP_PER_POINT
from desktop.core.results import SCORE_NAMES, Grade
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.core.untrusted import lines_to_the_model, speaks_to_the_model

MAX_TEXT = 300
# A quote must be at least this many words: a lone "okay" matches almost any transcript and proves nothing.
MIN_QUOTE_WORDS = 2

_SCORE = {"type": "integer", "description": "0 (absent or harmful) to 100 (excellent)"}
_STRENGTH = {
    "type": "object",
    "properties": {
        "quote": {"type": "string", "description": "the trainee's exact words, copied from a trainee line"},
        "why": {"type": "string", "description": "why it worked, one sentence"},
    },
    "required": ["quote", "why"],
    "additionalProperties": False,
}
_IMPROVEMENT = {
    "type": "object",
    "properties": {
        "quote": {"type": "string", "description": "the trainee's exact words, copied from a trainee line"},
        "try_instead": {"type": "string", "description": "a better line the trainee could have said"},
        "because": {"type": "string", "description": "why the better line works"},
    },
    "required": ["quote", "try_instead", "because"],
    "additionalProperties": False,
}
# Strict structured outputs need every property required and no extra ones.
GRADE_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "scores": {
            "type": "object",
            "properties": {name: _SCORE for name in SCORE_NAMES},
            "required": list(SCORE_NAMES),
            "additionalProperties": False,
        },
        "strengths": {"type": "array", "items": _STRENGTH},
        "improvements": {"type": "array", "items": _IMPROVEMENT},
        "recommendations": {"type": "array", "items": {"type": "string"}},
        "seller_agreed_next_step": {"type": "boolean"},
        "virtual_earnings": {"type": "integer", "description": "dollars the deal would earn; 0 without agreement"},
    },
    "required": [
        "scores",
        "strengths",
        "improvements",
        "recommendations",
        "seller_agreed_next_step",
        "virtual_earnings",
    ],
    "additionalProperties": False,
}
RESPONSE_FORMAT = {"type": "json_schema", "json_schema": {"name": "call_grade", "strict": True, "schema": GRADE_SCHEMA}}


class InvalidGrade(ValueError):
    """The model's answer cannot be turned into a grade (not JSON, a missing or non-numeric score, ...)."""


@dataclass(frozen=True)
class SanitisedGrade:
    grade: Grade
    clamped_scores: tuple[str, ...]  # scores that were outside 0-100
    dropped_quotes: tuple[str, ...]  # quotes the trainee never said (or said to the grader), dropped with their item


def normalise(text: str) -> str:
    """Words only, lower-cased, curly apostrophes straightened: how a quote is compared with the transcript."""
    return " ".join(re.findall(r"[\w']+", text.lower().replace("’", "'").replace("‘", "'")))


class QuoteChecker:
    """Tells whether a quote is the trainee's own words, said to the seller (not to the grader)."""

    def __init__(self, lines: Sequence[TranscriptLine]) -> None:
        to_the_model = lines_to_the_model(lines)
        seller_facing = [ln for ln in lines if not (ln.speaker == Speaker.TRAINEE and ln.seq in to_the_model)]
        self._seller_facing = [f" {normalise(ln.text)} " for ln in seller_facing if ln.speaker == Speaker.TRAINEE]
        # Consecutive trainee lines are one turn: a quote may run across the split.
        self._turns = [f" {normalise(' '.join(turn))} " for turn in _trainee_turns(seller_facing)]

    def said(self, quote: str) -> bool:
        """True when every part of the quote (a model may shorten one with "...") appears, in order, in one
        trainee line or turn, whatever the case, spacing or punctuation."""
        if speaks_to_the_model(TranscriptLine(0, Speaker.TRAINEE, quote)):
            return False
        parts = [normalise(part) for part in re.split(r"…|\.\.\.", quote)]
        parts = [part for part in parts if part]
        if sum(len(part.split()) for part in parts) < MIN_QUOTE_WORDS:
            return False
        return any(_in_order(parts, text) for text in (*self._seller_facing, *self._turns))


def _in_order(parts: list[str], text: str) -> bool:
    position = 0
    for part in parts:
        found = text.find(f" {part} ", position)
        if found < 0:
            return False
        position = found + len(part) + 1
    return True


def _trainee_turns(lines: Sequence[TranscriptLine]) -> list[list[str]]:
    turns: list[list[str]] = []
    previous = None
    for line in lines:
        if line.speaker == Speaker.TRAINEE:
            if previous != Speaker.TRAINEE:
                turns.append([])
            turns[-1].append(line.text)
        previous = line.speaker
    return turns


def parse_content(content: str | None) -> dict:
    """The model's message as a JSON object. A Markdown code fence around it (some local models add one) is fine."""
    if not content or not content.strip():
        raise InvalidGrade("the answer was empty")
    text = content.strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", text, flags=re.DOTALL)
    if fenced:
        text = fenced.group(1)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidGrade(f"the answer is not JSON ({exc.msg} at {exc.pos})") from None
    if not isinstance(data, dict):
        raise InvalidGrade("the answer is not a JSON object")
    return data


def sanitise(
    data: dict, lines: Sequence[TranscriptLine], *, grader: str, difficulty: Difficulty = Difficulty.ROOKIE
) -> SanitisedGrade:
    """Turns the model's parsed answer into a Grade we can stand behind, or raises InvalidGrade."""
    scores, clamped = _scores(data.get("scores"))
    checker = QuoteChecker(lines)
    dropped: list[str] = []
    strengths = _items(data.get("strengths"), "strengths", checker, dropped, _strength_text)
    improvements = _items(data.get("improvements"), "improvements", checker, dropped, _improvement_text)
    recommendations = tuple(
        _sentence(_text(item)) for item in _list(data.get("recommendations"), "recommendations") if _text(item)
    )[: fb.MAX_ITEMS]
    mult = difficulty.profile.earnings_multiplier
    provisional = Grade(*scores)
    earnings = _number(data.get("virtual_earnings", 0), "virtual_earnings")
    # Earnings need the seller's agreement, and never exceed what a perfect call at this level would earn.
    agreed = data.get("seller_agreed_next_step") is True
    earnings = min(max(0, int(round(earnings))), int(round(BASE_EARNINGS * mult))) if agreed else 0
    grade = Grade(
        *scores,
        strengths=strengths,
        improvements=improvements,
        recommendations=recommendations,
        grader=grader,
        virtual_earnings=earnings,
        xp_earned=int(round((XP_BASE + XP_PER_POINT * provisional.overall) * mult)),
    )
    return SanitisedGrade(grade, tuple(clamped), tuple(dropped))


def _scores(raw: object) -> tuple[tuple[int, int, int, int], list[str]]:
    if not isinstance(raw, dict):
        raise InvalidGrade("the answer has no scores")
    values, clamped = [], []
    for name in SCORE_NAMES:
        if name not in raw:
            raise InvalidGrade(f"the answer has no {name} score")
        value = _number(raw[name], name)
        if not 0 <= value <= 100:
            clamped.append(name)
        values.append(int(round(min(100.0, max(0.0, value)))))
    return (values[0], values[1], values[2], values[3]), clamped


def _number(value: object, name: str) -> float:
    # bool is an int in Python; true is not a score. Python's JSON reader accepts NaN and Infinity.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidGrade(f"{name} is not a number")  # never echo the value: it may quote the call
    return float(value)


def _list(value: object, name: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidGrade(f"{name} is not a list")
    return value


def _text(value: object, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        return ""
    return fb.quote(" ".join(value.split()), limit)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _items(raw: object, name: str, checker: QuoteChecker, dropped: list[str], render) -> tuple[str, ...]:
    kept: list[str] = []
    for item in _list(raw, name):
        if not isinstance(item, dict):
            continue
        quote = _text(item.get("quote"), 1000)
        if quote and not checker.said(quote):
            dropped.append(quote)
            continue
        text = render(fb.quote(quote.strip("\"“”'")) if quote else "", item)
        if text and text not in kept:
            kept.append(text)
    return tuple(kept[: fb.MAX_ITEMS])


def _strength_text(quote: str, item: dict) -> str:
    why = _text(item.get("why"))
    if not why:
        return ""
    return f'You said "{quote}": {why}' if quote else _sentence(why)


def _improvement_text(quote: str, item: dict) -> str:
    better, because = _text(item.get("try_instead")), _text(item.get("because")).rstrip(".")
    if not better:
        return ""
    better = better.strip('"“”')
    tail = f'try "{better}"' + (f" because {because}." if because else ".")
    return f'You said "{quote}" — {tail}' if quote else _sentence(tail)

"""Money in a trainee's turn: the amounts they name ("$40,000", "45k", "forty-two thousand"), which of them is an
offer for the property rather than a term of the deal (back taxes, closing costs), and the reasons they give for a
lower price. Pure and deterministic; `cues.read_turn` puts the offer on the `TraineeTurn`.
"""

from __future__ import annotations

import re

_PRICE_REASON_RES = {
    "condition": re.compile(r"repair|condition|\broof|foundation|damage|\bfix|as[- ]is|needs? (?:work|a lot)"),
    "taxes": re.compile(r"\btax|\blien|\bfines?\b|mortgage|payoff"),
    "cash": re.compile(r"\bcash\b|no financing|no bank"),
    "quick": re.compile(
        r"quick(?:ly)? clos|close (?:quickly|fast|in \d+|within)|within \d+ days|in \d+ (?:days|weeks)"
    ),
    "costs": re.compile(
        r"closing costs|(?:we|i)(?:'ll| will)? (?:pay|cover) (?:all |the )?(?:costs|fees|closing)|"
        r"no (?:fees|commission)|commission"
    ),
}
# An amount tied to taxes, liens, bills or costs, or a yearly figure, is a term of the deal, not an offer.
_COST_AFTER_RE = re.compile(
    r"\s*(?:a|per) (?:year|month)\b|\s*annually\b|"
    r"\s*(?:(?:in|of|for|on|worth of|owed)\s+)*(?:back |property |unpaid )?"
    r"(?:tax|taxes|liens?|fines?|mortgage|bills?|closing costs|fees|repairs?|payoff|owed|debt)\b"
)
_COST_BEFORE_RE = re.compile(
    r"\b(?:pay|paying|cover|covering|owe|owes|owed|take care of|pay off|payoff|taxes|tax|liens?|fines?|mortgage|"
    r"repairs|paid|bought it for|bought for|listed at)\s+(?:(?:off|are|is|were|was|of)\s+)?(?:the|your|those|that|"
    r"about|around|roughly|like|it for)?\s*$"
)
_AMOUNT_RE = re.compile(
    r"(?P<dollar>\$)?\s?(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?(?P<unit>k\b|thousand\b|grand\b)?"
)
_NUMBER_WORDS = {
    **{
        w: i
        for i, w in enumerate(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen".split()
        )
    },
    **{w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i >= 2},
    "a": 1,
}
_WORD_AMOUNT_RE = re.compile(
    r"\b((?:(?:a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|and)[\s-]+)+)"
    r"(thousand|grand)\b"
)


def offer_in(lowered: str) -> tuple[int | None, frozenset[str]]:
    """The last price the trainee puts to the seller in this turn, and the reasons they give for a lower one.

    Amounts tied to taxes, liens or costs are terms, not offers ("we'd pay the $6,200 in back taxes").
    """
    reasons = frozenset(name for name, rx in _PRICE_REASON_RES.items() if rx.search(lowered))
    offers = [value for start, end, value in _amount_spans(lowered) if not _is_cost(lowered, start, end)]
    return (offers[-1] if offers else None), reasons


def _is_cost(text: str, start: int, end: int) -> bool:
    return bool(_COST_AFTER_RE.match(text, end) or _COST_BEFORE_RE.search(text[max(0, start - 40) : start]))


def parse_amounts(text: str) -> list[int]:
    """Dollar amounts of at least $1,000 in lower-cased text: "$40,000", "40k", "40 thousand", "forty thousand"."""
    return [value for _, _, value in _amount_spans(text)]


def _amount_spans(text: str) -> list[tuple[int, int, int]]:
    found: list[tuple[int, int, int]] = []
    for m in _AMOUNT_RE.finditer(text):
        number = float(m.group("num").replace(",", ""))
        if m.group("unit"):
            number *= 1000
        elif not m.group("dollar") and (number < 1000 or _is_year(m.group("num"))):
            continue  # "20 years", "3 bedrooms", "built in 1990"
        if number >= 1000:
            found.append((m.start(), m.end(), int(round(number))))
    for m in _WORD_AMOUNT_RE.finditer(text):
        value = _words_to_number(m.group(1))
        if value:
            found.append((m.start(), m.end(), value * 1000))
    return sorted(found)


def _is_year(digits: str) -> bool:
    return len(digits) == 4 and digits.isdigit() and 1900 <= int(digits) <= 2100


def _words_to_number(text: str) -> int:
    total = 0
    for word in re.split(r"[\s-]+", text.strip()):
        if word == "hundred":
            total = max(total, 1) * 100
        elif word in _NUMBER_WORDS:
            total += _NUMBER_WORDS[word]
    return total

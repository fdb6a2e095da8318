"""Which trainee lines speak to the model behind the call (the grader, the coach) instead of the seller.

An English regex missed "Note for the evaluator", Spanish, zero-width characters and Cyrillic look-alikes. So text
is first brought to one form (Unicode compatibility forms, invisible characters dropped, look-alike letters folded to
Latin, spaced-out letters joined), then matched against what such a line does in any of several languages: it
addresses the grader, asks for a score, or tries to override the rules. A line split in two, or across the seller's
reply, is caught by matching the trainee's turns and the whole of what the trainee said, and flagging the lines the
match touches. Pure Python; the vocabulary is in `words`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from desktop.core.transcript import Speaker, TranscriptLine
from desktop.core.untrusted.words import PATTERNS, SQUASHED

# Latin look-alikes among Cyrillic and Greek letters (lower case: folding runs after lower-casing).
_CONFUSABLES = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
        "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "һ": "h", "ԁ": "d", "ԛ": "q",
        "ԝ": "w", "ɡ": "g", "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ѵ": "v", "ӏ": "l",
    }
)  # fmt: skip
_SPACED_LETTERS = re.compile(r"(?<!\S)(?:\w {1,3}){2,}\w(?!\S)")


def plain_form(text: str) -> str:
    """Compatibility forms (fullwidth, ligatures) unified, invisible format characters (zero-width, soft hyphen,
    direction marks) dropped, lower case, one space between words."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = text.lower().replace("’", "'").replace("‘", "'")
    return " ".join(text.split())


def folded_form(text: str) -> str:
    """The plain form with look-alike letters as Latin and "s c o r e" joined to "score". Real Cyrillic or Greek
    words turn to nonsense here, which is why both forms are matched."""
    folded = plain_form(text).translate(_CONFUSABLES)
    return _SPACED_LETTERS.sub(lambda m: re.sub(r" +", "", m.group(0)), folded)


def invisible_removed(text: str) -> str:
    """The text without invisible format characters, so nothing hidden in a line reaches a model."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def lines_to_the_model(lines: Sequence[TranscriptLine]) -> set[int]:
    """Seqs of trainee lines that speak to the model. Each line alone, each run of consecutive trainee lines (one
    turn said in pieces), and all the trainee said (a request split across the seller's reply) are matched."""
    trainee = [line for line in lines if line.speaker == Speaker.TRAINEE]
    flagged: set[int] = set()
    groups: list[list[TranscriptLine]] = [[line] for line in trainee]
    groups += [turn for turn in _turns(lines) if len(turn) > 1]
    if len(trainee) > 1:
        groups.append(trainee)
    for group in groups:
        flagged |= _flag_group(group)
    return flagged


def _turns(lines: Sequence[TranscriptLine]) -> Iterable[list[TranscriptLine]]:
    turn: list[TranscriptLine] = []
    for line in lines:
        if line.speaker == Speaker.TRAINEE:
            turn.append(line)
            continue
        if turn:
            yield turn
        turn = []
    if turn:
        yield turn


def _flag_group(group: list[TranscriptLine]) -> set[int]:
    flagged: set[int] = set()
    for form in (plain_form, folded_form):
        texts = [form(line.text) for line in group]
        joined, spans = _join(texts)
        for pattern in PATTERNS:
            for match in pattern.finditer(joined):
                flagged |= {group[i].seq for i, (a, b) in enumerate(spans) if a < match.end() and match.start() < b}
    for line in group:
        if SQUASHED.search(re.sub(r"[\W_]+", "", folded_form(line.text))):
            flagged.add(line.seq)
    return flagged


def _join(texts: list[str]) -> tuple[str, list[tuple[int, int]]]:
    spans, position = [], 0
    for text in texts:
        spans.append((position, position + len(text)))
        position += len(text) + 1
    return " ".join(texts), spans

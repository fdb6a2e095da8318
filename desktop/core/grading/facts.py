"""The facts of one call that the rule grader's scorers share: the trainee's lines split into sentences and read once,
the names used, the objections found, and the lines that pressure or argue."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from desktop.core.evidence.objections import ObjectionEvent
from desktop.core.grading import feedback_wording as fb
from desktop.core.grading.rubric import (
    ADDRESS_RE,
    INTRO_RE,
    MEETING_RE,
    NOT_NAMES,
    OPENING_TIME_CHECK_RE,
    PERMISSION_RE,
    SPECIFIC_RE,
    has_money,
    topics_of,
)
from desktop.core.textcues import sentence_kind, sentences
from desktop.core.transcript import Speaker, TranscriptLine

Found = fb.Found


class Sentence(NamedTuple):
    text: str  # verbatim, for quoting
    low: str  # lower-cased with straight apostrophes, for matching
    kind: str | None  # "open", "closed" or None when it is not a question
    topics: tuple[str, ...]  # discovery topics it asks about


def lower(text: str) -> str:
    return text.lower().replace("’", "'")


def parse_line(line: TranscriptLine) -> tuple[Sentence, ...]:
    parsed = []
    for part in sentences(line.text) or [line.text]:
        low = lower(part)
        kind = sentence_kind(part)
        # Topics count only when asked about, so statements are not scanned for them; "would you take $800 an acre?"
        # puts a price to the seller, it discovers nothing.
        # A question that proposes the next step ("Could I come by Tuesday to see the units?") discovers nothing.
        asks = kind and not has_money(low) and not (SPECIFIC_RE.search(low) and MEETING_RE.search(low))
        parsed.append(Sentence(part, low, kind, topics_of(low) if asks else ()))
    return tuple(parsed)


@dataclass(frozen=True)
class CallFacts:
    """The facts of one call the scorers share, worked out once: the trainee's lines are split and read a single
    time, which keeps a long call well inside the grader's time budget."""

    trainee: tuple[TranscriptLine, ...]
    grouped: tuple[tuple[TranscriptLine, ...], ...]
    seller_name: str | None
    trainee_name: str | None
    events: tuple[ObjectionEvent, ...]
    lows: dict[int, str]
    parsed: dict[int, tuple[Sentence, ...]]
    pressure: frozenset[int]  # seqs of lines that pressure the seller
    arguing: frozenset[int]  # seqs of lines that argue with the seller
    seller_text: dict[int, str]  # seq -> what the seller said, for tips that recall it

    def first_sentence(self, line: TranscriptLine, last: bool = False) -> Found:
        parts = self.parsed[line.seq]
        return line, (parts[-1] if last else parts[0]).text

    def find(self, lines: Sequence[TranscriptLine], rx: re.Pattern[str]) -> Found | None:
        """The first trainee line with a sentence matching rx, and that sentence: a verbatim piece to quote."""
        for line in lines:
            if rx.search(self.lows[line.seq]) is None:
                continue
            for sentence in self.parsed[line.seq]:
                if rx.search(sentence.low):
                    return line, sentence.text
        return None


def names_in(
    conv: Sequence[TranscriptLine], trainee: Sequence[TranscriptLine], given: str | None
) -> tuple[str | None, str | None]:
    """(seller's first name, trainee's first name): the persona's name if known, else introductions and greetings."""
    mine = (m.group(1) for ln in trainee[:3] for m in INTRO_RE.finditer(ln.text))
    own = next((name for name in mine if name not in NOT_NAMES), None)
    if given and given.split():
        return given.split()[0], own
    candidates = [m.group(1) for ln in trainee[:2] for m in ADDRESS_RE.finditer(ln.text)]
    sellers = [ln for ln in conv if ln.speaker == Speaker.SELLER][:3]
    candidates += [m.group(1) for ln in sellers for m in INTRO_RE.finditer(ln.text)]
    return next((n for n in candidates if n not in NOT_NAMES and n != own), None), own


def opening_lines(grouped: Sequence[Sequence[TranscriptLine]], turns: int = 2) -> list[TranscriptLine]:
    """The trainee's lines in their first `turns` turns: on a spoken call one opening may be cut into several lines
    wherever the trainee paused."""
    mine = [turn for turn in grouped if turn and turn[0].speaker == Speaker.TRAINEE][:turns]
    return [line for turn in mine for line in turn]


def permission_line(
    trainee: Sequence[TranscriptLine], grouped: Sequence[Sequence[TranscriptLine]]
) -> TranscriptLine | None:
    """The trainee's line that asked for the seller's time, as the grade and the coach both read it: a permission
    ask anywhere in the call, else a time check in the opening turns that the recogniser wrote as a statement
    ("Is now a good time?" heard as "It's now and on time.")."""
    asked = next((ln for ln in trainee if PERMISSION_RE.search(lower(ln.text))), None)
    opening = opening_lines(grouped)
    return asked or next((ln for ln in opening if OPENING_TIME_CHECK_RE.search(lower(ln.text))), None)


def band(value: float, steps: Sequence[tuple[float, int]]) -> int:
    return next((points for limit, points in steps if value <= limit), 0)

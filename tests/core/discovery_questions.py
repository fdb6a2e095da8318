"""How well the grader reads what a trainee's question asks about, measured on a set it was not built on: the
rule-played seller's labelled trainee turns (tests/partner/seller_turns.py), typed and as the recogniser heard them.
Their fine topics (the acres, the road, the taxes...) are mapped to the rubric's five discovery topics; turns that
ask none of those (permission, where the number came from, a goodbye) are left out. Shared by the test and by
`benchmarks/grading_agreement.py`."""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.core.grading.facts import parse_line
from desktop.core.transcript import Speaker, TranscriptLine
from tests.partner.seller_turns import HELD_OUT, LABELLED, recognised

RUBRIC_TOPIC = {
    "motivation": "motivation",
    "timeline": "timeline",
    "price": "price",
    "decision": "decision",
    **{fine: "property" for fine in ("size", "access", "utilities", "zoning", "condition", "taxes", "title")},
}


@dataclass
class TopicReading:
    read: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.read / self.total if self.total else 1.0


def asked_topics(text: str) -> set[str]:
    """The discovery topics the grader credits for a trainee line (its question sentences only)."""
    return {topic for sentence in parse_line(TranscriptLine(1, Speaker.TRAINEE, text)) for topic in sentence.topics}


def reading(held_out: bool = False, heard: bool = False) -> TopicReading:
    """Turns whose every labelled discovery topic the grader reads."""
    result = TopicReading()
    said = recognised() if heard else {}
    for typed, labels in HELD_OUT if held_out else LABELLED:
        wanted = {RUBRIC_TOPIC[label] for label in labels.split() if label in RUBRIC_TOPIC}
        text = said.get(typed) if heard else typed
        if not wanted or text is None:
            continue
        result.total += 1
        missing = wanted - asked_topics(text)
        if missing:
            result.misses.append(f"{text!r}: {', '.join(sorted(missing))} not read")
        else:
            result.read += 1
    return result

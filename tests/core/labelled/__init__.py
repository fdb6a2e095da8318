"""The labelled set: practice calls with the truth a careful coach would write down, to measure the rule grader.

Each `calls_*.txt` holds calls in a plain format a coach can read and edit:

    ## dale-1 | dale-pruitt-coal-county | ROOKIE | typed
    S: Hello?
    T: Hi, is this Dale? This is Jordan with Red Oak Land ...
    S: How'd you get my number? [raised number]
    T: Fair question. I got your name from the county property records. [answered number]
    bands: rapport good: name, reason and permission | discovery fair: ... | objection_handling ... | closing ...

Line numbers are the `seq` of each line, from 1. `[raised KEY]` marks the seller line where an objection of the
persona comes up (again, if it comes up twice); `[answered KEY]` marks the trainee line that answers the latest
raising of KEY (acknowledges it, asks about it or resolves it). An objection with no `answered` tag was left
unanswered. A band (poor / fair / good / strong) and its reason are given for each of the four skills. A `voice` call
gets speech timing (about 2.5 words a second, short handovers) so the timing metrics exist; a `typed` call has none.

The standard the labels follow (from the reference `acquisition-calls.md`), written before the grader was tuned:
- raised: the seller voices the concern, asking or stating it ("it's in probate" raises a title problem). A seller
  answering the trainee's question about an objection does not raise it again.
- answered: the trainee's next turn acknowledges it ("I understand", "thanks for telling me"), asks about it, or
  resolves it (a straight answer to "how did you get my number", agreeing to send it in writing). A bare denial
  ("it's not a scam"), a rebuttal ("agents charge six percent") or moving on to another question does not.
- rapport: strong = name, reason, permission and warmth, no pressure; good = name, reason and permission, or name
  and warmth; fair = some of it, or a brushed-off concern; poor = pressure, arguing, a price first or rudeness.
- discovery (motivation, timeline, property, price, decision makers): strong = four or more, with open questions;
  good = three; fair = one or two, or only closed questions; poor = none to speak of.
- objection handling: strong = every objection acknowledged and explored, none argued; good = most answered;
  fair = about half answered, or answered only in part; poor = ignored, argued, pressured, or a price first.
- closing: strong = a summary and a specific next step the seller agrees to; good = a specific next step (day and
  time), or a summary and a vague one; fair = a concrete but untimed step (a written offer, information sent);
  poor = none, or only "I'll call you back" / "I'll think about it".
Labels corrected after the first measurement, where they broke this standard: dale-3 closing (a bare "get back to
you" is poor), rosa-2 "I'll mail it" answers the writing request, frank-3 objection band (its only objection fully
answered), marcus-3 probate raised and answered (a stated title problem) and its bands, earl-3 call-back answered
and discovery band, and the discovery bands of jennifer-1, marcus-1 and bud-1 (their reasons named questions that
were not asked). Corrected later (5 Dec 2026), after the rules had been tuned: the closing of martin-1 and priya-1
("strong: a specific next step agreed, without a summary" is good by the standard, which asks a summary for strong)
and the rapport of marcus-3 ("good: name, reason, permission, condolences" is strong: condolences are warmth).
`holdout_calls.txt` was written after the rules were tuned and is measured as it is.
`new_calls.txt` (30 calls, every persona twice) was written and labelled to this standard, and committed, before the
grader was run on it: it is the second, larger held-out set the band rules were then generalised against.
`fresh_calls.txt` (27 calls, every persona and difficulty) was written, labelled and committed the same way, and the
rules are not tuned on it: the figure on it is how far the grader carries to calls it has not seen.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from desktop.core.results import SCORE_NAMES
from desktop.core.transcript import Speaker, TranscriptLine

HERE = Path(__file__).resolve().parent
PERSONAS_FILE = HERE.parents[2] / "resources" / "personas.json"
BANDS = ("poor", "fair", "good", "strong")
# The short keys the labels use, and the persona objection pattern each stands for.
KEYS = {
    "number": "how did you get my number",
    "price": "price too low",
    "hurry": "not in a hurry",
    "online": "worth more online",
    "taxes": "back taxes or lien",
    "writing": "send it in writing",
    "talk": "wants to talk to family",
    "heritage": "family land",
    "agent": "will list with an agent",
    "offer": "has another offer",
    "paperwork": "paperwork hassle",
    "scam": "is this a scam",
    "later": "call back later",
}
_HEADER_RE = re.compile(
    r"^##\s*(?P<name>\S+)\s*\|\s*(?P<persona>\S+)\s*\|\s*(?P<level>\w+)\s*\|\s*(?P<mode>typed|voice)"
)
_TAG_RE = re.compile(r"\s*\[(?P<kind>raised|answered) (?P<keys>[a-z, ]+)\]")
_BAND_RE = re.compile(r"^(?P<skill>\w+) (?P<band>poor|fair|good|strong):\s*(?P<why>.+)$")


def band_of(score: int) -> str:
    """The band a 0-100 score falls in: under 40 poor, under 60 fair, under 80 good, else strong."""
    return BANDS[0 if score < 40 else 1 if score < 60 else 2 if score < 80 else 3]


@dataclass(frozen=True)
class Raising:
    key: str
    pattern: str
    line: int  # the seller line that raised it
    answered_at: int | None  # the trainee line that answered it, or None


@dataclass(frozen=True)
class LabelledCall:
    name: str
    persona_id: str
    seller_name: str
    difficulty: str
    voice: bool
    patterns: tuple[str, ...]
    lines: tuple[TranscriptLine, ...]
    raisings: tuple[Raising, ...]
    bands: dict[str, tuple[str, str]]  # skill -> (band, reason)


@cache
def _personas() -> dict[str, dict]:
    return {p["id"]: p for p in json.loads(PERSONAS_FILE.read_text(encoding="utf-8"))["personas"]}


def _timed(lines: list[tuple[Speaker, str]]) -> list[TranscriptLine]:
    out, at = [], 600
    for seq, (speaker, text) in enumerate(lines, start=1):
        duration = 400 * len(text.split()) + 300
        out.append(TranscriptLine(seq, speaker, text, at, duration))
        at += duration + (900 if speaker == Speaker.SELLER else 600)
    return out


def parse_calls(text: str, source: str = "") -> list[LabelledCall]:
    calls: list[LabelledCall] = []
    for block in re.split(r"(?m)^(?=## )", text):
        block = block.strip()
        if block.startswith("##"):
            calls.append(_parse_call(block, source))
    return calls


def _parse_call(block: str, source: str) -> LabelledCall:
    rows = [row.strip() for row in block.splitlines() if row.strip() and not row.strip().startswith("#!")]
    head = _HEADER_RE.match(rows[0])
    if head is None:
        raise ValueError(f"{source}: bad header {rows[0]!r}")
    persona = _personas()[head["persona"]]
    allowed = {key for key, pattern in KEYS.items() if pattern in persona["objection_patterns"]}
    said: list[tuple[Speaker, str]] = []
    open_raisings: list[list] = []  # [key, line, answered_at]
    bands: dict[str, tuple[str, str]] = {}
    for row in rows[1:]:
        if row.startswith("bands:"):
            for part in row[len("bands:") :].split(" | "):
                match = _BAND_RE.match(part.strip())
                if match is None:
                    raise ValueError(f"{head['name']}: bad band {part!r}")
                bands[match["skill"]] = (match["band"], match["why"])
            continue
        who, _, rest = row.partition(": ")
        speaker = {"S": Speaker.SELLER, "T": Speaker.TRAINEE}[who]
        tags = list(_TAG_RE.finditer(rest))
        text = _TAG_RE.sub("", rest).strip()
        said.append((speaker, text))
        seq = len(said)
        for tag in tags:
            for key in (k.strip() for k in tag["keys"].split(",")):
                if key not in allowed:
                    raise ValueError(f"{head['name']} line {seq}: {key!r} is not an objection of {persona['id']}")
                if tag["kind"] == "raised":
                    if speaker != Speaker.SELLER:
                        raise ValueError(f"{head['name']} line {seq}: only the seller raises objections")
                    open_raisings.append([key, seq, None])
                else:
                    target = next((r for r in reversed(open_raisings) if r[0] == key and r[2] is None), None)
                    if target is None or speaker != Speaker.TRAINEE:
                        raise ValueError(f"{head['name']} line {seq}: {key!r} answered but not raised")
                    target[2] = seq
    if set(bands) != set(SCORE_NAMES):
        raise ValueError(f"{head['name']}: needs a band for each of {SCORE_NAMES}")
    voice = head["mode"] == "voice"
    lines = _timed(said) if voice else [TranscriptLine(i, s, t) for i, (s, t) in enumerate(said, start=1)]
    return LabelledCall(
        name=head["name"],
        persona_id=persona["id"],
        seller_name=persona["name"],
        difficulty=head["level"],
        voice=voice,
        patterns=tuple(persona["objection_patterns"]),
        lines=tuple(lines),
        raisings=tuple(Raising(k, KEYS[k], line, ans) for k, line, ans in open_raisings),
        bands=bands,
    )


@cache
def holdout_calls() -> tuple[LabelledCall, ...]:
    """Calls written after the grader was tuned on `labelled_calls`, measured as they are: the honest figure."""
    path = HERE / "holdout_calls.txt"
    return tuple(parse_calls(path.read_text(encoding="utf-8"), path.name))


@cache
def new_calls() -> tuple[LabelledCall, ...]:
    """The second round: labelled and committed before the grader saw them (different phrasing, lengths and mixes)."""
    path = HERE / "new_calls.txt"
    return tuple(parse_calls(path.read_text(encoding="utf-8"), path.name))


@cache
def fresh_calls() -> tuple[LabelledCall, ...]:
    """The third round (27 calls): labelled and committed before the grader saw them, and never tuned on."""
    path = HERE / "fresh_calls.txt"
    return tuple(parse_calls(path.read_text(encoding="utf-8"), path.name))


@cache
def labelled_calls() -> tuple[LabelledCall, ...]:
    calls: list[LabelledCall] = []
    for path in sorted(HERE.glob("calls_*.txt")):
        calls.extend(parse_calls(path.read_text(encoding="utf-8"), path.name))
    return tuple(calls)

"""The moments of a graded call the coach can talk about when asked, and the facts behind each score.

A trainee asks about the call itself ("What should I have done differently when he asked how I got his number?"),
so the coach needs the call's moments, not only its averages: each objection the seller raised (the seller's words,
the trainee's reply, whether it answered it, a better line and why) and each quoted tip of the grade. They travel to
the rules coach inside the brief as one JSON variable (`moments_to_text` / `moments_from_text`); `find_moment` picks
the moment a question is about from the words they share. `skill_facts` says what each score rests on, read from
the transcript with the rubric's own cues, so "why did I get 45 for discovery?" is answered from the call. Pure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from desktop.core.coach_review import find_line, read_feedback
from desktop.core.evidence.objections import detect_objections, objection_kinds
from desktop.core.grading import feedback_wording as tips
from desktop.core.grading.facts import permission_line
from desktop.core.grading.rubric import (
    NEXT_STEP_RE,
    SPECIFIC_RE,
    SUMMARY_RE,
    TOPICS,
    topics_of,
)
from desktop.core.metrics import conversation, turns
from desktop.core.results import Grade
from desktop.core.textcues import keywords, sentence_kind, sentences
from desktop.core.transcript import Speaker, TranscriptLine

MAX_MOMENTS = 12
_QUESTION_NOISE = keywords(
    "what should have done differently when asked said told about moment part call replay practise practice "
    "again better answer line could would how handled handle mine him her them seller trainee okay right"
)
_TOPIC_NAMES = {
    "motivation": "why they're selling",
    "timeline": "their timeline",
    "property": "the property",
    "price": "the price",
    "decision": "who else decides",
}


@dataclass(frozen=True)
class Moment:
    kind: str  # "objection" or "tip"
    title: str  # said to the trainee: "when the seller said they were not in a hurry"
    seller_line: str  # what the seller had just said
    trainee_line: str  # what the trainee said then ("" when nothing)
    seq: int  # the trainee's line (the seller's when the trainee said nothing)
    answered: bool
    try_instead: str
    because: str
    objection: str = ""  # the persona pattern, for an objection

    def words(self) -> frozenset[str]:
        return keywords(f"{self.objection} {self.seller_line} {self.title}")


def call_moments(lines: Sequence[TranscriptLine], grade: Grade, patterns: Sequence[str] = ()) -> tuple[Moment, ...]:
    """Every objection raised (in call order), then each tip of the grade that quotes a line."""
    by_seq = {ln.seq: ln for ln in lines}
    moments: list[Moment] = []
    for event in detect_objections(lines, patterns):
        reply = [by_seq[s] for s in event.reply_seqs if s in by_seq]
        seller = by_seq[event.seller_seq].text
        answer = by_seq.get(event.answer_seq) if event.answer_seq else None
        line = answer or (reply[0] if reply else None)
        kinds = objection_kinds(event.pattern)
        better = next((tips.OBJECTION_LINES[k] for k in kinds if k in tips.OBJECTION_LINES), None)
        because = (
            "you acknowledged it and took it up; keep it that short"
            if event.acknowledged and event.questioned
            else "an answer acknowledges the worry and asks about it (or settles it) before moving on"
        )
        moments.append(
            Moment(
                kind="objection",
                title=f"when the seller raised “{event.pattern}”",
                seller_line=seller,
                trainee_line=line.text if line else "",
                seq=line.seq if line else event.seller_seq,
                answered=event.answered,
                try_instead=better or tips.OBJECTION_MISSED.try_text,
                because=because,
                objection=event.pattern,
            )
        )
    for text in grade.improvements:
        item = read_feedback(text)
        line = find_line(lines, item.said) if item.said else None
        if line is None or any(m.seq == line.seq for m in moments):
            continue
        before = [ln for ln in lines if ln.seq < line.seq and ln.speaker == Speaker.SELLER]
        moments.append(
            Moment(
                kind="tip",
                title=f"when you said “{item.said}”",
                seller_line=before[-1].text if before else "",
                trainee_line=line.text,
                seq=line.seq,
                answered=False,
                try_instead=item.try_instead,
                because=item.why,
            )
        )
    return tuple(moments[:MAX_MOMENTS])


def moments_to_text(moments: Sequence[Moment]) -> str:
    return json.dumps([asdict(m) for m in moments], ensure_ascii=False, separators=(",", ":"))


def moments_from_text(text: str) -> tuple[Moment, ...]:
    """Never raises: what cannot be read is left out."""
    try:
        items = json.loads(text) if text else []
    except ValueError:
        return ()
    moments = []
    for item in items if isinstance(items, list) else []:
        try:
            moments.append(Moment(**{k: item[k] for k in Moment.__dataclass_fields__}))
        except (KeyError, TypeError):
            continue
    return tuple(moments)


def find_moment(moments: Sequence[Moment], question: str) -> Moment | None:
    """The moment a question is about: the one sharing the most words with it (the seller's words, the objection's
    name); None when no moment shares a word that matters."""
    asked = keywords(question) - _QUESTION_NOISE
    if not asked:
        return None
    best = max(moments, key=lambda m: (len(asked & m.words()), m.kind == "objection"), default=None)
    return best if best is not None and asked & best.words() else None


def skill_facts(area: str, lines: Sequence[TranscriptLine], grade: Grade, patterns: Sequence[str] = ()) -> str:
    """What one score rests on, from the call itself (line numbers are the transcript's)."""
    trainee = [ln for ln in lines if ln.speaker == Speaker.TRAINEE]
    if area == "discovery":
        asked: dict[str, int] = {}
        for line in trainee:
            for part in sentences(line.text):
                if sentence_kind(part):
                    for topic in topics_of(part.lower().replace("’", "'")):
                        asked.setdefault(topic, line.seq)
        if not asked:
            return "You asked no questions about the seller's situation."
        said = ", ".join(f"{_TOPIC_NAMES[t]} (line {seq})" for t, seq in asked.items())
        missing = [_TOPIC_NAMES[t] for t in TOPICS if t not in asked]
        tail = f"; you never asked about {_listed(missing)}" if missing else "; you covered all five topics"
        return f"You asked about {said}{tail}."
    if area == "objection_handling":
        events = detect_objections(lines, patterns)
        if not events:
            return "No objection came up in this call."
        done = [f"“{e.pattern}” (line {e.answer_seq})" for e in events if e.answered]
        left = [f"“{e.pattern}” (line {e.seller_seq})" for e in events if not e.answered]
        parts = [f"The seller raised {len(events)} objection(s)."]
        if done:
            parts.append(f"You answered {_listed(done)}.")
        if left:
            parts.append(f"You moved past {_listed(left)} without acknowledging or asking about it.")
        return " ".join(parts)
    if area == "closing":
        step = next((ln for ln in trainee if NEXT_STEP_RE.search(ln.text.lower())), None)
        timed = next((ln for ln in trainee if SPECIFIC_RE.search(ln.text.lower())), None)
        summary = next((ln for ln in trainee if SUMMARY_RE.search(ln.text.lower())), None)
        parts = [f"Your next step was line {step.seq}." if step else "You proposed no next step."]
        parts.append(f"It had a day and time (line {timed.seq})." if timed else "No day and time was agreed.")
        parts.append(f"You summed up at line {summary.seq}." if summary else "You did not sum up what you heard.")
        return " ".join(parts)
    opener = trainee[0].text if trainee else ""
    permission = permission_line(trainee, turns(conversation(lines)))  # as the grade reads it
    asked_permission = f"asked permission at line {permission.seq}" if permission else "never asked permission"
    return f"You opened with “{opener[:100]}” and {asked_permission}."


def _listed(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def mentions_moment(question: str) -> bool:
    """A question about a particular point of the call rather than a score ("when he asked...", "the part where")."""
    return _MOMENT_WORDS_RE.search(question.lower()) is not None


_MOMENT_WORDS_RE = re.compile(r"\b(?:when|where|after|the part|the moment|that moment|at the point|that bit)\b")

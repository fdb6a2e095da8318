"""Feedback that quotes the trainee: the wording of the rule-based grader's strengths, improvements and tips.

Every item quotes the trainee's own words, verbatim and short, in one of three forms the feedback screen shows:
    strength:        You said "...": why it worked.
    improvement:     You said "..." — try "..." because why.
    recommendation:  You said "...": what to do next call.
Lists are capped at five; improvements come most damaging first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from desktop.core.difficulty import Difficulty
from desktop.core.results import CallMetrics
from desktop.core.textcues import filler_counts, sentences, words
from desktop.core.transcript import TranscriptLine

MAX_ITEMS = 5
MAX_QUOTE = 120

Found = tuple[TranscriptLine, str]


def quote(text: str, limit: int = MAX_QUOTE) -> str:
    """The text cut at a word boundary to about `limit` characters, with an ellipsis when cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "…"


@dataclass(frozen=True)
class Tip:
    """A better line to try, and why."""

    try_text: str
    because: str


OPENER = "a friendly, honest opener with your name and the reason for the call earns you the next minute."
GREETING = "a greeting with your name tells the seller who they are talking to from the first sentence."
PERMISSION = "asking permission lowers the seller's guard and turns the rest into a conversation."
EMPATHY = "acknowledging how the seller feels builds the trust a sale depends on."
OPEN_QUESTION = "an open question that lets the seller tell the story; motivation decides everything else."
FOLLOW_UP = "a follow-up on what the seller had just said shows you were listening."
OBJECTION_HANDLED = "you acknowledged the objection and asked about it instead of arguing."
NEXT_STEP = "a specific next step with a time turns interest into a commitment."
SUMMARY = "summarising before proposing shows you listened and lets the seller correct you."

NO_INTRO = Tip(
    "Hi, is this [seller's name]? This is [your name] with [company], calling about your land.",
    "a name and a reason up front answer the seller's first question: who is this and why are they calling",
)
NO_PERMISSION = Tip("Did I catch you at an okay time?", "asking permission lowers the seller's guard")
PRESSURE = Tip(
    "There's no pressure at all. What would need to be true for this to work for you?",
    "pressure and false urgency end calls; sellers sell to people they trust",
)
LOWBALL = Tip(
    "Before we get to numbers, can you tell me a bit about the property and what has you thinking about selling?",
    "a price before any rapport insults the seller and anchors the talk on your number; let them name one first",
)
ARGUED = Tip(
    "I'd feel the same way. What would make it feel fair to you?",
    "arguing makes the seller defend their position; acknowledging and asking keeps them talking",
)
OBJECTION_MISSED = Tip(
    "That makes sense. Can I ask what's behind that?",
    "every objection deserves an acknowledgement and a question before you move on",
)
# A better answer to each common objection (keys: textcues.OBJECTION_CUES): acknowledge, then ask or resolve.
OBJECTION_LINES = {
    "Your offer is insulting": "I hear you, and I'd feel the same. What number would feel fair to you?",
    "It's worth much more, I looked online": "That makes sense to check. Which ones were you looking at?",
    "I'm not in a hurry": "No rush at all. If you did sell, when would you want it wrapped up?",
    "I need to talk to my wife / my brothers": (
        "Of course, it's their decision too. Would it help if we all got on a call together?"
    ),
    "How did you get my number?": (
        "Fair question. Your name is in the county's property records; that's how I found you."
    ),
    "Are you a scam? Who are you with?": (
        "Good question to ask. We're [company]; you can look us up, and we close through a title company."
    ),
    "Another investor offered more": "Thanks for telling me. What did you like about that offer?",
    "I'll list it with an agent": "That's a good option. What would you want an agent to do for you?",
    "It's been in the family for generations": "That's a lot of history. What would you want to see happen to it?",
    "There are back taxes / a lien, is that a problem?": (
        "Thanks for telling me; that's common. We can pay it off from the sale at closing. About how much is it?"
    ),
    "I don't want to deal with paperwork": (
        "I understand. We handle the paperwork with a title company; you'd just sign."
    ),
    "Send me something in writing": "Of course. I'll email it today; what's the best address?",
    "Call me back in six months": "No problem. When would be a better time to talk?",
}


def missed_objection(kinds: Sequence[str], seller_said: str) -> Tip:
    """The tip for an objection the trainee moved past: a better line for that objection, and what the seller said."""
    line = next((OBJECTION_LINES[k] for k in kinds if k in OBJECTION_LINES), OBJECTION_MISSED.try_text)
    return Tip(line, f'the seller had just said "{quote(seller_said, 80)}"; {OBJECTION_MISSED.because}')


NO_NEXT_STEP = Tip(
    "Could I send you a written offer today and call you Thursday at 6 to go over it together?",
    "a call that ends without a next step is a lost call",
)
VAGUE_NEXT_STEP = Tip(
    "I'll email the offer tonight. Would Thursday at 6 work to go over it together?",
    "a specific day and time turns interest into a commitment",
)
TALK_LESS = Tip(
    "What's most important to you in all of this?",
    "the seller should do most of the talking; the best calls had the caller talking about 43 % of the time",
)
MONOLOGUE = Tip(
    "In short: we pay cash and cover the closing costs. What would you want to know first?",
    "past about 45 seconds the seller stops listening; one point and a question keeps them in the call",
)
NO_SUMMARY = (
    "before proposing anything, sum up what you heard, e.g. \"So what I'm hearing is [why they're selling], "
    '[their timeline], and [who decides]. Did I get that right?"'
)
SILENT = "Nothing the trainee said could be graded. Start with a greeting, your name and why you are calling."

_OPEN_BY_TOPIC = {
    "motivation": "What has you thinking about selling?",
    "timeline": "What timeline did you have in mind for this?",
    "property": "Can you walk me through the property: the access, the utilities, anything I should know?",
    "price": "What number would make this work for you?",
    "decision": "Who else would be part of this decision?",
    None: "What can you tell me about that?",
}
_TOPIC_LABELS = {
    "motivation": "why they are selling",
    "timeline": "their timeline",
    "property": "the property itself (access, utilities, taxes, title)",
    "price": "the price they hope for (let them name it first)",
    "decision": "who else has to agree",
}


def closed_question(topic: str | None) -> Tip:
    return Tip(
        _OPEN_BY_TOPIC.get(topic, _OPEN_BY_TOPIC[None]),
        "open questions get the seller talking; a yes/no question ends the story early",
    )


def missing_topics(topics: Sequence[str]) -> str:
    """One tip for the discovery topics never asked about, with an example question for the first."""
    labels = [_TOPIC_LABELS[t] for t in topics]
    listed = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    return f'next call, also ask about {listed}, e.g. "{_OPEN_BY_TOPIC[topics[0]]}"'


def level_up(difficulty: Difficulty) -> str:
    levels = list(Difficulty)
    if difficulty == levels[-1]:
        return "a top-level call; replay it and tighten each answer to one sentence and a question."
    return f"a call like this is ready for {levels[levels.index(difficulty) + 1].value}; try the same persona there."


@dataclass(frozen=True)
class Pin:
    """One piece of feedback and the transcript line it is about (seq 0: about no line), for tests and the coach."""

    kind: str  # "strength", "improvement" or "recommendation"
    text: str
    seq: int
    about: str = ""  # what the note is about, e.g. "objection_missed"; "" for the general ones


class Notes:
    """Collects feedback while the scorers run, then returns the capped, de-duplicated lists."""

    def __init__(self) -> None:
        self._strengths: list[tuple[int, int, str, Found, str, str]] = []
        self._improvements: list[tuple[int, int, str, str, int, str]] = []
        self._recommendations: list[tuple[int, int, str, str, int, str]] = []

    def strength(self, priority: int, found: Found | None, why: str, about: str = "") -> None:
        if found and all(item[2] != why for item in self._strengths):
            text = f'You said "{quote(found[1])}": {why}'
            self._strengths.append((-priority, len(self._strengths), why, found, text, about))

    def improve(self, severity: int, found: Found | None, tip: Tip, about: str = "") -> None:
        if found and all(item[2] != tip.try_text for item in self._improvements):
            text = f'You said "{quote(found[1])}" — try "{tip.try_text}" because {tip.because}.'
            self._improvements.append((-severity, len(self._improvements), tip.try_text, text, found[0].seq, about))

    def recommend(self, priority: int, found: Found | None, what: str) -> None:
        text = f'You said "{quote(found[1])}": {what}' if found else what[:1].upper() + what[1:]
        if all(item[2] != what for item in self._recommendations):
            seq = found[0].seq if found else 0
            self._recommendations.append((-priority, len(self._recommendations), what, text, seq, ""))

    def best_quote(self) -> Found | None:
        return min(self._strengths)[3] if self._strengths else None

    def strengths(self) -> tuple[str, ...]:
        return tuple(item[4] for item in sorted(self._strengths)[:MAX_ITEMS])

    def improvements(self) -> tuple[str, ...]:
        return tuple(item[3] for item in sorted(self._improvements)[:MAX_ITEMS])

    def recommendations(self) -> tuple[str, ...]:
        return tuple(item[3] for item in sorted(self._recommendations)[:MAX_ITEMS])

    def pins(self) -> tuple[Pin, ...]:
        """Every item that made it into the capped lists, with its line."""
        kept = [Pin("strength", it[4], it[3][0].seq, it[5]) for it in sorted(self._strengths)[:MAX_ITEMS]]
        kept += [Pin("improvement", it[3], it[4], it[5]) for it in sorted(self._improvements)[:MAX_ITEMS]]
        kept += [Pin("recommendation", it[3], it[4], it[5]) for it in sorted(self._recommendations)[:MAX_ITEMS]]
        return tuple(kept)


_CORE_FILLER_RE = re.compile(r"(?i),?\s*\b(?:u+m+|u+h+|e+r+m*)\b,?")


def delivery_notes(notes: Notes, trainee: Sequence[TranscriptLine], metrics: CallMetrics) -> None:
    """Notes on how the trainee spoke: monologues, talking too much, fillers. Timing metrics only for voice."""
    if not trainee:
        return
    longest = max(trainee, key=lambda ln: (ln.duration_ms, len(ln.text)))
    found = (longest, (sentences(longest.text) or [longest.text])[0])
    if (metrics.longest_monologue_s or 0) > 45 or len(words(longest.text)) > 90:
        notes.improve(5, found, MONOLOGUE)
    elif (metrics.talk_ratio or 0) > 0.65 and len(trainee) > 2:
        notes.improve(4, found, TALK_LESS)
    if (metrics.fillers_per_min or 0) > 4:
        worst = max(trainee, key=lambda ln: filler_counts(ln.text)[0])
        sentence = max(sentences(worst.text) or [worst.text], key=lambda s: filler_counts(s)[0])
        cleaned = _CORE_FILLER_RE.sub(" ", sentence).strip(" ,")
        cleaned = re.sub(r"\s+([,.?!])", r"\1", re.sub(r"\s{2,}", " ", cleaned))
        # Only worth suggesting when something meaningful is left once the fillers are gone.
        if len(words(cleaned)) >= 3:
            tip = Tip(cleaned[:1].upper() + cleaned[1:], "a silent pause sounds more confident than um or uh")
            notes.improve(2, (worst, sentence), tip)

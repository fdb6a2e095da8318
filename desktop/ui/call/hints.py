"""What the Practice-mode hint strip shows: where the call is (intro, rapport, discovery, objections, close), which
discovery topics were asked about, and which of the persona's objections came up and were answered.

Qt-free and incremental: each final line is read once, with the same cues the grader uses
(desktop/core/grading/rubric.py and core/textcues.py), so a hint and the later grade agree. Cheap enough to run on
the GUI thread per line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop.core.grading.rubric import (
    EMPATHY_RE,
    GREETING_RE,
    INTRO_RE_LOW,
    NEXT_STEP_RE,
    PERMISSION_RE,
    REASON_RE,
    SUMMARY_RE,
    topics_of,
)
from desktop.core.textcues import ACK_RE, objection_matchers, sentence_kind, sentences
from desktop.core.transcript import Speaker, TranscriptLine

STAGES = ("intro", "rapport", "discovery", "objections", "close")
STAGE_LABELS = {
    "intro": "Intro",
    "rapport": "Rapport",
    "discovery": "Discovery",
    "objections": "Objections",
    "close": "Close",
}
# The rubric calls the seller's property and its state "property"; on the strip it reads as "condition".
TOPICS = ("motivation", "timeline", "condition", "price")
_RUBRIC_TOPIC = {"motivation": "motivation", "timeline": "timeline", "property": "condition", "price": "price"}
TOPIC_QUESTIONS = {
    "motivation": "What has you thinking about selling?",
    "timeline": "What timeline did you have in mind?",
    "condition": "Can you walk me through the property: access, utilities, anything I should know?",
    "price": "What number would make this work for you?",
}
TIPS = {
    "intro": "Say hello, give your name and why you are calling, then ask if it is a good time.",
    "rapport": "Build rapport: acknowledge what they say and use their name before you dig in.",
    "objections": "Acknowledge the objection, then ask about it: \u201cThat makes sense. What's behind that?\u201d",
    "close": "Sum up what you heard, then set a specific next step with a day and a time.",
}


@dataclass(frozen=True)
class ObjectionHint:
    pattern: str
    raised: bool = False
    answered: bool = False

    @property
    def label(self) -> str:
        return self.pattern[:1].upper() + self.pattern[1:]


@dataclass(frozen=True)
class HintState:
    stage: str
    topics: dict[str, bool]
    objections: tuple[ObjectionHint, ...]
    tip: str
    reached: frozenset[str] = field(default_factory=frozenset)


class CallHints:
    """Feed it every final line (`add`); read `state` for the strip."""

    def __init__(self, objection_patterns: tuple[str, ...] | list[str]) -> None:
        self._matchers = objection_matchers(list(objection_patterns))
        self._objections = {pattern: ObjectionHint(pattern) for pattern, _ in self._matchers}
        self._pending: list[str] = []  # objections from the seller's latest turn, awaiting the trainee's reply
        self._topics = dict.fromkeys(TOPICS, False)
        self._intro = self._rapport = self._close = False
        self._trainee_lines = 0
        self._last_speaker: Speaker | None = None
        self.state = self._compute()

    def add(self, line: TranscriptLine) -> HintState:
        if line.speaker is Speaker.TRAINEE:
            self._trainee(line.text)
        elif line.speaker is Speaker.SELLER:
            self._seller(line.text)
        self._last_speaker = line.speaker
        self.state = self._compute()
        return self.state

    def _trainee(self, text: str) -> None:
        low = text.lower().replace("\u2019", "'")
        self._trainee_lines += 1
        self._intro = self._intro or bool(GREETING_RE.search(low) or INTRO_RE_LOW.search(low) or REASON_RE.search(low))
        self._rapport = self._rapport or bool(EMPATHY_RE.search(low) or PERMISSION_RE.search(low))
        self._close = self._close or bool(NEXT_STEP_RE.search(low) or SUMMARY_RE.search(low))
        asked = False
        for sentence in sentences(text) or [text]:
            if sentence_kind(sentence) is None:
                continue
            asked = True
            for topic in topics_of(sentence.lower().replace("\u2019", "'")):
                if topic in _RUBRIC_TOPIC:
                    self._topics[_RUBRIC_TOPIC[topic]] = True
        if self._pending:
            answered = asked or ACK_RE.search(low) is not None
            for pattern in self._pending:
                previous = self._objections[pattern]
                self._objections[pattern] = ObjectionHint(pattern, True, previous.answered or answered)
            self._pending = []

    def _seller(self, text: str) -> None:
        low = text.lower().replace("\u2019", "'")
        if self._last_speaker is not Speaker.SELLER:
            self._pending = []  # a new seller turn
        for pattern, matches in self._matchers:
            if matches(low):
                self._objections[pattern] = ObjectionHint(pattern, True, False)
                if pattern not in self._pending:
                    self._pending.append(pattern)

    def _compute(self) -> HintState:
        asked = [topic for topic in TOPICS if self._topics[topic]]
        if not self._trainee_lines or not self._intro:
            stage = "intro"
        elif self._pending:
            stage = "objections"
        elif self._close or len(asked) == len(TOPICS):
            stage = "close"
        elif not asked and not self._rapport:
            stage = "rapport"
        else:
            stage = "discovery"
        if stage == "discovery":
            missing = next(topic for topic in TOPICS if not self._topics[topic])
            tip = f"Ask about {missing}: \u201c{TOPIC_QUESTIONS[missing]}\u201d"
        else:
            tip = TIPS[stage]
        reached = {"intro"} if self._intro else set()
        if self._rapport:
            reached.add("rapport")
        if asked:
            reached.add("discovery")
        if any(o.raised for o in self._objections.values()):
            reached.add("objections")
        if self._close:
            reached.add("close")
        return HintState(stage, dict(self._topics), tuple(self._objections.values()), tip, frozenset(reached))

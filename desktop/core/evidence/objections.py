"""The objections a seller raises and whether the trainee answered each: where, and how.

An objection is answered when the trainee's reply turn acknowledges it ("I understand", "fair question"), asks about
it, or resolves it ("I got your name from the county records"). A reply that only moves on ("What is the land
like?") does not answer it, even though it is a question: that is what made the old "answered" count too kind.
Each objection has cues of its own that a reply about it uses (`ANSWER_CUES`); a generic acknowledgement answers the
objections of the turn unless the reply is plainly about some of them and not the others. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from desktop.core.grading.rubric import ARGUE_RE, PRESSURE_RE
from desktop.core.textcues import ACK_RE, OBJECTION_CUES, objection_matchers, sentence_kind, sentences
from desktop.core.transcript import Speaker, TranscriptLine

# Words a reply about each common objection uses: its topic, or the usual way to resolve it.
ANSWER_CUES: dict[str, re.Pattern[str]] = {
    name: re.compile(cues)
    for name, cues in {
        "Your offer is insulting": (
            r"\bfair\b|number|price|what would (?:you|it)|what were you|hoping|in mind|how did you (?:arrive|come)|"
            r"come up|work for you|would you take|figure"
        ),
        "It's worth much more, I looked online": (
            r"zillow|online|listing|listed|comps|sold|estimate|apprais|values?\b|seeing|what did you see|"
            r"which (?:lots|ones|listings|houses|sales|comps|sites?)|account for|before the fire|asking prices|"
            r"sales?\b|"
            r"homework|where did you (?:see|find|look)|what did you (?:find|see)"
        ),
        "I'm not in a hurry": (
            r"hurry|rush|pressure|take your time|timeline|time ?frame|whenever|someday|what would (?:have to|make)|"
            r"what would need|when would you|this year|next year|eventually|further out"
        ),
        "I need to talk to my wife / my brothers": (
            r"wife|husband|spouse|\bex\b|brother|sister|sibling|family|kids|son|daughter|both of you|all of you|"
            r"three of us|on the (?:line|phone|call)|together|decision|agree|how does (?:he|she|they)|"
            r"what does (?:he|she|they|your)|\b(?:him|her|them|he|she)\b"
        ),
        "How did you get my number?": (
            r"record|county|parish|public|list\b|directory|tax roll|found (?:you|your)|got your|mail(?:er|ing)"
        ),
        "Are you a scam? Who are you with?": (
            r"company|look us up|website|reviews|better business|bbb|licensed|registered|title company|legit|"
            r"references|verify|attorney|details"
        ),
        "Another investor offered more": (
            r"(?:other|another|their|his|her|that) (?:offer|investor|buyer)|offer you (?:got|had)|compare|beat|"
            r"match|what did you (?:like|think)|held you back|keeping you from|upfront"
        ),
        "I'll list it with an agent": (r"\bagent|realtor|list(?:ing)?\b|commission|on the market|option"),
        "It's been in the family for generations": (
            r"family|generation|history|legacy|memor|grand(?:father|pa|mother|ma)|mean to you|means to you|"
            r"want to see happen|ideally"
        ),
        "There are back taxes / a lien, is that a problem?": (
            r"tax|lien|probate|title|closing|pay (?:it |them )?off|paid off|out of the sale|court|owed"
        ),
        "I don't want to deal with paperwork": (
            r"paperwork|title company|handle|take care|walk you through|sign\b|as-is|attorney|process|forms"
        ),
        "Send me something in writing": (r"writing|written|email|e-mail|send|mail|letter|address|read it"),
        "Call me back in six months": (
            r"call (?:you )?back|better time|good time|when would|what time|later|next week|tomorrow|"
            r"no problem|let you go|"
            r"call you (?:in|next|on|then|after|this|at)\b|\bat (?:\d|one|two|three|four|five|six|seven|eight|nine|ten)"
        ),
    }.items()
}
assert set(ANSWER_CUES) == set(OBJECTION_CUES)
# Objections a plain statement can settle (a fact, or agreeing to what was asked). The others are about the seller's
# view, so only a question about it answers them: "agents charge six percent" is a rebuttal, not an answer.
RESOLVABLE = frozenset(
    {
        "How did you get my number?",
        "Are you a scam? Who are you with?",
        "There are back taxes / a lien, is that a problem?",
        "I don't want to deal with paperwork",
        "Send me something in writing",
        "Call me back in six months",
    }
)
# Agreeing to what the seller asks ("Sure.") settles "send it in writing" or "call me back", and acknowledges "I need
# to talk to my wife" when it names what it agrees to ("Sure, talk to him"): a bare "Sure." before the next question
# brushes it past.
_AGREED_RE = re.compile(r"^(?:sure|of course|absolutely|definitely|will do|yes|no problem)\b")
_AGREEABLE = frozenset(
    {"Send me something in writing", "Call me back in six months", "I need to talk to my wife / my brothers"}
)
# A bare denial ("it's not a scam", "yes we are") answers nothing: the standard names it as not an answer.
_DENIAL_RE = re.compile(
    r"\bnot (?:a |an )?(?:scam|fraud|con)\b|^(?:yes|yeah|yep|nope|no),? (?:we are|it is|i am|it's not|we're not)\W*$|"
    r"\bwe(?:'re| are) (?:a )?(?:real|legit|legitimate)\b(?! estate)"
)

# A reply that opens by waving the worry away ("Probate's easy, happens all the time") acknowledges nothing; it can
# still answer by taking the worry up ("It's no big deal, we pay the back taxes at closing").
_WAVED_AWAY_RE = re.compile(r"^(?:\w+'s|it's|that's) (?:easy|simple|nothing|no big deal)\b")


def objection_kinds(pattern: str) -> tuple[str, ...]:
    """The common objections a persona pattern names (its text trips their cues, or equals one's phrase)."""
    lowered = pattern.lower().replace("’", "'")
    return tuple(name for name, cues in OBJECTION_CUES.items() if name.lower() == lowered or re.search(cues, lowered))


@dataclass(frozen=True)
class ObjectionEvent:
    """One objection pattern raised in a seller line, and how the trainee's next turn met it.

    answer_seq: the trainee line that answered it (acknowledged, asked about or resolved it), or None.
    acknowledged / questioned: whether the reply acknowledged it, and asked or resolved something about it.
    """

    pattern: str
    seller_seq: int
    reply_seqs: tuple[int, ...]
    acknowledged: bool
    questioned: bool
    answer_seq: int | None = None
    rebuttal_seq: int | None = None  # an unanswered reply that contradicts the seller's view on its topic

    @property
    def answered(self) -> bool:
        return self.answer_seq is not None


def _low(text: str) -> str:
    return text.lower().replace("’", "'")


def _turns(lines: Sequence[TranscriptLine]) -> list[list[TranscriptLine]]:
    grouped: list[list[TranscriptLine]] = []
    for line in lines:
        if grouped and grouped[-1][0].speaker == line.speaker:
            grouped[-1].append(line)
        else:
            grouped.append([line])
    return grouped


def detect_objections(lines: Sequence[TranscriptLine], patterns: Sequence[str]) -> list[ObjectionEvent]:
    """Every seller turn that raises one of the patterns, with how the trainee's reply turn met it."""
    matchers = objection_matchers(patterns)
    if not matchers:
        return []
    conv = sorted((ln for ln in lines if ln.speaker in (Speaker.TRAINEE, Speaker.SELLER)), key=lambda ln: ln.seq)
    kinds = {pattern: objection_kinds(pattern) for pattern, _ in matchers}
    grouped = _turns(conv)
    events: list[ObjectionEvent] = []
    # Objections just raised that the trainee then asked about: the seller's next turn answers, it does not raise.
    asked_about: set[str] = set()
    for i, turn in enumerate(grouped):
        if turn[0].speaker != Speaker.SELLER:
            continue
        lowered = [(ln, _low(ln.text)) for ln in turn]
        hits = [
            (p, hit)
            for p, matches in matchers
            if p not in asked_about and (hit := next((ln for ln, low in lowered if matches(low)), None))
        ]
        reply = grouped[i + 1] if i + 1 < len(grouped) else []
        reply_lows = [(ln, _low(ln.text)) for ln in reply]
        asked_about = {p for p, _ in hits if any(_about(kinds[p], low, asking=True) for _, low in reply_lows)}
        if not hits:
            continue
        ack = next((ln for ln, low in reply_lows if ACK_RE.search(low) and not _WAVED_AWAY_RE.match(low)), None)
        # Arguing without acknowledging is not an answer, whatever words it shares with the objection.
        harsh = ack is None and any(
            ARGUE_RE.search(low) or PRESSURE_RE.search(low) or _DENIAL_RE.search(low) for _, low in reply_lows
        )
        agreed = any(_AGREED_RE.match(low) for _, low in reply_lows)
        topical = {
            pattern: None if harsh else next((ln for ln, low in reply_lows if _about(kinds[pattern], low)), None)
            for pattern, _ in hits
        }
        # A generic acknowledgement covers every objection of the turn, unless the reply takes up some by name and
        # leaves the others: then it was those it acknowledged.
        focused = any(topical.values()) and not all(topical.values())
        for pattern, hit in hits:
            about = topical[pattern]
            answer = about if about is not None and (ack is None or about.seq < ack.seq) else ack
            if answer is ack and focused and about is None:
                answer = None
            events.append(
                ObjectionEvent(
                    pattern,
                    hit.seq,
                    tuple(ln.seq for ln in reply),
                    acknowledged=answer is not None
                    and (ack is not None or (agreed and bool(_AGREEABLE & set(kinds[pattern])))),
                    questioned=about is not None,
                    answer_seq=answer.seq if answer is not None else None,
                    rebuttal_seq=_rebuttal(kinds[pattern], reply_lows) if answer is None else None,
                )
            )
    return events


def _rebuttal(kinds: Sequence[str], reply: Sequence[tuple[TranscriptLine, str]]) -> int | None:
    """The reply line that talks back about an objection on the seller's view (the price, the value online, an agent,
    the family, the other offer, no hurry) without asking anything: "Those listings never sell for that" is an
    argument, however politely put. Objections a statement settles are left out."""
    for kind in kinds:
        if kind in RESOLVABLE:
            continue
        for line, low in reply:
            if not any(sentence_kind(part) for part in sentences(low)) and ANSWER_CUES[kind].search(low):
                return line.seq
    return None


def _about(kinds: Sequence[str], lowered: str, *, asking: bool = False) -> bool:
    """Whether a reply line takes up one of these objections: a question about it, words about it in a line that
    asks something, or (for the kinds a statement can settle) a statement about it. `asking`: only a question about
    it counts. An unknown pattern is taken up by any question."""
    questions = [part for part in sentences(lowered) if sentence_kind(part)]
    if not kinds:
        return bool(questions)
    for kind in kinds:
        cue = ANSWER_CUES[kind]
        # A question about it, or words about it in a line that goes on to ask the seller something.
        if any(cue.search(part) for part in questions) or (questions and not asking and cue.search(lowered)):
            return True
        agreed = kind in _AGREEABLE and _AGREED_RE.match(lowered) and (kind in RESOLVABLE or cue.search(lowered))
        if not asking and ((kind in RESOLVABLE and cue.search(lowered)) or agreed):
            return True
    return False

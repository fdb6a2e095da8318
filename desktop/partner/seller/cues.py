"""How the practice partner's seller hears one trainee turn: questions, topics, offers, good and bad technique.

Pure and deterministic. It leans on the rubric's and textcues' patterns so that what the grader calls good technique
is also what warms the rule-played seller up, and what it calls pressure or arguing is what cools the seller down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop.core.evidence.asked_topics import TOPIC_RES, WATER_WELL
from desktop.core.grading.rubric import (
    ARGUE_RE,
    EMPATHY_RE,
    FOLLOWUP_RE,
    INTRO_RE_LOW,
    META_RE,
    NEXT_STEP_RE,
    PERMISSION_RE,
    PRESSURE_RE,
    REASON_RE,
    SUMMARY_RE,
)
from desktop.core.textcues import keywords, question_kinds, sentences, words
from desktop.partner.seller.amounts import offer_in, parse_amounts

# A question about "the property" that names no particular fact gets the general description (size, condition).
_GENERAL_RE = re.compile(
    r"\b(?:property|land|place|house|home|lot|parcel|acreage|acres)\b|like out there|describe (?:it|the)"
)
# Questions as people say them: no question mark (a transcript has none where the voice did not rise), a filler
# first ("so um how big..."), or asked indirectly ("I'd like to know if...", "tell me about...").
_SPOKEN_ASK_RE = re.compile(
    r"^(?:(?:so|and|okay|ok|right|well|um+|uh+|alright|now|but|also|oh|yeah|hey)\b[, ]*)*"
    r"(?:why|what|what's|how|how's|when|where|who|which|is|are|was|were|do|does|did|can|could|would|will|have|has|"
    r"should|any)\b|"
    r"\b(?:i'd like to know|i would like to know|i was (?:curious|wondering)|i'm (?:curious|wondering)|can i ask|"
    r"may i ask|let me ask|tell me|walk me through|i'd love to hear|just curious|my question is|get a sense of|"
    r"i want to (?:know|understand|hear)|help me understand)\b"
)
# "So what I'm hearing is...", "how I see it...": a question word with a subject after it tells, it does not ask.
_TELLS_RE = re.compile(
    r"^(?:(?:so|and|okay|ok|right|well|um+|uh+|alright|now|but|also|oh|yeah)\b[, ]*)*"
    r"(?:what|how|why|when|where|who)\s+(?:i|i'm|i've|i'd|we|we're|we've|you're|you've|it's|that's|they're)\b"
)
_WISH_RE = re.compile(r"(?:have a (?:good|great|nice|wonderful)|thanks|thank you)\b")
# "What's the land like?", "describe the place": the general picture, size and condition both.
_DESCRIBE_RE = re.compile(
    r"what's (?:it|the (?:land|place|property|house|home|lot|parcel|acreage)) like|like out there|describe|"
    r"tell me (?:a little |more )?about (?:the|your|it)\b"
)
# The caller says where they found the seller: that answers "how did you get my number" before it is asked.
_SOURCE_RE = re.compile(
    r"\b(?:got|found|pulled|looked up|came up|saw|get|getting)\b.{0,60}\b(?:records?|county|public|appraisal|"
    r"tax rolls?|assessor|neighbou?rs?|website|online|mailing list)\b|\b(?:county|public|property|tax) records\b|"
    r"\b(?:neighbou?r|friend|someone|cousin)\b.{0,30}\b(?:mentioned|told|said|gave|suggested)\b"
)
# When no phrase above names the topic of a question, its words still point at one: a question about "the highway"
# is about access, one about "the only owner" about who decides. The topic with the most such words wins.
_TOPIC_WORDS: dict[str, str] = {
    "size": r"acres?|acreage|big|size|large|square|feet|footage|bedrooms?|baths?|how much (?:land|property|acreage)",
    "condition": (
        r"condition|shape|livable|habitable|move-in|repairs?|roof|foundation|damage|cleared|wooded|trees|fence|"
        r"timber|brush|mold|leaks?|plumbing|updated|renovat\w*|fixer|barn|structures?|improvements"
    ),
    "access": r"access|roads?|highway|driveway|easement|frontage|how far|miles|paved|gravel|landlocked|get there",
    "utilities": rf"power|electric\w*|water|{WATER_WELL}|septic|sewer|utilit\w*|gas|pole|hook\w*|internet",
    "zoning": r"zon\w*|build\w*|restrictions?|permits?|flood|hoa|covenants?|allowed",
    "taxes": r"tax\w*|liens?|owe\w*|mortgage|loan|behind|debt|judgments?",
    "title": r"title|deed|probate|estate|executor|in your name",
    "decision": r"owners?|approve|sign|decide|decision|besides|spouse|wife|husband|family|sister|brother|kids|agree",
    "timeline": r"timeline|soon|quickly|fast|pressure|deadline|date|hurry|rush|move on|how long until",
    "motivation": r"why|reason\w*|motivat\w*|using|plans?|situation|change|what's behind",
    "offers": r"calling|buyers?|investors?|offers|listed|listing|realtor|agent",
    "paid": r"inherit\w*|bought|paid|purchased?|owned",
    "price": r"price|(?<!your )(?<!my )number|asking|worth|value|figure|ballpark|dollars?|make you happy|let it go",
}
_TOPIC_WORD_RES = {name: re.compile(rf"\b(?:{words})\b") for name, words in _TOPIC_WORDS.items()}

_BOT_RE = re.compile(
    r"are you (?:a |an )?(?:robot|bot|ai|real person|human|computer|machine)|"
    r"(?:is this|am i (?:talking|speaking) (?:to|with)) (?:a |an )?(?:robot|bot|ai|recording|computer|machine)\b|"
    r"chatgpt|language model|"
    r"system prompt|your instructions|you are an assistant"
)
_RUDE_RE = re.compile(
    r"\b(?:stupid|idiot|dumb|shut up|moron|greedy|delusional|are you deaf|whatever you say|damn|hell|crap|"
    r"f+u+c+k\w*|shit\w*|bullshit|screw (?:you|it|this)|get real|grow up|waste of (?:my )?time|wasting my time|"
    r"that's ridiculous|you're ridiculous|are you kidding me)\b"
)
# Pressure the rubric does not list, because it is not always pressure in a summary ("right now" can be innocent);
# to a seller on the phone it is.
_PUSHY_EXTRA_RE = re.compile(
    r"\b(?:sign (?:today|now|right now)|limited time|act (?:fast|now)|don't miss|now or never|hurry up|"
    r"you need to (?:decide|sign|accept|take)|right now or|only good (?:until|for)|take the deal)\b"
)
_NEXT_STEP_EXTRA_RE = re.compile(
    r"\b(?:meet(?:ing)? (?:in person|up|you)|schedule (?:a |an )?(?:follow[- ]?up|call|visit|time)|"
    r"(?:email|mail|send) you (?:a |the )?(?:contract|agreement|offer|paperwork)|follow[- ]up call|"
    r"(?:walk|see|visit) the (?:property|land|place|lot)|set up a time|talk again|call you back|"
    r"come (?:out|by|over)|take a look|send it (?:over|to you)|put together an offer|(?:drop|stop|swing) by)\b"
)
# "Is this a good time?" as the recogniser may hear it: "is that a man's time", "it's now a bad time".
_PERMISSION_EXTRA_RE = re.compile(r"\b(?:is|it's) (?:now|this|that|it) (?:a |an )?(?:[\w']+ )?time\b")
_APOLOGY_RE = re.compile(r"\b(?:sorry about that|my apologies|i apologi[sz]e|i didn't mean to|sorry if i)\b")
_PITCH_RE = re.compile(
    r"\b(?:we(?:'ve| have) been in business|our company (?:is|has)|we (?:are|'re) the (?:best|largest|leading|number)|"
    r"we buy (?:houses|land|properties)|a\+ rating|\bbbb\b|hundreds of (?:deals|homes|properties|happy)|"
    r"(?:my|our) (?:team|company) (?:specializes|has closed))"
)
_GOODBYE_RE = re.compile(
    r"\b(?:bye|goodbye|have a (?:good|great|nice|wonderful) (?:day|one|night|evening|weekend)|talk (?:to you )?soon|"
    r"take care|thanks? (?:you )?(?:again |so much |very much )?for (?:your time|talking|the time|speaking|"
    r"chatting)|i'll let you go)\b"
)
PITCH_WORDS = 70


@dataclass(frozen=True)
class TraineeTurn:
    """One trainee turn as the seller hears it."""

    text: str
    word_count: int
    open_questions: int
    closed_questions: int
    topics: frozenset[str]
    offer: int | None
    price_reasons: frozenset[str]
    empathy: bool
    uses_name: bool
    summarises: bool
    introduces: bool
    asks_permission: bool
    follows_up: bool
    next_step: bool
    pushy: bool
    rude: bool
    argues: bool
    pitch: bool
    goodbye: bool
    off_script: bool  # asks whether the seller is a bot, or tries to give the seller instructions
    explains_source: bool = False  # says where they got the seller's name or number

    @property
    def questions(self) -> int:
        return self.open_questions + self.closed_questions


# Domain words a recogniser mishears in a trainee's mouth (tiny.en on the labelled set spoken by espeak-ng, and the
# usual sound-alikes and split words), put back before the turn is read. Only sound-alikes that cannot be meant as
# heard on a call about buying land or a house: nobody sails, loans out or bills the property.
_MISHEARD = tuple(
    (re.compile(pattern, re.IGNORECASE), meant)
    for pattern, meant in (
        (r"\bleons?\b|\bleeways?\b", "liens"),
        (r"\btime,? line\b", "timeline"),
        (r"\bpro[- ]?(?:mate|bait|bate)\b", "probate"),
        (r"\b(?:reorder|realter|real tour|real tor)\b", "realtor"),
        (r"\bsailing\b", "selling"),
        (r"\bsail\b", "sell"),
        (r"\b(?:acers|akers)\b", "acres"),
        (r"\bskeptic\b", "septic"),
        (r"\bloaned\b", "zoned"),
        (r"\b(?:bill|build) ?able\b", "buildable"),
        (r"\bflood ?zone\b", "flood zone"),
        (r"\b(?:do you|you) know anything on\b", "do you owe anything on"),
        (r"\bthoughts of selling\b", "thought to selling"),
    )
)


def repaired(text: str) -> str:
    for pattern, meant in _MISHEARD:
        text = pattern.sub(meant, text)
    return text


def spoken_as_asked(text: str, last_seller_line: str = "") -> str:
    """The turn with a question mark on each sentence that asks something as people say it, so that a transcript
    (or a typed line without punctuation) is read like the question it is."""
    out = []
    seller_topics = _facts_named(last_seller_line.lower().replace("’", "'"))
    for sentence in sentences(text):
        bare = sentence.rstrip(" .!,")
        lowered = bare.lower().replace("’", "'")
        ends = sentence.rstrip()
        asks = not ends.endswith(("?", "!")) and _SPOKEN_ASK_RE.search(lowered) and not _WISH_RE.match(lowered)
        asks = asks and not _TELLS_RE.match(lowered) and not _SOURCE_RE.search(lowered)
        asks = asks or (not ends.endswith(("?", "!")) and _misheard_question(lowered, seller_topics))
        out.append(bare + "?" if asks else sentence)
    return " ".join(out)


# A recogniser loses a question's first words more often than its subject: "Are the utilities hooked up?" comes back
# as "Our utilities hooked up.", "Is the title clear?" as "It's the title clear.", "What's your timeline?" as "Well,
# it's your timeline.". A short sentence that names one of the seller's facts, and neither tells about the caller,
# nor acknowledges what the seller said ("Right, the taxes are behind."), nor does anything else a turn does, is
# heard as the question it was. The price is left out: a seller who names a number because the caller said "worth"
# would be giving away what a question has to earn.
_LEAD_IN_RE = re.compile(r"^(?:(?:so|and|um+|uh+|now|but|also|hey|well)\b[, ]*)*")
_ACKNOWLEDGES_RE = re.compile(
    r"^(?:got it|gotcha|right|perfect|great|good|nice|wow|cool|i see|understood|sure|yes|yeah|okay|ok|alright|"
    r"all right|makes sense|that's|that is|sounds|interesting|oh|honestly|no|not a)\b"
)
# The caller in the sentence: it tells about them ("the well is a plus for me"), or promises ("you won't owe a thing").
_CALLER_TELLS_RE = re.compile(
    r"\b(?:i|i'm|i've|i'd|i'll|me|my|mine|we|we're|we've|we'd|we'll|us|our (?:company|team|offer|firm))\b|"
    r"^you(?:'ll| will| won't| wouldn't| don't have to| never have to)\b"
)
_DOES_SOMETHING_ELSE = (
    REASON_RE,
    INTRO_RE_LOW,
    SUMMARY_RE,
    EMPATHY_RE,
    PRESSURE_RE,
    ARGUE_RE,
    NEXT_STEP_RE,
    FOLLOWUP_RE,
    _PUSHY_EXTRA_RE,
    _NEXT_STEP_EXTRA_RE,
    _SOURCE_RE,
    _GOODBYE_RE,
    _WISH_RE,
    _BOT_RE,
    _RUDE_RE,
    _PITCH_RE,
)
MISHEARD_QUESTION_WORDS = 14


def _facts_named(lowered: str) -> frozenset[str]:
    return frozenset(t for t, rx in TOPIC_RES.items() if t != "price" and rx.search(lowered))


def _misheard_question(lowered: str, seller_topics: frozenset[str]) -> bool:
    """`seller_topics`: the facts the seller's last line named, so that an echo ("three acres, okay") stays one."""
    core = _LEAD_IN_RE.sub("", lowered)
    if not core or len(core.split()) > MISHEARD_QUESTION_WORDS or _ACKNOWLEDGES_RE.match(core):
        return False
    if _CALLER_TELLS_RE.search(core):
        return False
    if parse_amounts(core) or any(rx.search(lowered) for rx in _DOES_SOMETHING_ELSE):
        return False
    return bool(_facts_named(core) - seller_topics)


def read_turn(text: str, seller_first_name: str, last_seller_line: str = "", trainee_name: str = "") -> TraineeTurn:
    text = spoken_as_asked(repaired(text), last_seller_line)
    lowered = " ".join(text.lower().replace("’", "'").split())
    kinds = question_kinds(text)
    count = len(words(lowered))
    offer, reasons = offer_in(lowered)
    name = seller_first_name.lower().strip()
    own_name = trainee_name.lower().strip()
    introduces = bool(REASON_RE.search(lowered) or INTRO_RE_LOW.search(lowered)) or bool(
        own_name and own_name not in ("the caller", "") and re.search(rf"\b{re.escape(own_name)}\b", lowered)
    )
    last_keys = keywords(last_seller_line) if last_seller_line else frozenset()
    follows_up = bool(FOLLOWUP_RE.search(lowered)) or (bool(kinds) and len(last_keys & keywords(lowered)) >= 2)
    return TraineeTurn(
        text=text,
        word_count=count,
        open_questions=kinds.count("open"),
        closed_questions=kinds.count("closed"),
        topics=_topics_asked(lowered),
        offer=offer,
        price_reasons=reasons,
        empathy=EMPATHY_RE.search(lowered) is not None or _APOLOGY_RE.search(lowered) is not None,
        uses_name=bool(name) and re.search(rf"\b{re.escape(name)}\b", lowered) is not None,
        summarises=SUMMARY_RE.search(lowered) is not None,
        introduces=introduces,
        asks_permission=PERMISSION_RE.search(lowered) is not None or _PERMISSION_EXTRA_RE.search(lowered) is not None,
        follows_up=follows_up,
        next_step=NEXT_STEP_RE.search(lowered) is not None or _NEXT_STEP_EXTRA_RE.search(lowered) is not None,
        pushy=PRESSURE_RE.search(lowered) is not None or _PUSHY_EXTRA_RE.search(lowered) is not None,
        rude=_RUDE_RE.search(lowered) is not None,
        argues=ARGUE_RE.search(lowered) is not None,
        pitch=count > PITCH_WORDS or (count > 30 and _PITCH_RE.search(lowered) is not None),
        goodbye=_GOODBYE_RE.search(lowered) is not None,
        off_script=_BOT_RE.search(lowered) is not None or META_RE.search(lowered) is not None,
        explains_source=_SOURCE_RE.search(lowered) is not None,
    )


def _topics_asked(lowered: str) -> frozenset[str]:
    """Topics of the question sentences; a sentence that names a price is about the offer, not the property."""
    found: set[str] = set()
    for text in sentences(lowered):
        if not question_kinds(text) or parse_amounts(text):
            continue
        named = {topic for topic, rx in TOPIC_RES.items() if rx.search(text)}
        if _DESCRIBE_RE.search(text) or (not named and _GENERAL_RE.search(text) and question_kinds(text) == ["open"]):
            named |= {"size", "condition"}
        for clause in _CLAUSE_BREAK_RE.split(text):  # "how long have you had it and why ...": each part counts
            if not any(rx.search(clause) for rx in TOPIC_RES.values()):
                named |= _topics_by_words(clause)
        found |= named
    return frozenset(found)


# Where one question sentence asks a second thing: "..., and how soon", "... or is it".
_CLAUSE_BREAK_RE = re.compile(
    r",\s*|\s+(?:and|or|also|plus)\s+(?=(?:what|what's|how|how's|when|why|where|who|is|are|does|do|did|has|have|"
    r"can|could|would|will|any)\b)"
)


def _topics_by_words(sentence: str) -> set[str]:
    counts = {topic: len(rx.findall(sentence)) for topic, rx in _TOPIC_WORD_RES.items()}
    best = max(counts.values())
    return {topic for topic, count in counts.items() if count == best} if best else set()

"""Reading cues out of transcript text: questions, fillers, acknowledgements and the objections sellers raise.

Shared by the metrics and the rule-based grader so both count a question, a filler or an objection the same way.
Plain regular expressions over lower-cased text: deterministic, and fast enough to run on every call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD_RE = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
# A sentence ends at . ? ! or … followed by space, or at a line break; a leading character class keeps it fast.
_BREAK_RE = re.compile(r"[.?!…]\s+|\n\s*")


def words(text: str) -> list[str]:
    return _WORD_RE.findall(text.lower().replace("’", "'"))


def sentences(text: str) -> list[str]:
    """The sentences of a line, each a verbatim substring of it (so it can be quoted), ending punctuation kept."""
    parts: list[str] = []
    start = 0
    for m in _BREAK_RE.finditer(text):
        cut = m.start() if text[m.start()] == "\n" else m.start() + 1
        piece = text[start:cut].strip()
        if piece:
            parts.append(piece)
        start = m.end()
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    if len(parts) == 1 and not _PUNCT_RE.search(text) and len(text.split()) >= 6:
        return _unpunctuated(parts[0])
    return parts


# Speech written down without punctuation ("sure no rush what would you want for it") still holds sentences: a
# question starts at a question word or an auxiliary followed by "you", after at least two words of something else.
_PUNCT_RE = re.compile(r"[.?!…,;]")
_SPEECH_BREAK_RE = re.compile(
    r"(?<=\w )(?=(?:what|how|when|why|where|who|is there|is it|is anyone|(?:would|could|can|do|did|are|will) you)\b)"
)


def _unpunctuated(text: str) -> list[str]:
    cuts = [m.start() for m in _SPEECH_BREAK_RE.finditer(text) if len(text[: m.start()].split()) >= 2]
    pieces, start = [], 0
    for cut in cuts:
        if len(text[start:cut].split()) >= 2:
            pieces.append(text[start:cut].strip())
            start = cut
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


# -- questions --------------------------------------------------------------------------------------------------

# Discourse markers and polite lead-ins ("Okay, so can I ask why...") hide the word that makes the question open.
_LEAD_RE = re.compile(
    r"^(?:(?:okay|ok|so|and|but|well|alright|all right|great|sure|yeah|yes|now|gotcha|got it|perfect|right|"
    r"um+|uh+|oh|hmm+|i see|wow|i'm curious|just curious|out of curiosity|(?:may|can|could) i ask(?: you)?|"
    r"mind if i ask(?: you)?|if you don't mind me asking|let me ask you|i'd love to know|"
    r"i(?:'d| would) (?:like|love) to (?:know|hear)|i(?:'m| was| am) curious|i'd like to get a sense of|"
    r"i(?:'m| was)? wondering|i wonder)\b[\s,.-]*)+"
)
_INDIRECT_RE = re.compile(r"wonder|curious|ask|(?:like|love) to (?:know|hear)|sense of")
# A name said first ("Frank, what got you thinking about selling?") hides the question word the same way.
_VOCATIVE_RE = re.compile(
    r"^[a-z]+,\s+(?=(?:what|why|how|when|where|who|which|is|are|do|does|did|can|could|would|will|have|has)\b)"
)
_OPEN_RE = re.compile(
    r"^(?:(?:what|why)\b|how\b(?!\s+(?:much|many|long|old|big|far|soon|often)\b)|"
    r"(?:(?:can|could|would|will) you (?:please )?)?(?:tell me|walk me through|talk me through|describe|explain|"
    r"help me understand|share|paint me a picture)\b)"
)
_WH_RE = re.compile(r"^(?:what|why|how|when|where|who|whom|which|whose)(?:'s|'d|'re)?\b\s*(\w+)?")
# Without a question mark, "What I'd like to do is..." is a statement; a wh-word followed by one of these is not.
_WH_QUESTION_NEXT = _wordset(
    "is are was were do does did can could would will should has have had made makes got kind type sort about "
    "much many long soon old big far often happened brings brought come comes came"
)
# Typed without a question mark, a question word still asks when the words after it are not a subject that tells
# ("what I mean is..."): "why sell now", "who else is on the title", "how fast do you need this done".
_TELLING_SUBJECT = r"(?:i|i'm|i've|i'd|we|we're|we've|we'd|you're|you've|it's|that's|they're|he's|she's)\b"
_WH_ASKS_RE = re.compile(
    rf"^(?:why\s+(?!{_TELLING_SUBJECT})\w|(?:what|who|where|how)\s+else\b|"
    rf"(?:what|how|when|where|who|which)\s+(?!{_TELLING_SUBJECT})(?:[\w']+\s+){{1,3}}?"
    r"(?:do|does|did|is|are|was|were|would|will|can|could|should)\s+(?:you|it|there|the|this|that|your|he|she|they)\b)"
)
_AUX_RE = re.compile(
    r"^(?:is|are|was|were|am|do|does|did|can|could|would|will|should|have|has|had|may|might|shall|"
    r"isn't|aren't|wasn't|don't|doesn't|didn't|can't|couldn't|wouldn't|won't|shouldn't|haven't|hasn't)\s+"
    r"(?:you|i|we|they|he|she|it|that|this|there|your|the|anyone|anybody|someone|somebody|everyone|any|now)\b"
)

_INNER_QUESTION_RE = re.compile(
    r"(?<=[\w,] )(?:what|how|when|why|where|who)\b(?: \w+){0,2}? "
    r"(?:do|did|does|would|will|could|can|are|were|have|has) you\b|"
    r"(?<=, )(?:do|did|would|could|can|are|will|have) you\b"
)


def question_kinds(text: str) -> list[str]:
    """'open' or 'closed' for each question sentence in a line.

    A question ends in '?' or opens with a question word. Open ones invite a story (what, why, how, tell me,
    walk me through...); the rest, yes/no questions and those asking for one figure (how much, when, who), are closed.
    """
    kinds = (sentence_kind(sentence) for sentence in sentences(text))
    return [kind for kind in kinds if kind]


def sentence_kind(sentence: str) -> str | None:
    """'open', 'closed' or None (not a question) for one sentence."""
    lowered = sentence.lower().replace("’", "'")
    core = _VOCATIVE_RE.sub("", _LEAD_RE.sub("", lowered).strip())
    if lowered.rstrip().endswith("?"):
        return "open" if _OPEN_RE.match(core) else "closed"
    # "I was wondering what you'd want for it." asks, even without the question mark.
    indirect = _INDIRECT_RE.search(lowered[: len(lowered) - len(core)]) is not None
    # "I'd like to know if there's road access": an indirect yes/no question; "I'd like to get a sense of your
    # timeline": an indirect open one.
    if indirect and core.startswith(("if ", "whether ")):
        return "closed"
    if indirect and core.startswith(("your ", "the ", "about ")):
        return "open"
    wh = _WH_RE.match(core)
    if wh and (
        indirect or "'" in core.split()[0] or (wh.group(1) or "") in _WH_QUESTION_NEXT or _WH_ASKS_RE.match(core)
    ):
        return "open" if _OPEN_RE.match(core) else "closed"
    if _OPEN_RE.match(core) and not core.startswith(("what", "why", "how")):
        return "open"
    if _AUX_RE.match(core):
        return "closed"
    # The recogniser runs a question on from the words before it ("thanks for telling me what did you like about
    # his offer."): question word order ("what did you") inside the sentence still asks.
    inner = _INNER_QUESTION_RE.search(core)
    if inner:
        return "open" if _OPEN_RE.match(core[inner.start() :]) else "closed"
    return None


# -- fillers ----------------------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"[a-z0-9$'-]+|[,.;:!?…]")
_CORE_FILLER_RE = re.compile(r"u+m+|u+h+|e+r+m*")
# Most lines hold no filler at all; one scan rules them out before the token walk.
_ANY_FILLER_RE = re.compile(r"\b(?:u+m+|u+h+|e+r+m*|basically|you know|kind of|sort of|like)\b")
_NOT_FILLER_YOU_KNOW = _wordset("do did don't didn't does doesn't would could if let as whether to will might")
_YOU_KNOW_OBJECT = _wordset("how that if whether anyone anybody about of")
_NOT_FILLER_KIND = _wordset(
    "what that this any some the a which same these those every no one other another your my its our their his "
    "her certain particular best first different"
)
_FILLER_LIKE_BEFORE = _wordset(", . ! ? … um uh erm so and but literally totally was were")
_NUMBER_WORDS = _wordset("one two three four five six seven eight nine ten twenty half")


def filler_counts(text: str) -> tuple[int, int]:
    """(core, soft) fillers in one line. Soft ones are counted only where they carry no meaning.

    One pass over the tokens, looking one word either side: "do you know", "I'd like to", "what kind of" and
    "uh-huh" are not fillers; "you know," "like, five acres" and "it's kind of far" are.
    """
    lowered = text.lower().replace("’", "'")
    if not _ANY_FILLER_RE.search(lowered):
        return 0, 0
    tokens = _TOKEN_RE.findall(lowered)
    core = soft = 0
    last = len(tokens) - 1
    for i, word in enumerate(tokens):
        before = tokens[i - 1] if i else ""
        after = tokens[i + 1] if i < last else ""
        if word[0] in "ue" and _CORE_FILLER_RE.fullmatch(word):
            # "uh huh" written with a space is a backchannel, not a filler.
            core += not (word.startswith("u") and after == "huh")
        elif word == "basically":
            soft += 1
        elif word == "you" and after == "know":
            object_word = tokens[i + 2] if i + 2 <= last else ""
            if (
                before not in _NOT_FILLER_YOU_KNOW
                and not before.endswith(("'ll", "'d"))
                and object_word not in _YOU_KNOW_OBJECT
            ):
                soft += 1
        elif word in ("kind", "sort") and after == "of":
            soft += before not in _NOT_FILLER_KIND
        elif word == "like":
            soft += (
                not before
                or before in _FILLER_LIKE_BEFORE
                or after == ","
                or after in _NUMBER_WORDS
                or after[:1].isdigit()
                or after[:1] == "$"
            )
    return core, soft


# -- acknowledgements -------------------------------------------------------------------------------------------

_BACKCHANNEL_WORDS = _wordset(
    "uh-huh uh huh mm-hmm mhm mm hmm yeah yes yep yup right okay ok sure got it gotcha i see oh wow ah alright "
    "all true exactly totally absolutely cool nice great good"
)


def is_acknowledgement(text: str) -> bool:
    """A short backchannel ("uh-huh", "yeah", "right", "okay") that does not take the turn from the seller."""
    tokens = words(text)
    return 0 < len(tokens) <= 4 and all(t in _BACKCHANNEL_WORDS for t in tokens)


# Phrases that acknowledge what the seller said: the first half of a good answer to an objection.
ACK_RE = re.compile(
    r"\b(?:i (?:completely |totally |fully |really |can )?(?:understand|get (?:it|that))|understandable|"
    r"(?:that |it )?makes (?:total |complete |a lot of )?sense|fair enough|that's (?:totally |completely )?fair|"
    r"fair (?:point|question)|i hear (?:you|that|ya)|no (?:rush|hurry|pressure|worries)|not surprised|good for you|"
    r"i (?:figured|bet)|(?:i |totally |i totally )get (?:it|that|why)|"
    r"that's (?:totally |completely |perfectly |absolutely )?"
    r"(?:useful|helpful|smart|common|fine|okay|ok|reasonable|sensible|understandable|normal)|"
    r"smart to|done your homework|of course|that sounds (?:\w+ )?(?:hard|tough|frustrating|difficult|stressful|"
    r"exhausting)|that must be|i get why you'd|i'd feel the same|i would feel the same|i'd be the same|"
    r"i can see why|i appreciate (?:that|you|it)|good question|great question|i respect that|"
    r"(?:that's|that is) a (?:great|good|fair|real|reasonable|sensible|smart)"
    r" (?:point|concern|choice|option|idea|plan)|"
    r"i'm sorry|sorry to hear|no wonder|"
    r"(?:totally|completely|fully) understand|understood|"
    r"thanks? (?:you )?for (?:sharing|telling|being|letting|mentioning|bringing)|"
    r"no problem at all|"
    r"glad you (?:told|asked|mentioned)|good to know|i get why|i'd (?:ask|wonder|be careful|want to know)|"
    r"i'd expect that|(?:that's|totally|very) fair|fair to ask|(?:good|fair) (?:thing|question) to ask|"
    r"(?:that )?happens (?:a lot|all the time)|more common than you'd think|(?:it|that) has gone up|you're right|"
    r"(?:meant|means) a (?:lot|great deal))\b"
)


# -- objections -------------------------------------------------------------------------------------------------

# The objections from acquisition-calls.md and the cues (alternatives of one regular expression) that show each in a
# seller line. Persona patterns are mapped onto these by running the cues on the pattern text itself.
_PAPERWORK_CUES = (
    r"paperwork|hassle|red tape|complicated|headache|too much work|deal with (?:all )?(?:that|this|the)|"
    r"\bforms\b|documents|(?:pile|stack|mountain) of"
)
OBJECTION_CUES: dict[str, str] = {
    "Your offer is insulting": (
        r"insult|low ?-?ball|too low|a joke|ridiculous|offensive|laughable|slap in the face|robbery|"
        r"rip (?:me )?off|ripoff|steal it|way low|peanuts|that's nothing|worth (?:twice|double)|"
        r"more than you(?:'ll| will| would)? (?:pay|offer)|for what you (?:\w+ )?(?:pay|offer)|"
        r"(?:always|usually) (?:offer|come in|"
        r"pay) (?:\w+ )?(?:low|less|peanuts)|"
        r"come in too low"
    ),
    "It's worth much more, I looked online": (
        r"worth (?:a lot |much |way |far )?more|worth at least|zillow|redfin|land ?watch|looked (?:it )?(?:up )?online|"
        r"looked it up|apprais|assess|tax value|comps\b|comparable|sold for|"
        r"(?:looked|look|saw|seen|see|checked|check|says|said|listed|going|goes|go|sell|selling|"
        r"worth) (?:\w+ ){0,4}online|"
        r"online (?:it |they )?(?:says|said|shows|listed|it's|for|at|values?|prices?)|listed (?:around|at|for)|"
        r"\blist for\b|on the (?:internet|web)|(?:web)?sites? (?:say|says|said|show|shows|list)"
    ),
    "I'm not in a hurry": (
        r"(?:no|not in a|in no|not in any) (?:hurry|rush)|don't (?:need|have) to sell|not desperate|take my time|"
        r"can wait|not going anywhere|happy to hold|sit on it"
    ),
    "I need to talk to my wife / my brothers": (
        r"(?:talk|speak|check|discuss|run|ask|consult)\b.{0,25}\b(?:wife|husband|spouse|brothers?|sisters?|"
        r"siblings|kids|children|family|heirs|partner|son|daughter|mom|mother|dad|father)|"
        r"not (?:just|only) my decision|(?:have|need|got) to (?:talk|speak|check) (?:to|with) (?:him|her|them)|"
        r"(?:wife|husband|spouse|\bex|brother|sister|kids|family|partner|son|daughter)(?:'s| has|"
        r" have) got to (?:agree|sign)|"
        r"sign off on|my decision alone|talk (?:it|this|that) over|(?:and i|we) (?:haven't|have not) decided|"
        r"(?:talk|run) it (?:over |by )(?:with )?(?:him|her|them)|"
        r"(?:wife|husband|spouse|ex|ex-husband|ex-wife|brothers?|sisters?|kids|family|partner) (?:has|have|needs?|"
        r"would have|will have) to (?:agree|sign|approve|be on board)|"
        r"(?:all|everyone|both of us|we both|they all) (?:have|has|need|needs) to (?:agree|sign)"
    ),
    "How did you get my number?": (
        r"(?:get|got|find|found) (?:my|this|our) (?:number|info|information|name|address)|how(?:'d|"
        r" did) you (?:find|reach)|"
        r"who gave you|on a list|what list"
    ),
    "Are you a scam? Who are you with?": (
        r"scam|fraud|con artist|who are you with|what company|who do you work for|which company|\blegit|"
        r"never heard of|how do i know|trust you|are you (?:even )?(?:a )?real|real company|fishy|too good to be true"
    ),
    "Another investor offered more": (
        r"(?:another|other|different) (?:investor|buyer|company|offer)|offered (?:me )?more|"
        r"(?:better|higher|bigger) offer|(?:someone|somebody) else (?:offered|wants)|"
        r"(?:got|had|has|have) (?:an|another) offer|outbid|another (?:guy|man|woman|outfit)|"
        r"(?:guy|someone|somebody|company|investor) (?:who |that )?offered|other offer|an offer for|"
        r"(?:get|got) offers|offers? (?:every|all the time)|on the table|already (?:got|have|had) (?:an|one|a)"
    ),
    "I'll list it with an agent": (
        r"list (?:it|the)|listing|realtor|\bagent\b|\bmls\b|on the market|for sale by owner|sell it myself"
    ),
    "It's been in the family for generations": (
        r"generations|in (?:the|our|my) family|family land|(?:passed|handed) down|"
        r"grand ?(?:father|pa|mother|ma|parents|dad|daddy)|great-grand|sentimental|homestead|memories|"
        r"(?:daddy|dad|father|papa|mama|mom|mother)'s (?:land|farm|place|ground|property)"
    ),
    "There are back taxes / a lien, is that a problem?": (
        r"back taxes|taxes (?:are )?owed|owe (?:some |a lot of |the )?(?:back )?taxes|\bliens?\b|tax sale|"
        # Probate is a title problem, unless the seller's worry in that line is the paperwork it brings.
        r"delinquent|behind on (?:the )?taxes|judgment|title (?:problem|issue)|\bowed\b|"
        rf"^(?!.*(?:{_PAPERWORK_CUES})).*probate|"
        r"\bowe (?:on|money|about|around|some|a few|\$|\d)"
    ),
    "I don't want to deal with paperwork": _PAPERWORK_CUES,
    "Send me something in writing": (
        r"in writing|send me (?:something|a letter|some information|info|the offer|an offer|your offer)|on paper|"
        r"mail (?:it to )?me|look it over|in the mail|by mail"
    ),
    "Call me back in six months": (
        r"call (?:me )?back (?:in|next|after|later|some)|\b(?:six|few|couple(?: of)?|\d+) months\b|next year|"
        r"not right now|bad time|busy right now|maybe later|some other time|down the road|not ready|"
        r"after the holidays|come back later|(?:call|try|ring|reach) me (?:back )?(?:in|next|after|later|this|on|"
        r"tomorrow|some)\b|i'm at work|fixing to (?:go|leave)|on my way out"
    ),
}
COMMON_OBJECTIONS: tuple[str, ...] = tuple(OBJECTION_CUES)
_CUE_RES = {name: re.compile(cues) for name, cues in OBJECTION_CUES.items()}

_STOPWORDS = _wordset(
    "a an the i i'm im me my you your we our it it's its is are was be to of in on for with and or but not no that "
    "this they he she her his them at as by from so if do does did don't have has had will would can could should "
    "just about what who how why when where much more very really want wants need needs think thinks seller owner "
    "says say said too get got there their is that's objection worried"
)
_SUFFIXES = ("ing", "ed", "es", "s", "ly")


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    word = word.replace("'s", "")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def keywords(text: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in words(text) if w not in _STOPWORDS and len(w) > 2)


def objection_matchers(patterns: Sequence[str]) -> list[tuple[str, Callable[[str], bool]]]:
    """For each pattern, a test for seller text that is already lower-cased with straight apostrophes.

    A pattern that names one of the common objections (its text trips that objection's cues, or equals its
    phrase) is matched through the cue table; any other pattern falls back to most of its own keywords. The
    fallback is not used for known patterns because two everyday words ("family land") match too much.
    """
    matchers: list[tuple[str, Callable[[str], bool]]] = []
    for pattern in dict.fromkeys(p for p in patterns if p.strip()):
        lowered = pattern.lower().replace("’", "'")
        cue_res = tuple(rx for name, rx in _CUE_RES.items() if name.lower() == lowered or rx.search(lowered))
        needed = keywords(pattern) if not cue_res else frozenset()
        # Most, not all, of the pattern's words: sellers paraphrase; but one shared word of several matches too much.
        need = len(needed) if len(needed) < 2 else max(2, -(-len(needed) * 6 // 10))
        matchers.append((pattern, _matcher(cue_res, needed, need)))
    return matchers


def _matcher(cue_res: tuple[re.Pattern[str], ...], needed: frozenset[str], need: int) -> Callable[[str], bool]:
    def matches(lowered: str) -> bool:
        if any(rx.search(lowered) for rx in cue_res):
            return True
        return bool(needed) and len(needed & keywords(lowered)) >= need

    return matches

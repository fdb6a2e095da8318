"""A persona fact as the seller would say it: notes written about the persona ("he says he could keep it forever")
turned into first-person speech ("I could keep it forever"), and a line made a sentence.

Pure string work, no I/O. The brain fills `lines`' templates with what this returns.
"""

from __future__ import annotations

import re

from desktop.core.personas import Persona

_VERB_FIXES = {"is": "am", "has": "have", "does": "do", "was": "was", "says": "say", "isn't": "am not"}
_VERBS_AFTER_AND = frozenset(
    "is has does wants needs likes hopes keeps plans says works lives asks pays moves sees thinks owns".split()
)
_BARE_VERB_START = re.compile(
    r"^(wants|would|needs|can't|cannot|could|will|won't|plans|hopes|likes|has|had|is|saw|bought|paid|got|"
    r"inherited|relocated|moved|lives|works|owes)\b"
)
_STATE_START = re.compile(r"^(tired|behind|done|ready|busy|retired|worried|moving|trying|looking|hoping)\b")
_HER_AS_OBJECT = re.compile(r"\bher\b(?=\s+(?:with|to|for|about|on|in|at|that|and|from)\b|\s*[,.;]|\s*$)")
# "promised his brother he would not sell without his agreement": the last "his" is the brother's.
_OTHER_PERSONS_CONSENT = re.compile(r"\b(?:his|her) (agreement|okay|blessing|signature|say-so)\b")


def first_person(note: str, persona: Persona) -> str:
    """A fact written about the persona ("he says he could keep it forever") as they would say it ("I could keep it
    forever"). Rules for the way persona notes are written; anything unusual is left as written."""
    text = " ".join(note.split())
    names = sorted({persona.name, persona.first_name} - {""}, key=len, reverse=True)
    name_rx = "(?:" + "|".join(re.escape(n) for n in names) + ")"
    consent: list[str] = []
    # "Marlene wants her half": a pronoun right after someone else's name and verb is theirs, not the persona's.
    someone_elses = re.compile(rf"\b(?!{name_rx}\b)[A-Z][a-z]+ \w+s (?:his|her)\b")
    for rx in (_OTHER_PERSONS_CONSENT, someone_elses):
        text = rx.sub(lambda m: consent.append(m.group(0)) or f"\x00{len(consent) - 1}\x00", text)
    text = re.sub(rf"\b{name_rx}'s\b", "my", text)
    text = re.sub(rf"\b{name_rx} alone\b", "just me", text)
    text = re.sub(rf"\b{name_rx} and (?:his|her|their) ", "me and my ", text)
    text = re.sub(rf"\b{name_rx}\b(?=\s*[,;]|\s*$)", "me", text)
    text = re.sub(rf"\b{name_rx}\b", "I", text)
    text = re.sub(r"\b(?:he|she) says (?:that )?", "", text)
    text = re.sub(r"\b(?:he|she)\b", "I", text)
    text = re.sub(r"\bhimself\b|\bherself\b", "myself", text)
    text = re.sub(r"\bhim\b", "me", text)
    text = re.sub(r"\bhis\b", "my", text)
    text = _HER_AS_OBJECT.sub("me", text)
    text = re.sub(r"\bher\b", "my", text)
    segments = [_first_person_segment(seg.strip()) for seg in text.split(";")]
    text = "; ".join(seg for seg in segments if seg)
    text = re.sub(r"\bI am\b", "I'm", text)
    text = re.sub(r"\x00(\d+)\x00", lambda m: consent[int(m.group(1))], text)
    return text


def _first_person_segment(segment: str) -> str:
    if _STATE_START.match(segment):
        segment = "I'm " + segment
    elif _BARE_VERB_START.match(segment):
        segment = "I " + segment
    if not re.search(r"\bI\b", segment):
        return segment
    segment = re.sub(r"\bI (\w+'?\w*)\b", lambda m: "I " + _base_form(m.group(1)), segment)
    return re.sub(
        r"\band (\w+)\b",
        lambda m: "and " + (_base_form(m.group(1)) if m.group(1) in _VERBS_AFTER_AND else m.group(1)),
        segment,
    )


def _base_form(verb: str) -> str:
    if verb in _VERB_FIXES:
        return _VERB_FIXES[verb]
    if len(verb) > 3 and verb.endswith(("ches", "shes", "sses", "xes", "oes")):
        return verb[:-2]
    if len(verb) > 3 and verb.endswith("s") and not verb.endswith(("ss", "us", "is")):
        return verb[:-1]
    return verb


def sentence(text: str) -> str:
    """Capitalised, ending in a full stop unless it already ends a sentence."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".?!" else text + "."

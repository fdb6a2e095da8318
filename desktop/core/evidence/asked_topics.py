"""What a trainee's question asks about, in the trade's fine topics (the acres, the road, a well, the taxes, who
decides...): the rule-played seller reads them to answer with the fact asked for, and the grader reads a measured
part of them (`DISCOVERY_TOPICS`) as the discovery topics of the rubric, so both hear a question the same way.
Patterns run on lower-cased text with straight apostrophes. Pure.
"""

from __future__ import annotations

import re

# A well for water, not the "well" that opens a sentence ("Well, how big is it?") or ends one ("as well").
WATER_WELL = r"(?:a|the|any|your|its|on|private|drilled|shared|community|own|water) wells?\b|\bwells\b|\bwell water"
# What a trainee can ask the seller about; each maps to the persona fact (or the price logic) that answers it.
TOPIC_PATTERNS: dict[str, str] = {
    "motivation": (
        r"why (?:are you|would you|do you|sell|now|did you|is that)|"
        r"what(?:'s| has| had| have| made| makes| got| is)\b.{0,24}"
        r"\b(?:thinking|considering|selling|sell|interested|looking|prompting|behind)|reason|motivat|how come|"
        r"your situation|what's going on|plans? (?:for|are for) (?:the|it|this)|what your plans are|"
        r"open to (?:selling|an offer)|what happened|thought (?:to|about|of) selling|consider(?:ing)? selling|"
        r"interested in selling|what would (?:selling|that|a sale) (?:it )?(?:do|to|mean) for you|do with the money|"
        r"still use|(?:thinking|thought) (?:about|of|to) sell|"
        r"why (?:you'd|you would|you'd want to) sell|"
        r"want(?:ed)? to sell|why sell|ready to sell|got you open"
    ),
    "timeline": (
        r"timeline|time ?frame|how soon|how quickly|how fast|by when|deadline|when (?:would|do|are|were|could) you|"
        r"in a hurry|in a rush|\brush\b|what happens if (?:it |you )?(?:doesn't|does not|don't|can't|never)\b|"
        r"wrapped up|"
        r"off your plate|how (?:fast|soon|quick) do you need|(?:want|like|hoping|need) to close|"
        r"by a (?:certain|specific) date|"
        r"closing in \w+ (?:days|weeks)|\w+ days work|too soon|when would you|your timing|hoping to sell"
    ),
    "size": r"\bacre|acreage|how big|how large|\bsize|square f|sq\.? ?ft|bedroom|bath|\bunits?\b|dimensions|lot size",
    "access": (
        r"access|\broads?\b|driveway|easement|get (?:to|into|in to) (?:it|the)|get in\b|frontage|"
        r"how (?:do|would|can|could|does) (?:you|i|we|one|someone) get (?:to |into |in )?(?:it|there|the)\b|"
        r"(?:drive|ride|pull|get) (?:right )?(?:up to|in)\b|paved|gravel"
    ),
    "utilities": rf"utilit|\bpower\b|electric|\bwater\b|{WATER_WELL}|septic|sewer|\bgas\b|hooked up",
    "zoning": r"zon(?:e|ed|ing)|\bbuild\b|buildable|permit|flood",
    "condition": (
        r"condition|shape|repair|\broof|foundation|furnace|kitchen|damage|\bfix|work (?:does it|it) need|"
        r"improve|structure|fence|timber|trees|what's on (?:it|the)|look like|describe|(?:it|the \w+) like\b"
    ),
    "taxes": r"\btax|\bliens?\b|\bowe\b|owed|mortgage|behind on|\bdebt|\bfines?\b|payments?|taxes are current",
    "title": r"\btitle\b|\bdeed\b|probate|whose name|in your name|executor|succession",
    "decision": (
        r"(?:anyone|anybody|someone) else\b(?!.{0,20}\b(?:made|offer|interested|calling|call|buy))|who else|"
        r"decision|decide|sign off|approve|co-?owner|(?:only|sole|other) owners?|owns? it with|besides you|"
        r"on the (?:title|deed)|\bhave a say|want a say|have to agree|on your own|need to sign|"
        r"your (?:wife|husband|spouse|brothers?|sisters?|siblings|family|kids|children|partner|son|daughter)|heirs|"
        r"\bjust (?:you|yourself)\b|\byou alone\b"
    ),
    "price": (
        r"\bprice|number in mind|what (?:would|do|are) you (?:want|need|hope|hoping|expect|looking|take)|"
        r"what you(?:'d| would) (?:want|take|need|ask)|want for it|"
        r"how much (?:would|do|are|did|is)|\basking\b|worth|ballpark|figure|what would it take|"
        r"(?:make|makes) (?:it|this) (?:fair|work)|what would you (?:sell|let it go) for|what number|have in mind|"
        r"what (?:are|were) you (?:hoping|looking|thinking) (?:to get|for)"
    ),
    "offers": (
        r"other (?:offers?|buyers?|investors?)|any (?:other )?offers|anyone else (?:offer|interested|made)|"
        r"(?:made|make) (?:you )?an offer|realtor|\bagent\b|listed|listing|investors? (?:calling|call)"
    ),
    "paid": (
        r"you pay|paid for|bought it|purchase price|when did you (?:buy|get)|inherit|"
        r"how long (?:have|has|did) (?:you|your family) (?:owned|had|have|own|kept)\b"
    ),
}

TOPIC_RES = {name: re.compile(pattern) for name, pattern in TOPIC_PATTERNS.items()}

# The fine topics the grader also credits, as the rubric's discovery topic each belongs to. Measured one group at a
# time on the labelled calls (benchmarks/grading_agreement.py): these moved no labelled band the wrong way, and
# read the topic of more of the seller's labelled trainee questions (tests/partner/seller_turns.py). Motivation,
# price and title are left to the rubric's own cues: the seller's wider ones ("reason", "worth", "listed") cost
# labelled bands, since a grade must not credit what the seller may charitably answer.
DISCOVERY_TOPICS = {
    "timeline": "timeline",
    "decision": "decision",
    **{fine: "property" for fine in ("size", "access", "utilities", "zoning", "condition", "taxes")},
}


def discovery_topics(lowered: str) -> set[str]:
    """The rubric's discovery topics a lower-cased question asks about, as the seller's finer cues read it."""
    return {topic for fine, topic in DISCOVERY_TOPICS.items() if TOPIC_RES[fine].search(lowered)}

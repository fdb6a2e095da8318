"""How the rule-played seller raises an objection and takes the caller's answer to it: several wordings of each
catalogue objection (written so the grader's objection cues, `textcues.OBJECTION_CUES`, recognise them), and the
reactions when it comes up again, is handled, half handled or argued with. Pure data; `objections.ObjectionPlan`
decides when.
"""

from __future__ import annotations

from desktop.core.personas import OBJECTION_LINES
from desktop.partner.seller.first_person import sentence
from desktop.partner.seller.lines import Variants

OBJECTION_VARIANTS: dict[str, Variants] = {
    "price too low": (
        OBJECTION_LINES["price too low"],
        "Your offer's way too low, honestly.",
        "That number's a joke. Way too low.",
    ),
    "worth more online": (
        OBJECTION_LINES["worth more online"],
        "I looked it up online, and it's worth far more than that.",
        "Zillow says it's worth a lot more, you know.",
    ),
    "not in a hurry": (
        OBJECTION_LINES["not in a hurry"],
        "I should tell you, I'm in no rush here.",
        "I don't have to sell, you know. I can wait.",
    ),
    "wants to talk to family": (
        OBJECTION_LINES["wants to talk to family"],
        "I can't decide this alone. I need to talk to my family.",
        "I'd need to run it by my family before anything.",
    ),
    "how did you get my number": (
        OBJECTION_LINES["how did you get my number"],
        "Hold on. Who gave you my number?",
        "First tell me how you got my number.",
    ),
    "is this a scam": (
        OBJECTION_LINES["is this a scam"],
        "How do I know this isn't a scam?",
        "What company are you with, exactly? I've never heard of you.",
    ),
    "has another offer": (
        OBJECTION_LINES["has another offer"],
        "I've had another offer, and it was better than this.",
        "Somebody else offered me more, you know.",
    ),
    "will list with an agent": (
        OBJECTION_LINES["will list with an agent"],
        "Maybe I should just list it with a realtor.",
        "Why wouldn't I just put it on the market with an agent?",
    ),
    "family land": (
        OBJECTION_LINES["family land"],
        "It's family land. My grandfather bought it.",
        "There are a lot of memories there. It's been in the family a long time.",
    ),
    "back taxes or lien": (
        OBJECTION_LINES["back taxes or lien"],
        "I should say, there are back taxes owed. Does that kill the deal?",
        "There's a lien on it too. Is that a problem for you?",
    ),
    "paperwork hassle": (
        OBJECTION_LINES["paperwork hassle"],
        "I can't deal with a lot of paperwork and hassle.",
        "This sounds like a headache. I don't want the hassle.",
    ),
    "send it in writing": (
        OBJECTION_LINES["send it in writing"],
        "Put it in writing and I'll look it over.",
        "Send me something in writing first.",
    ),
    "call back later": (
        OBJECTION_LINES["call back later"],
        "It's not a good time. Call me back later.",
        "Maybe call me back in a few months.",
    ),
}
RAISED_AGAIN_PREFIXES: Variants = ("Like I said, ", "I keep coming back to this: ", "I'm still stuck on it: ")
OBJECTION_SOFTENED: Variants = (
    "Okay. That's fair, I suppose.",
    "Hm. Alright, that makes me feel a little better.",
    "Well, I appreciate you asking about it.",
    "Okay, I can live with that for now.",
    "Fair enough.",
)
OBJECTION_PARTLY: Variants = ("Hm. Maybe.", "We'll see.", "I suppose.", "If you say so.")
OBJECTION_DUG_IN: Variants = (
    "No, I don't think you're hearing me.",
    "Don't argue with me about it.",
    "I know what I know.",
    "You're not listening.",
)


def objection_variants(label: str) -> Variants:
    """Ways to raise an objection: the catalogue's, or the persona's own wording as written."""
    if label in OBJECTION_VARIANTS:
        return OBJECTION_VARIANTS[label]
    return (sentence(OBJECTION_LINES.get(label, label)),)

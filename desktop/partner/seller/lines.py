"""What the rule-played seller says: short phone lines, several ways each, by what they answer or react to.

Pure data, no I/O. The brain (`brain`) decides what to say; these tables how (a persona's facts are put in the first
person by `first_person`, objections are worded in `objection_lines`). Every category has several variants so a call
never repeats a line.
"""

from __future__ import annotations

Variants = tuple[str, ...]

# --- answers about the property and the seller's situation -------------------------------------------------------

# Topic -> persona fact label(s) that answer it. Open topics are shared with anyone; the rest need trust first.
TOPIC_FACTS: dict[str, tuple[str, ...]] = {
    "size": ("size",),
    "access": ("access",),
    "utilities": ("utilities",),
    "zoning": ("zoning",),
    "condition": ("condition",),
    "taxes": ("taxes_and_liens",),
    "title": ("title",),
    "decision": ("decision_makers",),
    "timeline": ("timeline",),
    "motivation": ("why_selling",),
    "offers": ("other_offers",),
    "paid": ("paid",),
}
OPEN_TOPICS = frozenset({"size", "access", "utilities", "zoning", "condition"})

FACT_TEMPLATES: dict[str, Variants] = {
    "size": ("It's {fact}.", "Well, it's {fact}.", "{Fact}.", "Let's see, it's {fact}."),
    "access": ("Access is {fact}.", "There's {fact}.", "Getting there? {Fact}.", "As for the road, {fact}."),
    "utilities": ("Utilities? {Fact}.", "As far as utilities, {fact}.", "{Fact}.", "Let's see, {fact}."),
    "zoning": ("It's {fact}.", "Zoning is {fact}, last I checked.", "Far as I know, {fact}."),
    "condition": ("Honestly, {fact}.", "Condition-wise, {fact}.", "Well, {fact}.", "I won't lie to you: {fact}."),
    "taxes": ("{Fact}.", "Since you ask, {fact}.", "Taxes? {Fact}.", "I'll be straight with you: {fact}."),
    "title": ("{Fact}.", "As for the title, {fact}.", "On the paperwork side, {fact}."),
    "decision": ("{Fact}.", "It's {fact}.", "Decision-wise, {fact}.", "Who decides? {Fact}."),
    "timeline": ("{Fact}.", "Timing-wise, {fact}.", "As for timing, {fact}.", "When? {Fact}."),
    "motivation": ("Honestly? {Fact}.", "Well, {fact}.", "The truth is, {fact}.", "Why? {Fact}."),
    "offers": ("{Fact}.", "Well, {fact}.", "Since you ask, {fact}."),
    "paid": ("I paid {fact}.", "It was {fact}.", "{Fact}."),
}
# What a willing seller offers unasked, when the caller's turn gave them nothing to answer.
VOLUNTEER_TEMPLATES: dict[str, Variants] = {
    "motivation": ("I'll be honest with you about why I'd sell: {fact}.", "Truth is, {fact}."),
    "timeline": ("As for timing, {fact}.", "And timing-wise, {fact}."),
    "taxes": ("I should mention, {fact}.", "You should know, {fact}."),
    "decision": ("And for what it's worth, it's {fact}.", "Oh, and as far as who decides, {fact}."),
}
PERMISSION_ANSWERS: dict[str, Variants] = {
    "friendly": ("Sure, I've got a few minutes.", "Oh, that's fine. What's this about?"),
    "skeptical": ("I guess. What's this about?", "Depends. What do you want?"),
    "aggressive": ("Make it quick.", "You've got two minutes."),
    "cooperative": ("Sure, go ahead.", "Yes, I have a few minutes."),
}
# An open question the facts do not cover ("what would that mean for you?") gets an answer in the persona's mood.
OPEN_ANSWERS: dict[str, Variants] = {
    "low": (
        "I don't know. I've never really thought about it much.",
        "Honestly, it's not something that keeps me up at night.",
        "Hard to say. It's just sort of there.",
    ),
    "medium": (
        "Well, it'd be one less thing to think about.",
        "It would simplify things, I suppose.",
        "I've been going back and forth on it, to be honest.",
    ),
    "high": (
        "Honestly? It would take a real weight off my shoulders.",
        "It would mean I could finally move on.",
        "It would help more than you know.",
    ),
}

FALLBACK_FACTS: dict[str, dict[str, Variants]] = {
    "timeline": {
        "low": ("I'm in no rush at all.", "No timeline. I could hang on to it for years."),
        "medium": ("Sometime this year would be nice, but I'm not desperate.", "No hard deadline, really."),
        "high": ("Sooner rather than later, honestly.", "The sooner the better, to be honest."),
    },
    "motivation": {
        "low": ("I'm not sure I want to sell at all.", "Only if the money made sense."),
        "medium": ("It's just not doing much for me anymore.", "I've been thinking about it for a while."),
        "high": ("I just need to be done with it.", "It's become more trouble than it's worth."),
    },
    "decision": {"any": ("It's my call.", "That would be me.")},
    "zoning": {"any": ("Honestly, I'm not sure how it's zoned.", "You'd have to check with the county on zoning.")},
    "title": {"any": ("Title's fine as far as I know.", "It's in my name, no problems I know of.")},
    "taxes": {"any": ("Taxes are paid, as far as I know.", "Nothing owed that I know of.")},
    "offers": {"any": ("Just letters in the mail, nothing serious.", "A few postcards. I ignore most of them.")},
    "paid": {"any": ("That's between me and my accountant.", "I'd rather not say what I paid.")},
    "access": {"any": ("There's a road to it. You can get there fine.", "Access is fine, there's a road.")},
    "utilities": {"any": ("I'd have to check on the utilities.", "Not sure about utilities, to be honest.")},
    "condition": {"any": ("It's in okay shape for what it is.", "Nothing fancy, but it's fine.")},
}

EVASIONS: dict[str, Variants] = {
    "friendly": (
        "Oh, that's kind of a long story.",
        "Let's not get into all that just yet.",
        "Ha, maybe I'll tell you once I know you a little better.",
        "That's a bit personal, if you don't mind.",
    ),
    "skeptical": (
        "Why do you need to know that?",
        "I'd rather not say, to a stranger.",
        "That's my business, isn't it?",
        "Let's say I have my reasons.",
    ),
    "aggressive": (
        "That's none of your business.",
        "Why would I tell you that?",
        "Don't worry about that.",
        "Not something I'm going to get into with you.",
    ),
    "cooperative": (
        "I'd rather hold off on that for now.",
        "Let's come back to that one.",
        "I'll get into that once I know more about you.",
        "I'm not ready to go into that yet.",
    ),
}

# A guarded question the seller will not answer yet is still answered on its topic: the evasion names what it
# withholds ("Who decides? That's my business"), so the trainee knows they were heard and what to earn.
EVADED_TOPICS: dict[str, str] = {
    "motivation": "why i'd sell",
    "timeline": "my timing",
    "decision": "who decides",
    "taxes": "the taxes",
    "title": "the paperwork",
    "offers": "other offers",
    "paid": "what i paid",
}
TOPIC_EVASIONS: dict[str, Variants] = {
    "friendly": (
        "Oh, {about}, that's kind of a long story.",
        "Let's not get into {about} just yet.",
        "Ha, maybe I'll tell you about {about} once I know you a little better.",
    ),
    "skeptical": (
        "Why do you want to know about {about}?",
        "I'd rather not get into {about} with a stranger.",
        "{About}? That's my business, isn't it?",
    ),
    "aggressive": (
        "{About}? None of your business.",
        "Why would I talk to you about {about}?",
        "Don't worry about {about}.",
    ),
    "cooperative": (
        "I'd rather hold off on {about} for now.",
        "Let's come back to {about}.",
        "I'll get into {about} once I know more about you.",
    ),
}


def topic_evasions(style: str, topic: str) -> Variants:
    about = EVADED_TOPICS.get(topic)
    if about is None:
        return EVASIONS.get(style, EVASIONS["friendly"])
    shown = about.replace("i'd", "I'd").replace("what i", "what I")
    variants = TOPIC_EVASIONS.get(style, TOPIC_EVASIONS["friendly"])
    return tuple(v.replace("{about}", shown).replace("{About}", shown[0].upper() + shown[1:]) for v in variants)


# --- reactions to technique --------------------------------------------------------------------------------------

REACTIONS: dict[str, Variants] = {
    "empathy": ("I appreciate that.", "Thank you for saying that.", "That's kind of you.", "Well, thanks."),
    "summary": ("Yes, that's about right.", "That's it exactly.", "Yeah, you've got it.", "That's fair to say."),
    "intro": ("Okay.", "Alright.", "Oh, okay.", "Hm, okay."),
    "pushy": (
        "Don't rush me.",
        "I don't like being pressured.",
        "Slow down. I'm not deciding anything today.",
        "Whoa, easy. Nobody's in a hurry here but you.",
    ),
    "rude": (
        "There's no need to talk to me like that.",
        "Excuse me? Watch your tone.",
        "I don't appreciate that.",
        "Hey, be civil.",
    ),
    "pitch": (
        "I don't need the whole sales pitch.",
        "That's a lot of talking.",
        "Okay, okay, I get it, you buy property.",
        "You sound like a commercial.",
    ),
    "talked_over": ("Let me finish, please.", "Can I finish?", "You cut me off.", "Hold on, I wasn't done."),
    "lowball": (
        "That's way too low. It's an insulting number.",
        "That's a lowball, and you know it.",
        "That's a joke, right? Way too low.",
        "Too low. Honestly, that's insulting.",
    ),
    "repeat": ("You already asked me that.", "I just told you that.", "Weren't you listening?", "Like I said."),
    "off_script": (
        "What? I'm just a person trying to figure out what to do with my property.",
        "I don't know what that means. Are we talking about my property or not?",
        "Huh? You're a strange one. What is it you want?",
        "I'm not sure what you're getting at.",
    ),
}

NO_QUESTION: dict[str, Variants] = {
    "friendly": ("Mm-hm. What else can I tell you?", "Okay. So what did you have in mind?", "Sure, go on."),
    "skeptical": ("And? What is it you want?", "Okay. Get to the point.", "Mm-hm. So what's your offer?"),
    "aggressive": ("Get to the point.", "So what do you want?", "Okay. And?"),
    "cooperative": ("Okay. What else do you need to know?", "Understood. What's the next thing?", "Alright, go on."),
}

# The caller said where they found the seller's name: heard, in the seller's manner (it answers "how did you get my
# number" before it is asked).
SOURCE_HEARD: dict[str, Variants] = {
    "friendly": ("Oh, the county records. Okay.", "Oh, I see. From the records, huh."),
    "skeptical": ("The records, huh. Okay.", "Public records. Figures."),
    "aggressive": ("Records. Great. What do you want?", "Public records. Figures."),
    "cooperative": ("Okay, that makes sense.", "Alright, I see how you found me."),
}

UNHEARD: Variants = (
    "Sorry, you cut out a little there. Go on.",
    "Mm-hm.",
    "Okay, I'm listening.",
    "Say that again? The line's not great.",
    "Alright.",
    "I hear you.",
)

# --- price ----------------------------------------------------------------------------------------------------------

ASK_FOR_OFFER: Variants = (
    "You called me. Why don't you make me an offer?",
    "What are you offering?",
    "You tell me. What's your number?",
    "I'd rather hear your number first.",
)
NAME_PRICE: Variants = ("I'm asking {price}.", "I'd want {price} for it.", "{Price}. That's my number.")
RESTATE_PRICE: Variants = ("Like I said, {price}.", "I told you: {price}.", "Still {price}.")
ACCEPT_PRICE: Variants = (
    "{Price}? Alright, that works for me.",
    "Okay. {Price}, you've got a deal.",
    "I can do {price}. Sounds fair.",
)
COUNTER_PRICE: Variants = (
    "I can't do {offer}. I could come down to {price}, though.",
    "{Offer} is too low. Meet me at {price}.",
    "Not {offer}. {Price}, and we can talk.",
    "I'd go to {price}, but not {offer}.",
)
REFUSE_PRICE: Variants = (
    "I won't take {offer}. No.",
    "{Offer}? No. Not happening.",
    "That's not going to work for me.",
    "No, I can't go that low.",
)
HOLD_PRICE: Variants = ("I'm not moving off {price}.", "{Price} is as low as I go today.", "I'm at {price}, firm.")

# --- next step, ending -----------------------------------------------------------------------------------------

# These match the grader's AGREE_RE, so an agreed next step is credited.
AGREE_NEXT_STEP: Variants = (
    "Okay, that works for me. Send it over.",
    "Sure, let's do that.",
    "Alright. That works. I'll be around.",
    "Sounds good. Go ahead and send it.",
)
NOT_READY: Variants = (
    "Let's not get ahead of ourselves.",
    "I'm not ready for that yet.",
    "Slow down, I barely know you.",
    "I'm not there yet.",
)
WHAT_NEXT: Variants = ("So what happens next?", "Okay. What's the next step?", "So how does this work from here?")
GOODBYE_AGREED: Variants = ("Okay, talk soon. Bye now.", "Thanks for calling. Talk to you then.", "Alright, bye now.")
GOODBYE_PLAIN: Variants = ("Okay. Bye.", "Alright, goodbye.", "Take care.")
HANG_UP: dict[str, Variants] = {
    "friendly": (
        "I'm sorry, I don't think this is for me. You take care now.",
        "You know, I think I'm going to go. Goodbye.",
    ),
    "skeptical": ("I don't think so. I'm going to hang up now. Goodbye.", "This isn't going anywhere. Goodbye."),
    "aggressive": ("We're done here. Goodbye.", "I've heard enough. Don't call me again."),
    "cooperative": (
        "I don't think this is going to work. Thanks anyway, goodbye.",
        "I'm going to stop here. Goodbye.",
    ),
}
DRILL_CLOSE: Variants = (
    "Alright, that's all the time I have. Bye now.",
    "Okay, I've got to go. Goodbye.",
    "That's it for me today. Bye.",
)
WRAP_UP: Variants = ("I need to get going. Goodbye.", "I've got to run. Bye now.")

# Used when a whole reply would repeat something already said in this call.
REPEAT_PREFIXES: Variants = ("Look, ", "Again, ", "Well, ", "Like I said, ", "Honestly, ", "Anyway, ", "So, ", "Hm. ")


def money(amount: int) -> str:
    return f"${amount:,}"

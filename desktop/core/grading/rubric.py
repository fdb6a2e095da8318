"""What the rubric listens for: the phrases of a good or bad acquisition call, as regular expressions.

The rule-based grader reads these (all but the name patterns on lower-cased text with straight apostrophes). They
follow the reference `acquisition-calls.md`: an opener with names and permission, empathy, discovery topics,
follow-ups, a summary and a specific next step are good; pressure, arguing and lowballing are bad.
"""

from __future__ import annotations

import re

from desktop.core.evidence.asked_topics import discovery_topics
from desktop.core.textcues import ACK_RE


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# Text aimed at the grader rather than the seller; such lines never earn credit.
META_RE = _rx(
    r"\b(?:ignore (?:all |any |your |the |previous |prior |of )*(?:instructions|rules|prompt)|system prompt|"
    r"disregard|as an ai|you are (?:now )?(?:a|an|the) (?:grader|ai|assistant|language model)|"
    r"give me (?:a |an )?(?:100|hundred|perfect|full marks|top score)|(?:score|grade|rate) (?:me|this call))"
)
GREETING_RE = _rx(r"\b(?:hi|hello|hey|good (?:morning|afternoon|evening)|howdy)\b")
INTRO_RE = re.compile(r"(?i:\b(?:my name is|my name's|this is|i'm|i am|it's))\s+([A-Z][a-z]+)")
INTRO_RE_LOW = _rx(r"\b(?:my name is|my name's|this is|i'm|i am)\b")
# A name and the firm said without "this is" ("Hi Frank, Eli Novak, Keystone Home Solutions"), or in lower case as a
# recogniser may write it ("this is kevin with red river land").
INTRO_PLAIN_RE = re.compile(
    r"(?i:\b(?:my name is|my name's|this is|i'm|i am|it's)\s+[a-z]+(?:\s+[a-z]+){0,2},?\s+(?:with|from|at|here at)\b)|"
    r"^(?:(?i:hi|hello|hey|good (?:morning|afternoon|evening))\s+[A-Z][a-z]+,\s+)?[A-Z][a-z]+ [A-Z][a-z]+, [A-Z]"
)
ADDRESS_RE = re.compile(
    r"(?i:\b(?:is this|speaking with|talking to|hi|hello|hey|good (?:morning|afternoon|evening)|thanks|thank you)),?"
    r"\s+(?:(?i:mr|mrs|ms|miss)\.?\s+)?([A-Z][a-z]+)"
)
# "calling him out your land" is how the recogniser tends to hear a quick "calling about your land".
REASON_RE = _rx(
    r"\b(?:calling (?:about|regarding|because|to see|to ask)|calling him out (?:your|the|in|on)\b|"
    r"reaching out|reason (?:for|i'm) call|"
    r"your (?:land|lot|parcel|property|acres?|acreage|place|mailer|letter|house|home|duplex|rental|pasture|tract|"
    r"farm|farmhouse|mobile home|single-wide|cabin)|our (?:letter|mailer|offer)|called (?:about|regarding|us))"
)
PERMISSION_RE = _rx(
    r"\b(?:good time|okay time|ok time|bad time|catch you at|"
    r"(?:got|have)\b.{0,14}\b(?:minutes?|seconds?|moments?|sec)\b|another time|catch you later|"
    r"is (?:now|this) (?:a |an )?(?:\w+ )?(?:time|moment)|(?:good|okay|ok|bad) moment|"
    r"is now (?:a good|okay|ok)|mind if i ask|would it be (?:okay|ok|alright) if|is it (?:okay|ok|alright) if|"
    r"can i ask you a (?:few|couple)|okay to talk|(?:time|minute) for a (?:quick|short) (?:chat|call|word|talk))"
)
# The recogniser often writes a spoken time check as a garbled statement ("Is now a good time?" heard as "It's now
# and on time."); in the opening turns, a short last sentence that ends on the seller's time still asks for it.
OPENING_TIME_CHECK_RE = _rx(r"(?:^|[.?!] )(?:\S+ ){0,5}(?:time|minutes?|moment)[.?!]*$")
EMPATHY_RE = _rx(
    ACK_RE.pattern + r"|\b(?:i can imagine|that must (?:be|have been)|thanks? (?:you )?for (?:sharing|telling|"
    r"explaining)|sorry (?:for|about) your|"
    r"that sounds (?:(?:really|so|very|pretty) )?(?:hard|tough|difficult|stressful|frustrating)|"
    r"no pressure|take your time|whatever works (?:best )?for you)"
)
# Empathy about the seller's situation, preferred over a polite "I appreciate that" when quoting a strength.
STRONG_EMPATHY_RE = _rx(
    r"\b(?:i'm sorry|sorry (?:to hear|for|about)|i can imagine|that must|that sounds (?:(?:really|so|very|pretty) )?"
    r"(?:like|hard|tough|difficult|stressful|frustrating)|i'd feel the same|i would feel the same|i hear you)"
)
# Telling a wary seller their question is a fair one to ask is warmth toward the person, even in the line that then
# answers it ("Fair question. I got your name from...").
CONCERN_RESPECTED_RE = _rx(
    r"\b(?:(?:fair|good|great) question|fair (?:thing )?to ask|good question to ask|i'd be careful too|"
    r"i'd (?:ask|wonder|do) the same)"
)
# Warmth toward the person, not the objection: sympathy, interest in their news, thanks for their time.
WARM_RE = _rx(
    STRONG_EMPATHY_RE.pattern + r"|\b(?:how exciting|that's exciting|congratulations|lovely|great (?:story|tradition)|"
    r"sounds like a great|i bet\b|long day|how are you (?:doing|holding up)|that's a (?:big change|"
    r"lot of history|long time)|"
    r"i'll respect that|respect your time|keep it short|nice to meet you|that matters|sorry (?:about|for) (?:your|the)|"
    r"thanks? (?:you )?(?:so much )?for (?:picking up|calling|taking|your time|getting back|the call))"
)
PRESSURE_RE = _rx(
    r"\b(?:take it or leave it|final offer|best (?:offer|price|deal) you(?:'ll| will) (?:ever )?get|"
    r"nobody else will|no one else will|won't get a better|you(?:'d| would) be (?:crazy|foolish|stupid)|"
    r"last chance|(?:offer|this) expires|decide (?:right )?now|today only|need an answer (?:right )?now|"
    r"you have to decide|stop wasting|you need to sell|you should (?:just )?(?:take|sell|accept)|"
    r"need an answer (?:this|by)|won't last|just get you a number|yes or no)"
)
ARGUE_RE = _rx(
    r"\b(?:you're wrong|that's not true|that's not right|no it's not|no it isn't|that's ridiculous|"
    r"you don't understand|that's not how (?:it|this) works|(?:zillow|online|those) (?:is|are) (?:wrong|garbage|"
    r"junk)|(?:nobody|no one) (?:will|would|is going to) pay|it's not worth (?:that|more)|you won't get (?:that|more)|"
    r"get real|(?:be|being) realistic|that's your problem|not my problem|doesn't matter what|"
    r"that's what (?:the market|\w+) (?:pays|goes for|is worth|sells for)|doesn't pay the bills|"
    r"(?:are|is) slow and expensive|worth half|at best\b|you don't need (?:his|her|their) (?:permission|ok|okay))"
)
MONEY_RE = _rx(
    r"\$\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|thousand|grand))?|\b\d[\d,]*\s?(?:k|thousand|grand|dollars|bucks)\b|"
    r"\b(?:a|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|forty|fifty)"
    r"(?:[\s-]\w+)?[\s-](?:thousand|grand)\b|\b(?:\d[\d,]*|hundred|thousand) (?:an|a|per) acre\b"
)
# Every money mention has a "$", a digit, "thousand" or "grand"; this cheap scan skips the full pattern otherwise.
_MONEY_HINT_RE = re.compile(r"[$\d]|thousand|grand|hundred an")


def has_money(lowered: str) -> bool:
    return _MONEY_HINT_RE.search(lowered) is not None and MONEY_RE.search(lowered) is not None


# Company names are capitalised, so this one reads the original text: "with Red Oak Land", "from Canyon Land Buyers".
COMPANY_RE = re.compile(
    r"\b(?:with|from|at|here at)\s+(?:[A-Z][\w&'-]*\s?){1,4}|(?i:\bwe buy\b)|"
    r"(?i:\b(?:with|from)\s+(?:\w+\s){0,3}(?:land|lands|buyers|properties|property|homes?|realty|group|partners|"
    r"company|"
    r"co|llc|investments|solutions|offers?|trust)\b)|^(?:\w+ \w+, )?[A-Z][a-z]+ [A-Z][a-z]+, [A-Z]"
)
CALLED_BACK_RE = _rx(r"\bthanks? (?:you )?for (?:calling|getting back|returning)")
# Sending something concrete: a written offer, an agreement, information.
SEND_RE = _rx(
    r"\b(?:send|email|e-mail|mail)\b.{0,40}?\b(?:offer|agreement|contract|information|info|details|it|something|"
    r"numbers|terms|comps|sales|figures)\b|\bwritten offer\b|what's (?:your|the best) (?:email|e-mail)"
)
# A conversation or a visit, which with a named time makes a next step specific.
MEETING_RE = _rx(
    r"\b(?:call|talk|speak|meet|come by|stop by|swing by|drive (?:down|over|out|up)|come (?:out|over|see)|visit|"
    r"go over|"
    r"go through|walk (?:it|the|through)|set up|see (?:it|the)|look at it|on the (?:line|phone)|three-way|"
    r"(?:would|does|how about)\b.{0,40}\bwork\b)"
)
NEXT_STEP_RE = _rx(
    r"\b(?:send (?:you|over|it|the|a|an)\b.{0,30}?(?:offer|agreement|contract|paperwork|documents)|"
    r"(?:written|cash|formal) offer|purchase (?:and sale )?agreement|put (?:it|this|that|something) "
    r"(?:in writing|on paper|together)|(?:set up|schedule|book|find) (?:a )?(?:time|call|meeting|appointment)|"
    r"(?:call|talk|speak|follow up|meet)\b.{0,25}\b(?:tomorrow|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|at \d)|on the (?:line|phone|call) with|three-way|next step|move forward|"
    r"under contract|what time works|(?:does|would) .{0,30}work for you|when(?:'s| is) a good time)"
)
SPECIFIC_RE = _rx(
    r"\b(?:today|tonight|tomorrow|this (?:afternoon|evening|morning)|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|\d{1,2}(?::\d\d)?\s?(?:am|pm|a\.m\.|p\.m\.|o'clock)|(?:at|say) (?:\d{1,2}|noon|one|two|"
    r"three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b|the (?:\d{1,2}(?:st|nd|rd|th)|first|second|third|"
    r"fourth|fifth|sixth|seventh|eighth|ninth|tenth|\w+teenth|twentieth|twenty-\w+|thirtieth)\b|"
    r"email address|best email|docusign|e-?sign|"
    # An hour the words around it were lost from ("...get five work for me to call back?"): an hour that works, or
    # an hour o'clock, still names the time.
    r"(?:\d{1,2}|noon|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) (?:o'clock|works? for)\b)"
)
SUMMARY_RE = _rx(
    r"\b(?:what i(?:'m| am) hearing|just to make sure|let me make sure|make sure i (?:understand|have|got)|"
    r"if i (?:understand|heard) you|to recap|to summari[sz]e|let me (?:recap|summari[sz]e)|it sounds like|"
    r"sounds like (?:you|your|the)|what i heard|correct me if|did i get that right|do i have that right|"
    r"(?:have|got) it right|is that right|(?:^|[.!?]\s+)(?:okay,? |alright,? |all right,? )?so[,:]? [^?]{0,120}[,.]"
    r"[^?]{0,160}\band\b)"
)
AGREE_RE = _rx(
    r"\b(?:send it(?: over)?|go ahead and send|let's do (?:it|that)|that works|works for me|that(?:'d| would) work|"
    r"(?<!no )deal\b(?! with)|sounds (?:good|fair|like a plan)|i'm in|we can do that|i can do that|i'(?:ll|d) sign|"
    r"i accept|i'll take it|talk (?:to you )?then|see you then|i'll be (?:here|around|home|available)|"
    r"i'(?:d|m) open to that)"
)
REFUSE_RE = _rx(
    r"\b(?:no deal|not interested|don't call|stop calling|lose my number|take me off|no thanks|no thank you|"
    r"not a chance|forget it|hang(?:ing)? up|not happening|absolutely not|no way|doesn't work|won't work|"
    r"not going to work|i'll pass)"
)
VAGUE_STEP_RE = _rx(
    r"\b(?:get back to you|call you back|be in touch|reach out|follow up|touch base|(?:call|try) you (?:later|"
    r"again|next)|"
    r"i'll (?:call|email|send)|let you know)"
)
FOLLOWUP_RE = _rx(
    r"\b(?:tell me more|what do you mean|how so|why is that|what happened|how did that|what was that like|"
    r"how do you feel|say more|you mentioned|you said)"
)
TOPICS: dict[str, re.Pattern[str]] = {
    "motivation": _rx(
        r"\b(?:why (?:are you|would you|do you|sell|now|did you)|what (?:has|had|made|makes|got|is)\b.{0,20}\b"
        r"(?:thinking|considering|want|interested|looking)|reason (?:for|you're|to) sell|"
        # "think about selling", also as the recogniser hears a quick "about": "think I'm out selling".
        r"(?:think|thinking) (?:about|of|i'm out) selling|"
        r"reason you(?:'d| would)|do with the money|selling (?:it )?do for you|your plans are|"
        r"still use|why (?:you'd|you would) (?:want to )?sell|"
        r"what's (?:got|getting|making) you|plans? for (?:the|it|this)|how come you|motivat|"
        r"(?:considering|open to|interested in) selling|what's (?:prompting|behind)|what (?:has|had|have) you\b|"
        r"what made you (?:buy|call|want|decide)|what changed|"
        r"what (?:would|do) you (?:like|want|plan) to do (?:with|in|on)\b|"
        r"what are you (?:thinking|planning|hoping) (?:of |to )?do|what's (?:going on|the story)|what happened|"
        r"what would (?:make|get) you|still thinking about|how are you feeling about|mean to you|"
        r"what's (?:driving|the reason)|"
        r"reason you're|what got in the way|ideal outcome|situation with|picking up the phone|your own feeling|"
        r"what's changed|letting it go|what did you have (?:in mind|planned)|what are you (?:doing|"
        r"planning)\b.{0,15}with|"
        r"end up with|why (?:sell|now)\b|want to see happen)"
    ),
    "timeline": _rx(
        r"\b(?:when (?:would|will|do|are|were) you\b.{0,12}\b(?:like|want|need|hope|hoping|plan|looking|thinking)|"
        r"timeline|time ?frame|how soon|how quickly|by when|what happens if (?:it )?(?:doesn't|does not|don't) sell|"
        r"deadline|how fast|before (?:winter|summer|spring|the end)|wrapped up|off your plate|this year|"
        r"\bsoon\b|close (?:fast|quickly)|how long (?:do you expect|will|until|before)|want (?:it )?(?:sold|done) by|"
        r"when(?:'s| is| are) (?:the move|you (?:moving|leaving))|a time you'd|need it (?:done|sold)|is there a time|"
        r"done with it|how far along|sooner|a point you'd)"
    ),
    "property": _rx(
        r"\b(?:acre|access|road|easement|power|electric|utilit|water|well|septic|sewer|zoning|zoned|flood|survey|"
        r"structure|cabin|trailer|condition|taxes|lien|title|mortgage|frontage|terrain|wooded|"
        r"cleared|perc|hoa|boundar|owed?\b|shed|vacant|lot itself|wet|rent|repair|units?\b|roof|inside|dock|lease|"
        r"shape|acreage|bedroom|kitchen|land like|wooded|frontage|how big|how many|how much of it|"
        r"need (?:a lot of )?work|"
        r"fire|damage|pond|tell me (?:a little |more )?about (?:the|your) (?:lot|land|property|house|home|place|"
        r"parcel))"
    ),
    "price": _rx(
        r"\b(?:price|number|what (?:would|will|do) you (?:want|need|hope|expect|take)(?! to (?:happen|see|do))|"
        r"how much (?:would|do|are) you|asking price|are you asking|you're asking|worth|hop(?:e|ing) to get|ballpark|"
        r"figure|other offers?|what you paid|paid for it|(?:his|their|that|the other) offer|fair\b|\bnet\b|"
        r"what you'?d (?:want|take|need)|what you (?:want|need) for (?:it|the)\b|values?\b|offer look like|"
        r"(?:make|makes) (?:it|this) (?:fair|work)|what would it take|walk away with|hoping (?:the \w+ will|to)|"
        r"did (?:they|he|she|the other \w+) offer|where would you need to be|in the range|listed\b|other interest|"
        r"(?:sold|asking) prices|how much (?:is|it)|what (?:would|do) you (?:figure|think) it's)"
    ),
    "decision": _rx(
        r"\b(?:anyone else|anybody else|who else|one else on\b|decision|decide|on the title|on the deed|co-?owner|"
        r"your (?:wife|husband|spouse|brothers?|sisters?|siblings|family|kids|children|partner|son|daughter)|"
        r"the (?:heirs|other owners)|personal representative|how does (?:he|she|they) feel|"
        r"what does (?:he|she|your \w+) think|both of you|handling the estate|executor|have a say|weigh in|"
        r"your ex\b|ex-husband|ex-wife|need to agree|sign off|(?:gets|get) (?:him|her|them) to)"
    ),
}


def topics_of(lowered: str) -> tuple[str, ...]:
    """The discovery topics a lower-cased sentence touches, in the order of TOPICS: the rubric's own cues, and the
    seller's finer ones for the topics where they were measured to agree with the labels (asked_topics)."""
    finer = discovery_topics(lowered)
    return tuple(name for name, rx in TOPICS.items() if name in finer or rx.search(lowered))


# Capitalised words that follow "this is" or "hi" without being anyone's name.
NOT_NAMES = _wordset(
    "There Yes Yeah This That The It I Sir Good Okay Ok Is Hi Hello Hey Sorry Just So Well Not No Speaking Calling "
    "Who What Busy Here Fine Great Doing Home Um Uh Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
    "Thanks Really Actually"
)

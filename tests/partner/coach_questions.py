"""Questions a trainee asks the debrief coach about a labelled call (tests/core/labelled), and what a good answer
must contain. Written from the issue: find the moment, quote the seller and the trainee, give a better line and say
why; answer "why did I get N for X" from the grade's evidence; replay a moment on request.

Each requirement is a piece of text the answer must contain, or a token:
    @seller:N   the seller's words at line N, quoted        @said:N   the trainee's words at line N, quoted
    @score:X    "got <the call's X score> of 100"           @better   a better line ("A better line" or "try")
    @why        a reason ("because" or ": ")                @roleplay the coach steps into the seller's role
Questions may name a score as {rapport}, {discovery}, {objection_handling} or {closing}: the call's own.
"""

from __future__ import annotations

MOMENT = ("@better", "@why")

QUESTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # -- a moment, found from the question's words: quote both sides, a better line, why
    (
        "dale-2",
        "What should I have done differently when he asked how I got his number?",
        ("@seller:3", "@said:4", "county", *MOMENT),
    ),
    ("dale-2", "What about when he said he wasn't in a hurry to sell?", ("@seller:5", "@said:6", "No rush", *MOMENT)),
    (
        "dale-2",
        "How should I have handled it when he said places sold for more online?",
        ("@seller:7", "@said:8", *MOMENT),
    ),
    ("dale-3", "What could I have said when he told me he's not in any rush?", ("@seller:7", "@said:8", *MOMENT)),
    (
        "rosa-2",
        "What should I have said when she asked about the back taxes?",
        ("@seller:3", "@said:4", "closing", *MOMENT),
    ),
    ("rosa-3", "What went wrong when she mentioned the lien from the city?", ("@seller:7", "@said:8", *MOMENT)),
    ("linda-2", "How should I have answered when she said it was family land?", ("@seller:5", "@said:6", *MOMENT)),
    (
        "linda-3",
        "What should I have done when she said she was thinking of listing with a realtor?",
        ("@seller:7", "@said:8", "agent", *MOMENT),
    ),
    (
        "frank-2",
        "What should I have done differently when he said my offer was insulting?",
        ("@seller:3", "@said:4", "fair", *MOMENT),
    ),
    ("frank-2", "He said he had another offer. What was wrong with my answer?", ("@seller:5", "@said:6", *MOMENT)),
    (
        "tammy-2",
        "What should I have said when she asked if this was a scam?",
        ("@seller:3", "@said:4", "look us up", *MOMENT),
    ),
    (
        "tammy-3",
        "What about the moment she said she was worried about the back taxes?",
        ("@seller:5", "@said:6", *MOMENT),
    ),
    (
        "curtis-2",
        "How should I have handled it when he said the land had been in the family a long time?",
        ("@seller:5", "@said:6", *MOMENT),
    ),
    (
        "martin-2",
        "When he asked how he knows this isn't a scam, what should I have said?",
        ("@seller:3", "@said:4", *MOMENT),
    ),
    (
        "martin-3",
        "What should I have said when he told me lots near him are worth more online?",
        ("@seller:5", "@said:6", *MOMENT),
    ),
    (
        "catherine-3",
        "When she said she had another offer for seventy, what should I have done?",
        ("@seller:9", "@said:10", *MOMENT),
    ),
    ("marcus-3", "What should I have said when he mentioned talking to his sister?", ("@seller:7", "@said:8", *MOMENT)),
    (
        "marcus-3",
        "He said he was dreading the paperwork. How should I have answered?",
        ("@seller:9", "@said:10", *MOMENT),
    ),
    (
        "jennifer-3",
        "What went wrong when she said her husband needs to sign off too?",
        ("@seller:7", "@said:8", *MOMENT),
    ),
    ("earl-3", "What about when he said there's a lien from an old contractor?", ("@seller:5", "@said:6", *MOMENT)),
    (
        "bud-3",
        "Bud said he wasn't in any hurry to sell. What should I have said there?",
        ("@seller:5", "@said:6", *MOMENT),
    ),
    (
        "denise-3",
        "What should I have done differently when she said the offers she got were too low?",
        ("@seller:7", "@said:8", *MOMENT),
    ),
    ("ray-3", "When he said online it's worth forty, what should I have asked?", ("@seller:5", "@said:6", *MOMENT)),
    (
        "priya-2",
        "What was wrong with my answer when she said she had an offer for a lot more?",
        ("@seller:5", "@said:6", *MOMENT),
    ),
    # -- why a score is what it is, from the grade's evidence
    (
        "dale-2",
        "Why did I get {discovery} for discovery?",
        ("@score:discovery", "You asked about", "never asked about"),
    ),
    (
        "dale-3",
        "Why did I only get {objection_handling} for objection handling?",
        ("@score:objection_handling", "raised 2 objection", "moved past"),
    ),
    ("rosa-3", "Why is my closing {closing}?", ("@score:closing", "next step", "sum up")),
    ("catherine-3", "Why did I get {rapport} for rapport?", ("@score:rapport", "permission at line 2")),
    ("linda-1", "Why did I get {discovery} on discovery?", ("@score:discovery", "who else decides (line 10)")),
    ("marcus-3", "Explain my objection handling score.", ("@score:objection_handling", "moved past")),
    # -- replay a moment on request
    ("dale-3", "Can we practise the part where he said he wasn't in any rush?", ("@roleplay", "@seller:7")),
    ("catherine-2", "Let's replay when she said she'd list it with a realtor.", ("@roleplay", "@seller:3")),
    (
        "jennifer-2",
        "Can we practise the moment she said she needs to talk to her ex-husband?",
        ("@roleplay", "@seller:5"),
    ),
    ("ray-2", "Let's practise when he asked how I got his number.", ("@roleplay", "@seller:3")),
)

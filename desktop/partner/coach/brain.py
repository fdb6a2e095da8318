"""The rule-played coach of the embedded practice partner: one debrief of one graded call.

It opens with the overall score and the biggest strength and weakness, answers "why" questions from the grade,
offers to replay the hardest moment (then speaks as the seller for that moment and reacts to the trainee's retry),
and closes by proposing one goal. When the trainee agrees, gives their own goal, or says goodbye, it states the goal
as "Your goal for next time: ..." (`coach.goal_statement`) and ends the call. Same interface as `SellerBrain`, so the
partner (and its model path, which keeps the rules as a fallback) runs either. Deterministic.
"""

from __future__ import annotations

import re
from dataclasses import replace

from desktop.core.coach import CoachBrief, goal_statement, opening_line
from desktop.core.coach_review import area_of, quoted
from desktop.core.evidence.moments import Moment, find_moment, mentions_moment, moments_from_text
from desktop.core.profile import AREA_LABELS, clean_goal
from desktop.core.results import SCORE_NAMES
from desktop.partner.seller.brain import SellerTurn
from desktop.partner.seller.cues import TraineeTurn, read_turn

MAX_TURNS = 30
MAX_RETRIES = 2
OVERVIEW, ROLEPLAY, GOAL_OFFERED, OWN_GOAL, DONE = "overview", "roleplay", "goal_offered", "own_goal", "done"
GOAL_SET = "goal_set"


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_WHY_RE = _rx(
    r"\bwhy\b|how come|what (?:do you mean|does that mean|did i do wrong|went wrong)|explain|where did i lose|"
    r"how (?:is|was|did) (?:that|it|my|this) (?:\w+ )?(?:scored|graded|calculated|work)"
)
_PRACTISE_RE = _rx(
    r"\b(?:practi[cs]e|role ?-?play|replay|rehearse|try (?:it|again|that|the moment)|run (?:it|that|through)|"
    r"i'm ready|ready when|let's (?:go|do (?:it|this))|give it a (?:go|shot|try))\b"
)
_YES_RE = _rx(
    r"^(?:yes|yeah|yep|yup|sure|ok|okay|alright|all right|sounds (?:good|great|fair)|deal|agreed|absolutely|"
    r"definitely|of course|perfect|great|good|fine|works for me|that works|let's do (?:it|that))\b|"
    r"\b(?:i agree|i'll do (?:it|that)|i will do (?:it|that)|will do|i'm in|that works|sounds good|i can do that|"
    r"let's go with)\b"
)
_NO_RE = _rx(
    r"^(?:no|nah|nope|not really|not that)\b|"
    r"\b(?:rather not|something else|another (?:one|goal)|different (?:one|goal)|don't (?:like|want)|skip|move on|"
    r"not now)\b"
)
# Leaving the replay: only plain requests to stop, since a retry may well start with "No..." ("No rush. What...").
_SKIP_RE = _rx(r"^(?:skip|stop|enough|no thanks|let's (?:stop|skip|move on)|(?:can we )?move on)\b")
_OWN_GOAL_RE = re.compile(r"\bmy (?:own )?goal (?:is|will be|should be|for next time is)\s+(?P<goal>.+)", re.I)
_LOOSE_GOAL_RE = re.compile(
    r"\bi(?:'ll| will| want to| wanna|'d like to|'d rather| would rather| am going to|'m going to) "
    r"(?P<goal>(?:work on|focus on|practi[cs]e|try to|make sure|always|stop|start|get better at)\b.+)",
    re.I,
)
# "What should I have done differently when...", "how should I have handled...", "what was wrong with my answer..."
_ADVICE_RE = _rx(
    r"\b(?:should (?:i|i've)|could (?:i|i've)|would (?:i|you)|differently|instead|better|what went wrong|handle|"
    r"how did i do|was that (?:ok|okay|good|right|wrong)|what about|what happened|(?:was|went) wrong|my answer)"
)
_THAT_RE = _rx(r"\b(?:that|it|this)\b(?: (?:one|moment|part|bit))?\s*[?.!]*$")
_SCORE_RE = _rx(r"\b(?:score|scored|grade|graded|overall|points?|marks?|so low|number)\b")
_AREA_RES = {
    "objection_handling": _rx(r"objection|push ?-?back|resist|argu"),
    "closing": _rx(r"clos|next step|commit|wrap|summar|follow ?up"),
    "discovery": _rx(r"discover|question|asking|ask\b|motivat"),
    "rapport": _rx(r"rapport|warm|trust|connect|tone|pressure|friendly|opener|opening|intro"),
}
_WHEN_RE = _rx(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|today|this week|next week|"
    r"at \d|\d ?(?:am|pm|o'clock)|morning|afternoon|evening)\b"
)
_REACTIONS = {
    "good": ("Hm. Alright, that's fair. Go on.", "Well... okay, I can hear you out on that.", "Fair enough. Ask away."),
    "partly": ("Maybe. I'm still not sure about that.", "Hm. I don't know.", "That's what they all say."),
    "poor": ("See, that's exactly why I don't like these calls.", "I think we're done here.", "Excuse me?"),
}


class CoachBrain:
    def __init__(self, brief: CoachBrief, *, first_message: str | None = None, max_turns: int = MAX_TURNS) -> None:
        self.brief = brief
        self.max_turns = max_turns
        self.state = OVERVIEW
        self.turns = 0
        self.retries = 0
        self.ended = False
        self.goal = brief.goal
        self.goal_set: str | None = None  # the goal stated at the end
        self.offered_alternative = False
        self.unclear = 0
        self._first_message = first_message or opening_line(brief)
        self.moments = moments_from_text(brief.moments)
        self._last_moment: Moment | None = None  # the moment last talked through, for "let's practise that"

    @property
    def first(self) -> str:
        return self.brief.persona_first_name

    def greeting(self) -> SellerTurn:
        return SellerTurn(self._first_message)

    def reply(self, trainee_text: str, *, talked_over: bool = False) -> SellerTurn:
        """The coach's answer to one trainee turn. RuntimeError once the debrief is over."""
        self._begin_turn()
        text = " ".join(trainee_text.lower().replace("’", "'").split())
        turn = read_turn(trainee_text, self.first, self.brief.moment_seller_line, self.brief.trainee_name)
        if self.turns >= self.max_turns:
            return self._close("We're out of time for this debrief.")
        own = _own_goal(trainee_text, loose=self.state in (GOAL_OFFERED, OWN_GOAL))
        if own:
            return self._close("Good, that's a goal you chose yourself.", own)
        # A goodbye ends the debrief, except inside a replayed close, where it may be part of the retry.
        if turn.goodbye and not (self.state == ROLEPLAY and self.brief.moment_kind == "closing"):
            return self._close("Thanks for debriefing with me.")
        if self.state == ROLEPLAY and not (_PRACTISE_RE.search(text) and self._moment_asked(text)):
            return self._judge_retry(text, turn)
        moment = self._moment_asked(text)
        if moment is None and _PRACTISE_RE.search(text) and _THAT_RE.search(text):
            moment = self._last_moment  # "can we practise that?" right after talking a moment through
        if moment is not None and _PRACTISE_RE.search(text):
            self._replay(moment)
            return self._start_roleplay("Sure.")
        # "Why is my closing low?" is about a score, "what about when he said..." about a moment.
        about_score = any(cue.search(text) for cue in _AREA_RES.values()) and not mentions_moment(text)
        if (
            moment is not None
            and not about_score
            and (_ADVICE_RE.search(text) or mentions_moment(text) or _WHY_RE.search(text))
        ):
            self._last_moment = moment
            return self._say(self._about_moment(moment) + " " + self._next_prompt(moment))
        if _WHY_RE.search(text) or (_asks_about_a_score(text) and not _PRACTISE_RE.search(text)):
            return self._say(self._why(text) + " " + self._next_prompt())
        if self.state == OVERVIEW:
            return self._overview(text)
        if self.state == GOAL_OFFERED:
            return self._goal_answer(text)
        return self._own_goal_answer(trainee_text, text)

    def reply_unheard(self) -> SellerTurn:
        """A spoken turn the partner cannot transcribe: the coach leads the debrief on to its next step."""
        self._begin_turn()
        if self.state == OVERVIEW:
            return self._start_roleplay("I couldn't make out the words, so I'll lead.")
        if self.state == ROLEPLAY:
            return self._say(
                "I can't judge words I can't hear, so here is the line to aim for: "
                f"{quoted(self.brief.moment_try)}, because {self.brief.moment_because}. " + self._offer_goal()
            )
        return self._close("I'll take that as a yes.")

    # --- the steps -------------------------------------------------------------------------------------------------

    def _overview(self, text: str) -> SellerTurn:
        if _PRACTISE_RE.search(text) or _YES_RE.search(text):
            return self._start_roleplay("Great.")
        if _NO_RE.search(text):
            return self._say("No problem, we'll skip the replay. " + self._offer_goal())
        self.unclear += 1
        if self.unclear >= 2:
            return self._start_roleplay("Let's learn by doing.")
        return self._say(
            "I can explain any score: rapport, discovery, objection handling or closing. Or we can replay "
            f"{self.brief.moment_title}. Which would you like?"
        )

    def _start_roleplay(self, lead: str) -> SellerTurn:
        self.state = ROLEPLAY
        self.retries = 0
        said = self.brief.moment_trainee_line
        recall = f" On the call you said {quoted(said)}." if said else ""
        return self._say(
            f"{lead} Let's replay {self.brief.moment_title}.{recall} I'll be {self.first}; answer me the way you "
            f"would on a real call. {self.first}: {quoted(self.brief.moment_seller_line)}"
        )

    def _judge_retry(self, text: str, turn: TraineeTurn) -> SellerTurn:
        if _SKIP_RE.search(text):
            return self._say("Okay, we'll leave the replay there. " + self._offer_goal())
        self.retries += 1
        verdict, advice = judge_retry(self.brief.moment_kind, turn, text)
        reaction = _REACTIONS[verdict][min(self.retries, 3) - 1]
        in_role = f"{self.first}: {quoted(reaction)} Stepping out of the role-play:"
        if verdict == "good":
            return self._say(f"{in_role} {advice} " + self._offer_goal("So here's a goal to make it a habit:"))
        if self.retries < MAX_RETRIES:
            return self._say(
                f"{in_role} {advice} Try once more; I'm {self.first} again: {quoted(self.brief.moment_seller_line)}"
            )
        return self._say(
            f"{in_role} {advice} A line to aim for: {quoted(self.brief.moment_try)}, because "
            f"{self.brief.moment_because}. " + self._offer_goal()
        )

    def _offer_goal(self, lead: str = "Let's set one goal for next time. I'd suggest:") -> str:
        self.state = GOAL_OFFERED
        return f"{lead} {quoted(self.goal)} Does that work for you?"

    def _goal_answer(self, text: str) -> SellerTurn:
        if _NO_RE.search(text):
            alternative = self.brief.alternative_goal
            if not self.offered_alternative and alternative and alternative != self.goal:
                self.offered_alternative = True
                self.goal = alternative
                return self._say(
                    f"Fair enough. How about this one: {quoted(alternative)} Or tell me your own, starting with "
                    "“My goal is...”."
                )
            self.state = OWN_GOAL
            return self._say("Then put it in your own words: what will you do differently on your next call?")
        if _YES_RE.search(text):
            return self._close("Great, let's lock it in.")
        self.unclear += 1
        if self.unclear >= 3:
            return self._close("Let's keep it simple.")
        return self._say(f"So we end with one thing to work on: {quoted(self.goal)} Does that work for you?")

    def _own_goal_answer(self, original: str, text: str) -> SellerTurn:
        if len(text.split()) >= 3 and not _NO_RE.match(text):
            return self._close("Good, that's a goal you chose yourself.", _as_goal(original))
        if _YES_RE.search(text):
            return self._close("Great, let's lock it in.")
        return self._say("Tell me in a sentence what you'll do differently, for example “Ask why they're selling”.")

    def _close(self, lead: str, goal: str | None = None) -> SellerTurn:
        self.goal_set = clean_goal(goal or self.goal)
        self.state = DONE
        self.ended = True
        return SellerTurn(
            f"{lead} {goal_statement(self.goal_set)} Good luck on your next call.", end_call=True, end_reason=GOAL_SET
        )

    # --- answers ---------------------------------------------------------------------------------------------------

    def _why(self, text: str) -> str:
        areas = [area for area in SCORE_NAMES if _AREA_RES[area].search(text)]
        if areas:
            return " ".join(self.brief.why(area) for area in areas[:2])
        if _SCORE_RE.search(text):
            return self.brief.why_overall or self.brief.why(self.brief.ranked_areas()[0])
        if self.state == GOAL_OFFERED:
            area = _goal_area(self.goal)
            return f"Because {AREA_LABELS[area]} is where this call lost the most. {self.brief.why(area)}"
        return self.brief.why(self.brief.ranked_areas()[0])

    def _moment_asked(self, text: str) -> Moment | None:
        return find_moment(self.moments, text) if self.moments else None

    def _about_moment(self, moment: Moment) -> str:
        """The moment, quoted from the call, with a better line and why."""
        seller = f"When {self.first} said {quoted(moment.seller_line)}, " if moment.seller_line else "When "
        said = f"you said {quoted(moment.trainee_line)}." if moment.trainee_line else "you moved straight on."
        if moment.kind == "objection" and moment.answered:
            verdict = f"That answered it. To make it land even better, try {quoted(moment.try_instead)}: "
        elif moment.kind == "objection":
            verdict = f"That didn't answer the objection. A better line: {quoted(moment.try_instead)}, because "
        else:
            verdict = f"A better line: {quoted(moment.try_instead)}, because "
        return f"{seller}{said} {verdict}{moment.because}."

    def _replay(self, moment: Moment) -> None:
        """Make `moment` the one the role-play replays."""
        area = (
            "objection_handling" if moment.kind == "objection" else area_of(moment.because + " " + moment.try_instead)
        )
        kind = {"objection_handling": "objection", "closing": "closing", "discovery": "discovery"}.get(area, "rapport")
        self.brief = replace(
            self.brief,
            moment_kind=kind,
            moment_title=moment.title,
            moment_seller_line=moment.seller_line or "Hello?",
            moment_trainee_line=moment.trainee_line,
            moment_try=moment.try_instead,
            moment_because=moment.because,
            moment_objection=moment.objection,
        )

    def _next_prompt(self, moment: Moment | None = None) -> str:
        if moment is not None and self.state not in (GOAL_OFFERED, OWN_GOAL):
            return "Want to replay that moment? Say “let's practise that”."
        if self.state == GOAL_OFFERED:
            return f"So, does {quoted(self.goal)} work for you?"
        if self.state == OWN_GOAL:
            return "What will you do differently on your next call?"
        return f"Want to replay {self.brief.moment_title}? Say “let's practise”."

    def _say(self, text: str) -> SellerTurn:
        return SellerTurn(" ".join(text.split()))

    def _begin_turn(self) -> None:
        if self.ended:
            raise RuntimeError("the debrief is over")
        self.turns += 1


def judge_retry(kind: str, turn: TraineeTurn, text: str) -> tuple[str, str]:
    """("good" | "partly" | "poor", what to say about it) for a retry of the replayed moment."""
    harsh = turn.argues or turn.pushy or turn.rude
    if kind == "objection":
        if harsh:
            return "poor", "That still argues or pushes. Don't defend your number; get curious about theirs."
        if turn.empathy and (turn.questions or turn.summarises):
            return "good", "That's it: you acknowledged the objection and asked about it instead of arguing."
        if turn.empathy:
            return "partly", "Good acknowledgement. Now follow it with one question about their concern."
        if turn.questions:
            return "partly", "Good question. Acknowledge how they feel first, for example “I'd feel the same way”."
        return "poor", "You moved past the objection. Acknowledge it, then ask one question about it."
    if kind == "opening":
        if harsh or turn.pitch:
            return "poor", "That opens with pressure. Start with who you are and why you're calling."
        if turn.introduces and turn.asks_permission:
            return "good", "That's it: your name, your reason and a request for permission."
        if turn.introduces:
            return "partly", "Good introduction. Now ask permission, like “Did I catch you at an okay time?”."
        return "poor", "Start with your name and the reason you're calling."
    if kind == "closing":
        if harsh:
            return "poor", "That pushes. Propose a next step and let them choose the time."
        if turn.next_step and (_WHEN_RE.search(text) or turn.summarises):
            return "good", "That's it: a specific next step with a day and a time."
        if turn.next_step or turn.summarises:
            return "partly", "Closer. Make the next step specific: what happens, on which day, at what time."
        return "poor", "Sum up what you heard, then propose a specific next step."
    if kind == "discovery":
        if turn.open_questions and not harsh:
            return "good", "That's it: an open question that lets the seller tell the story."
        if turn.questions:
            return "partly", "That's a yes-or-no question. Start with what, why or how so they tell you more."
        return "poor", "Ask them something: an open question about their situation."
    if harsh or turn.pitch or turn.offer is not None:
        return "poor", "That adds pressure. Slow down, acknowledge them and ask about their situation."
    if turn.empathy and turn.questions:
        return "good", "That's it: warmth first, then a question about them."
    if turn.empathy or turn.open_questions:
        return "partly", "Closer. Pair the warmth with a question about them."
    return "poor", "Acknowledge what they said and ask about their situation."


def _asks_about_a_score(text: str) -> bool:
    """ "What about my closing?", "tell me about discovery": a score named in a question or a request."""
    named = any(cue.search(text) for cue in _AREA_RES.values()) or _SCORE_RE.search(text) is not None
    return named and ("?" in text or re.search(r"\b(?:tell me|talk (?:me )?(?:about|through)|what about)\b", text))


def _own_goal(text: str, *, loose: bool) -> str | None:
    """A goal the trainee states ("My goal is to..."); `loose` also takes "I'll work on...", once goals are the
    topic (earlier, "I want to practise..." is about the debrief, not a goal)."""
    flat = " ".join(text.replace("’", "'").split())
    match = _OWN_GOAL_RE.search(flat) or (_LOOSE_GOAL_RE.search(flat) if loose else None)
    if match is None:
        return None
    goal = match["goal"]
    return _as_goal(goal) if len(goal.split()) >= 2 else None


def _as_goal(text: str) -> str:
    """The trainee's words as a goal: one sentence, starting with a capital, no leading "to"."""
    sentence = re.split(r"(?<=[.!?])\s+", " ".join(text.split()), maxsplit=1)[0].strip(" .!?\"'“”")
    sentence = re.sub(r"^(?:to|i will|i'll)\s+", "", sentence, flags=re.I)
    return clean_goal(sentence[:1].upper() + sentence[1:] + ".")


def _goal_area(goal: str) -> str:
    lowered = goal.lower()
    return next((area for area in SCORE_NAMES if _AREA_RES[area].search(lowered)), "rapport")

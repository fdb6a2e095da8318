"""The rule-based grader: four 0-100 scores, feedback that quotes the trainee, and the rewards of a call.

It is the fallback when no model grader is available, so it must always return a grade, fast and deterministically.
The rubric follows the reference `acquisition-calls.md`: rapport, discovery, objection handling and closing. Lines
that talk to the grader instead of the seller ("ignore your instructions...") are left out of every positive signal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from desktop.core import feedback_wording as fb
from desktop.core.difficulty import Difficulty
from desktop.core.evidence.objections import ObjectionEvent, detect_objections, objection_kinds
from desktop.core.metrics import compute_metrics, conversation, turns
from desktop.core.results import HEURISTIC_GRADER, CallMetrics, Grade
from desktop.core.rubric import (
    ADDRESS_RE,
    AGREE_RE,
    ARGUE_RE,
    CALLED_BACK_RE,
    COMPANY_RE,
    EMPATHY_RE,
    FOLLOWUP_RE,
    GREETING_RE,
    INTRO_PLAIN_RE,
    INTRO_RE,
    INTRO_RE_LOW,
    MEETING_RE,
    META_RE,
    MONEY_RE,
    NEXT_STEP_RE,
    NOT_NAMES,
    PERMISSION_RE,
    PRESSURE_RE,
    REASON_RE,
    REFUSE_RE,
    SEND_RE,
    SPECIFIC_RE,
    STRONG_EMPATHY_RE,
    SUMMARY_RE,
    TOPICS,
    VAGUE_STEP_RE,
    WARM_RE,
    has_money,
    topics_of,
)
from desktop.core.textcues import ACK_RE, COMMON_OBJECTIONS, keywords, sentence_kind, sentences, words
from desktop.core.transcript import Speaker, TranscriptLine

# A won call is worth about one assignment fee, scaled by difficulty and by how well it went.
BASE_EARNINGS = 5000
XP_BASE = 50
XP_PER_POINT = 2

Found = fb.Found
THANKS_RE = re.compile(r"\b(?:thank|appreciate)")
HARSH_RE = re.compile(f"{PRESSURE_RE.pattern}|{ARGUE_RE.pattern}")


class _Sentence(NamedTuple):
    text: str  # verbatim, for quoting
    low: str  # lower-cased with straight apostrophes, for matching
    kind: str | None  # "open", "closed" or None when it is not a question
    topics: tuple[str, ...]  # discovery topics it asks about


def _low(text: str) -> str:
    return text.lower().replace("’", "'")


def _parse(line: TranscriptLine) -> tuple[_Sentence, ...]:
    parsed = []
    for part in sentences(line.text) or [line.text]:
        low = _low(part)
        kind = sentence_kind(part)
        # Topics count only when asked about, so statements are not scanned for them; "would you take $800 an acre?"
        # puts a price to the seller, it discovers nothing.
        # A question that proposes the next step ("Could I come by Tuesday to see the units?") discovers nothing.
        asks = kind and not has_money(low) and not (SPECIFIC_RE.search(low) and MEETING_RE.search(low))
        parsed.append(_Sentence(part, low, kind, topics_of(low) if asks else ()))
    return tuple(parsed)


@dataclass(frozen=True)
class _Call:
    """The facts of one call the scorers share, worked out once: the trainee's lines are split and read a single
    time, which keeps a long call well inside the grader's time budget."""

    trainee: tuple[TranscriptLine, ...]
    grouped: tuple[tuple[TranscriptLine, ...], ...]
    seller_name: str | None
    trainee_name: str | None
    events: tuple[ObjectionEvent, ...]
    lows: dict[int, str]
    parsed: dict[int, tuple[_Sentence, ...]]
    pressure: frozenset[int]  # seqs of lines that pressure the seller
    arguing: frozenset[int]  # seqs of lines that argue with the seller
    seller_text: dict[int, str]  # seq -> what the seller said, for tips that recall it

    def first_sentence(self, line: TranscriptLine, last: bool = False) -> Found:
        parts = self.parsed[line.seq]
        return line, (parts[-1] if last else parts[0]).text

    def find(self, lines: Sequence[TranscriptLine], rx: re.Pattern[str]) -> Found | None:
        """The first trainee line with a sentence matching rx, and that sentence: a verbatim piece to quote."""
        for line in lines:
            if rx.search(self.lows[line.seq]) is None:
                continue
            for sentence in self.parsed[line.seq]:
                if rx.search(sentence.low):
                    return line, sentence.text
        return None


def _names(
    conv: Sequence[TranscriptLine], trainee: Sequence[TranscriptLine], given: str | None
) -> tuple[str | None, str | None]:
    """(seller's first name, trainee's first name): the persona's name if known, else introductions and greetings."""
    mine = (m.group(1) for ln in trainee[:3] for m in INTRO_RE.finditer(ln.text))
    own = next((name for name in mine if name not in NOT_NAMES), None)
    if given and given.split():
        return given.split()[0], own
    candidates = [m.group(1) for ln in trainee[:2] for m in ADDRESS_RE.finditer(ln.text)]
    sellers = [ln for ln in conv if ln.speaker == Speaker.SELLER][:3]
    candidates += [m.group(1) for ln in sellers for m in INTRO_RE.finditer(ln.text)]
    return next((n for n in candidates if n not in NOT_NAMES and n != own), None), own


def _band(value: float, steps: Sequence[tuple[float, int]]) -> int:
    return next((points for limit, points in steps if value <= limit), 0)


def _rapport(call: _Call, metrics: CallMetrics, notes: fb.Notes, lowball: Found | None) -> int:
    opener = call.trainee[:2]
    greeting = call.find(opener, GREETING_RE)
    intro = call.trainee_name is not None or any(INTRO_PLAIN_RE.search(ln.text) for ln in call.trainee[:3])
    reason = call.find(call.trainee[:3], REASON_RE)
    company = any(COMPANY_RE.search(ln.text) for ln in call.trainee[:3])  # capitals matter: not lower-cased
    # On a call-back the seller already knows why they are talking; thanking them for calling does the same job.
    inbound = call.find(call.trainee[:1], CALLED_BACK_RE)
    permission = call.find(call.trainee, PERMISSION_RE)
    score = 5 * bool(greeting) + 15 * intro + 10 * bool(company) + 10 * bool(reason or inbound)
    score += 15 * bool(permission or inbound)
    name = call.seller_name
    named = name is not None and any(re.search(rf"\b{re.escape(name)}\b", ln.text) for ln in opener)
    reused = name is not None and any(re.search(rf"\b{re.escape(name)}\b", ln.text) for ln in call.trainee[2:])
    empathy = [ln for ln in call.trainee if EMPATHY_RE.search(call.lows[ln.seq])]
    score += 5 * named + 5 * reused + _band(-len(empathy), [(-3, 20), (-2, 15), (-1, 10)])
    ratio = metrics.talk_ratio
    if ratio is None:
        # Typed calls have no speech timing; the share of words is the nearest thing to a talk ratio.
        mine = sum(len(words(ln.text)) for ln in call.trainee)
        total = mine + sum(len(words(ln.text)) for t in call.grouped for ln in t if ln.speaker == Speaker.SELLER)
        ratio = mine / total if total else 0.0
    score += 6 if ratio < 0.25 else _band(ratio, [(0.60, 10), (0.65, 5)])
    pressure = [ln for ln in call.trainee if ln.seq in call.pressure]
    arguing = [ln for ln in call.trainee if ln.seq in call.arguing]
    # Talking over the seller costs trust; the first time may be an accident. So do a price before any question and
    # a concern brushed off.
    overtalk = max(0, (metrics.interruptions or 0) - 1)
    brushed_off = any(e.reply_seqs and not e.answered for e in call.events)
    # The standard's tiers set the floor and the ceiling (strong: name, reason, permission and warmth; good: name,
    # reason and permission, or name and warmth; fair: some of it); the points above move the score within them.
    opened = bool(reason or inbound) and bool(permission or inbound)
    # An acknowledgement that answers an objection is objection handling; warmth is toward the person.
    answers = {e.answer_seq for e in call.events}
    warm = any(WARM_RE.search(call.lows[ln.seq]) for ln in call.trainee) or any(ln.seq not in answers for ln in empathy)
    if intro and opened and warm:
        score = max(score, 82)
    elif intro and (opened or warm):
        score = min(max(score, 64), 79)
    elif intro or opened or warm or company:
        score = min(max(score, 45), 59)
    else:
        score = min(score, 35)
    # Talking through most of a spoken call costs trust whatever the opener was (typed words are no measure of it).
    score -= 8 * (metrics.talk_ratio is not None and ratio > 0.65)
    score -= min(45, 15 * len(pressure)) + min(30, 10 * len(arguing)) + min(20, 4 * overtalk)
    score -= 10 * bool(lowball) + 8 * brushed_off * (score < 60)

    if intro and greeting:
        notes.strength(4, call.find(opener, INTRO_RE_LOW) or greeting, fb.OPENER if reason else fb.GREETING)
    elif opener:
        notes.improve(5, call.first_sentence(opener[0]), fb.NO_INTRO)
    if permission:
        notes.strength(3, permission, fb.PERMISSION)
    elif opener:
        notes.improve(3, call.first_sentence(opener[0]), fb.NO_PERMISSION)
    if empathy:
        notes.strength(5, call.find(empathy, STRONG_EMPATHY_RE) or call.find(empathy, EMPATHY_RE), fb.EMPATHY)
    if pressure:
        notes.improve(10, call.find(pressure, PRESSURE_RE), fb.PRESSURE)
    return max(0, min(100, score))


_COVERAGE = (5, 40, 45, 60, 80, 85)  # topics asked about (0-5) -> the base of the discovery score


def _discovery(call: _Call, notes: fb.Notes) -> int:
    asked: dict[str, Found] = {}
    open_q: list[Found] = []
    closed_q: list[tuple[Found, str | None]] = []
    followups: list[Found] = []
    previous_seller = ""
    for turn in call.grouped:
        if turn[0].speaker == Speaker.SELLER:
            previous_seller = " ".join(ln.text for ln in turn)
            continue
        seller_words: set[str] | None = None
        followed = False
        for line in (ln for ln in turn if ln.seq in call.lows):
            for sentence, low, kind, topics in call.parsed[line.seq]:
                if not kind:
                    continue
                for topic in topics:
                    asked.setdefault(topic, (line, sentence))
                if kind == "open":
                    open_q.append((line, sentence))
                elif line is not call.trainee[0] and not PERMISSION_RE.search(low):
                    closed_q.append(((line, sentence), topics[0] if topics else None))
                # A follow-up picks up a word the seller just used, or asks them to say more.
                if previous_seller and not followed:
                    if seller_words is None:
                        seller_words = {w for w in keywords(previous_seller) if len(w) >= 4}
                    if keywords(sentence) & seller_words or FOLLOWUP_RE.search(low):
                        followed = True
                        followups.append((line, sentence))
    # Coverage of the five topics sets the band (the reference's "what a good first call finds out"); open questions
    # and follow-ups move the score within it, so a short call that covers the ground is not marked down for length.
    asking = sum(
        1 for turn in call.grouped for ln in turn if ln.seq in call.parsed for p in call.parsed[ln.seq] if p.topics
    )
    # One closed question is not discovery; one open one that the seller answers is a start.
    base = _COVERAGE[min(len(asked), 5)] if asking >= 2 else _COVERAGE[0] + (35 if open_q and asked else 15 * asking)
    score = base + min(14, 4 * min(3, len(open_q)) + 3 * min(2, len(followups)))
    closed_topical = sum(1 for found, topic in closed_q if topic)
    if closed_topical >= 3 * max(1, len(open_q)):
        score = min(score, 59)  # mostly yes/no questions: an interrogation, not a conversation
    best = asked.get("motivation") or (open_q[0] if open_q else None)
    if best:
        notes.strength(7, best, fb.OPEN_QUESTION)
    later = [f for f in followups if f != best]
    if len(followups) >= 2 and later:
        notes.strength(2, later[0], fb.FOLLOW_UP)
    if closed_q and len(closed_q) >= len(open_q):
        found, topic = closed_q[0]
        notes.improve(5, found, fb.closed_question(topic))
    anchor = best or (closed_q[0][0] if closed_q else call.first_sentence(call.trainee[0]))
    missing = [topic for topic in TOPICS if topic not in asked]
    if missing:
        notes.recommend(5, anchor, fb.missing_topics(missing))
    return max(0, min(100, score))


def _objections(call: _Call, notes: fb.Notes, lowball: Found | None) -> int:
    by_pattern: dict[str, list[ObjectionEvent]] = {}
    for event in call.events:
        by_pattern.setdefault(event.pattern, []).append(event)
    lookup = {ln.seq: ln for ln in call.trainee}
    answered: list[float] = []  # per objection: 1 when its best reply answered it, else 0
    full: list[float] = []  # per objection: 1 when that reply both acknowledged it and took it up
    argued_count = 0
    for pattern, events in by_pattern.items():
        # An objection raised again and answered the second time counts as answered: the seller heard an answer.
        scored: list[tuple[int, ObjectionEvent, list[TranscriptLine]]] = []
        for event in events:
            reply = [lookup[s] for s in event.reply_seqs if s in lookup]
            argued = any(ln.seq in call.arguing or ln.seq in call.pressure for ln in reply)
            argued_count += argued
            points = 0 if not event.answered or argued else 1 + (event.acknowledged and event.questioned)
            scored.append((points, event, reply))
        top = max(points for points, _, _ in scored)
        answered.append(1.0 if top else 0.0)
        full.append(1.0 if top == 2 else 0.0)
        best, best_event, _ = max(scored, key=lambda item: item[0])
        if best == 2 and best_event.answer_seq in lookup:
            answer = lookup[best_event.answer_seq]
            found = call.find([answer], ACK_RE) or call.first_sentence(answer)
            notes.strength(9, found, fb.OBJECTION_HANDLED, about="objection_handled")
        for _, event, reply in scored:
            harsh = [ln for ln in reply if ln.seq in call.arguing or ln.seq in call.pressure]
            if harsh:
                found = call.find(harsh, ARGUE_RE) or call.find(harsh, PRESSURE_RE) or call.first_sentence(harsh[0])
                notes.improve(8, found, fb.ARGUED, about="objection_argued")
            elif reply and not event.answered:
                tip = fb.missed_objection(objection_kinds(pattern), call.seller_text.get(event.seller_seq, pattern))
                notes.improve(6, call.first_sentence(reply[0]), tip, about="objection_missed")
    # The share answered sets the band (about half answered is fair, all is good); answering each fully (an
    # acknowledgement and a question or a straight answer) makes it strong.
    if answered:
        score = 15 + 55 * sum(answered) / len(answered) + 30 * sum(full) / len(full) - min(30, 15 * argued_count)
    else:
        # Nothing to handle: a middling score, lower when the trainee barely took part.
        score = 60 if len(call.trainee) >= 3 else 20
    if lowball:
        score -= 10
        notes.improve(9, lowball, fb.LOWBALL)
    pressure = len(call.pressure)
    return max(0, min(100, round(score - min(30, 15 * pressure))))


def _closing(call: _Call, notes: fb.Notes) -> tuple[int, bool]:
    # A next step is specific when it is a conversation or a visit at a named time; sending something is concrete
    # but leaves the seller no commitment; "I'll call you back" is not a step at all.
    ask = call.find(call.trainee, NEXT_STEP_RE)
    sending = call.find(call.trainee, SEND_RE)
    specific = _specific_step(call)
    vague = call.find(call.trainee[2:], VAGUE_STEP_RE)
    summary = call.find(call.trainee[2:], SUMMARY_RE)
    # The seller agrees to a next step or a price the trainee just put to them. Seller agreement is rare, so it is
    # looked for first and only then is the trainee's turn before it read.
    agreed = False
    for i, turn in enumerate(call.grouped[1:], start=1):
        if agreed or turn[0].speaker != Speaker.SELLER:
            continue
        reply = _low(" ".join(ln.text for ln in turn))
        if AGREE_RE.search(reply) and not REFUSE_RE.search(reply):
            asked = [call.lows[ln.seq] for ln in call.grouped[i - 1] if ln.seq in call.lows]
            agreed = any(NEXT_STEP_RE.search(low) or SEND_RE.search(low) or has_money(low) for low in asked)
    # A step the seller agrees to counts for more only when it is specific: agreeing to "I'll send it" is still an
    # untimed step (fair); a summary with only a promise to be in touch is good, the promise alone is not a step.
    score = 65 if specific else 50 if (sending or ask) else 40 if (vague and summary) else 20
    score += 20 * bool(summary) + 10 * (agreed and bool(specific))
    score += 5 * any(THANKS_RE.search(call.lows[ln.seq]) for ln in call.trainee[-2:])
    ask = specific or ask or sending
    if specific:
        notes.strength(8, specific, fb.NEXT_STEP)
    elif ask:
        notes.improve(4, ask, fb.VAGUE_NEXT_STEP)
    else:
        notes.improve(7, call.first_sentence(call.trainee[-1], last=True), fb.NO_NEXT_STEP)
        score = min(score, 60 if vague and summary else 25)
    if summary:
        notes.strength(6, summary, fb.SUMMARY)
    else:
        notes.recommend(4, ask or call.first_sentence(call.trainee[-1], last=True), fb.NO_SUMMARY)
    return max(0, min(100, score)), agreed


def _specific_step(call: _Call) -> Found | None:
    """A conversation or a visit at a named time: the time and the meeting in one sentence or in two that follow
    each other ("Would it help if I got you all on a call? Maybe Thursday at seven?")."""
    for line in call.trainee:
        if SPECIFIC_RE.search(call.lows[line.seq]) is None:
            continue
        parts = call.parsed[line.seq]
        for i, part in enumerate(parts):
            if SPECIFIC_RE.search(part.low) and any(MEETING_RE.search(p.low) for p in parts[max(0, i - 1) : i + 1]):
                return line, part.text
    return None


def _lowball(call: _Call) -> Found | None:
    """The trainee naming a price before asking a single discovery question, and before the seller named one."""
    seller_priced = False
    for turn in call.grouped:
        if turn[0].speaker == Speaker.SELLER:
            seller_priced = seller_priced or any(has_money(_low(ln.text)) for ln in turn)
            continue
        mine = [ln for ln in turn if ln.seq in call.lows]
        found = call.find(mine, MONEY_RE)
        if found and not seller_priced:
            return found
        if any(s.kind and s.topics for ln in mine for s in call.parsed[ln.seq]):
            return None
    return None


@dataclass(frozen=True)
class GradeEvidence:
    """A grade with what it rests on: the objections found (and where each was answered) and the line each piece
    of feedback is about. The labelled-set benchmark and the coach read it; the store keeps only the grade."""

    grade: Grade
    objections: tuple[ObjectionEvent, ...] = ()
    pins: tuple[fb.Pin, ...] = ()


def grade_call(
    lines: Sequence[TranscriptLine],
    *,
    objection_patterns: Sequence[str] = (),
    difficulty: Difficulty = Difficulty.ROOKIE,
    metrics: CallMetrics | None = None,
    seller_name: str | None = None,
) -> Grade:
    """Grade a call by rule, deterministically.

    objection_patterns: the persona's; without them the common objections from the reference are looked for.
    difficulty: scales the virtual earnings of a won call and the XP. metrics: reused when given, else computed
    (as a voice call when any line has a duration). seller_name: the persona's name, to notice the trainee using
    it; without it the name is read from the greetings.
    """
    return grade_with_evidence(
        lines, objection_patterns=objection_patterns, difficulty=difficulty, metrics=metrics, seller_name=seller_name
    ).grade


def grade_with_evidence(
    lines: Sequence[TranscriptLine],
    *,
    objection_patterns: Sequence[str] = (),
    difficulty: Difficulty = Difficulty.ROOKIE,
    metrics: CallMetrics | None = None,
    seller_name: str | None = None,
) -> GradeEvidence:
    """`grade_call`, with the evidence behind the grade."""
    conv = conversation(lines)
    # Lines that address the grader are dropped before anything is read, so they can earn nothing anywhere.
    clean = [
        ln for ln in conv if ln.speaker != Speaker.TRAINEE or (ln.text.strip() and not META_RE.search(_low(ln.text)))
    ]
    events = detect_objections(clean, objection_patterns or COMMON_OBJECTIONS)
    if metrics is None:
        voice = any(ln.duration_ms > 0 for ln in conv)
        reuse = objection_patterns and len(clean) == len(conv)
        found = events if reuse else None
        metrics = compute_metrics(conv, objection_patterns=objection_patterns, voice=voice, objection_events=found)
    trainee = tuple(ln for ln in clean if ln.speaker == Speaker.TRAINEE)
    if not trainee:
        return GradeEvidence(Grade(0, 0, 0, 0, improvements=(fb.SILENT,), grader=HEURISTIC_GRADER), tuple(events))
    seller, own = _names(clean, trainee, seller_name)
    grouped = tuple(tuple(t) for t in turns(clean))
    lows = {ln.seq: _low(ln.text) for ln in trainee}
    parsed = {ln.seq: _parse(ln) for ln in trainee}
    # Both are rare; one combined scan rules most lines out before telling them apart.
    harsh = [(seq, low) for seq, low in lows.items() if HARSH_RE.search(low)]
    pressure = frozenset(seq for seq, low in harsh if PRESSURE_RE.search(low))
    arguing = frozenset(seq for seq, low in harsh if ARGUE_RE.search(low))
    seller_text = {ln.seq: ln.text for ln in clean if ln.speaker == Speaker.SELLER}
    call = _Call(trainee, grouped, seller, own, tuple(events), lows, parsed, pressure, arguing, seller_text)

    notes = fb.Notes()
    lowball = _lowball(call)
    rapport = _rapport(call, metrics, notes, lowball)
    discovery = _discovery(call, notes)
    objection = _objections(call, notes, lowball)
    closing, agreed = _closing(call, notes)
    fb.delivery_notes(notes, trainee, metrics)
    grade = Grade(rapport, discovery, objection, closing)

    mult = difficulty.profile.earnings_multiplier
    earnings = int(round(BASE_EARNINGS * mult * grade.overall / 100)) if agreed else 0
    xp = int(round((XP_BASE + XP_PER_POINT * grade.overall) * mult))
    if grade.overall >= 80:
        notes.recommend(6, notes.best_quote() or call.first_sentence(trainee[0]), fb.level_up(difficulty))
    final = Grade(
        rapport,
        discovery,
        objection,
        closing,
        strengths=notes.strengths(),
        improvements=notes.improvements(),
        recommendations=notes.recommendations(),
        grader=HEURISTIC_GRADER,
        virtual_earnings=earnings,
        xp_earned=xp,
    )
    return GradeEvidence(final, tuple(events), notes.pins())

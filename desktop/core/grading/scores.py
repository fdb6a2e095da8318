"""The rule grader's four scores (rapport, discovery, objection handling, closing), each from the call's facts, with
the notes that explain it. The bands follow the written standard in the labelled set (tests/core/labelled)."""

from __future__ import annotations

import re

from desktop.core.evidence.objections import ObjectionEvent, objection_kinds
from desktop.core.grading import feedback_wording as fb
from desktop.core.grading.facts import CallFacts, Found, band, lower, permission_line
from desktop.core.grading.rubric import (
    AGREE_RE,
    ARGUE_RE,
    CALLED_BACK_RE,
    COMPANY_RE,
    CONCERN_RESPECTED_RE,
    EMPATHY_RE,
    FOLLOWUP_RE,
    GREETING_RE,
    INTRO_PLAIN_RE,
    INTRO_RE_LOW,
    MEETING_RE,
    MONEY_RE,
    NEXT_STEP_RE,
    OPENING_TIME_CHECK_RE,
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
)
from desktop.core.results import CallMetrics
from desktop.core.textcues import ACK_RE, keywords, words
from desktop.core.transcript import Speaker, TranscriptLine

THANKS_RE = re.compile(r"\b(?:thank|appreciate)")
# Asking the seller to call back leaves the step to them.
SELLER_CALLS_RE = re.compile(r"\b(?:call (?:me|us|this number|the office) back|give (?:me|us) a call)\b")


def rapport(call: CallFacts, metrics: CallMetrics, notes: fb.Notes, lowball: Found | None) -> int:
    opener = call.trainee[:2]
    greeting = call.find(opener, GREETING_RE)
    intro = call.trainee_name is not None or any(INTRO_PLAIN_RE.search(ln.text) for ln in call.trainee[:3])
    reason = call.find(call.trainee[:3], REASON_RE)
    company = any(COMPANY_RE.search(ln.text) for ln in call.trainee[:3])  # capitals matter: not lower-cased
    # On a call-back the seller already knows why they are talking; thanking them for calling does the same job.
    inbound = call.find(call.trainee[:1], CALLED_BACK_RE)
    asked = permission_line(call.trainee, call.grouped)
    # The sentence to quote: the permission ask, or the opening's closing time check.
    permission = asked and (call.find([asked], PERMISSION_RE) or call.find([asked], OPENING_TIME_CHECK_RE))
    score = 5 * bool(greeting) + 15 * intro + 10 * bool(company) + 10 * bool(reason or inbound)
    score += 15 * bool(permission or inbound)
    name = call.seller_name
    named = name is not None and any(re.search(rf"\b{re.escape(name)}\b", ln.text) for ln in opener)
    reused = name is not None and any(re.search(rf"\b{re.escape(name)}\b", ln.text) for ln in call.trainee[2:])
    empathy = [ln for ln in call.trainee if EMPATHY_RE.search(call.lows[ln.seq])]
    score += 5 * named + 5 * reused + band(-len(empathy), [(-3, 20), (-2, 15), (-1, 10)])
    ratio = metrics.talk_ratio
    if ratio is None:
        # Typed calls have no speech timing; the share of words is the nearest thing to a talk ratio.
        mine = sum(len(words(ln.text)) for ln in call.trainee)
        total = mine + sum(len(words(ln.text)) for t in call.grouped for ln in t if ln.speaker == Speaker.SELLER)
        ratio = mine / total if total else 0.0
    score += 6 if ratio < 0.25 else band(ratio, [(0.60, 10), (0.65, 5)])
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
    # Thanking a seller who called back stands in for the reason of the call (above); it is not also the warmth.
    said = [call.lows[ln.seq] for ln in call.trainee]
    if inbound and said:
        said[0] = CALLED_BACK_RE.sub("", said[0])
    warm = any(WARM_RE.search(text) for text in said) or any(ln.seq not in answers for ln in empathy)
    warm = warm or any(CONCERN_RESPECTED_RE.search(text) for text in said)
    # Staying kind under a guarded seller: every one of several concerns acknowledged, in words of understanding.
    warm = warm or (len(call.events) >= 2 and all(e.acknowledged for e in call.events) and len(empathy) >= 2)
    # Talking more than the seller on a spoken call moves the score within its tier (the standard's tiers do not
    # weigh talk time, and typed words are no measure of it); a monologue (over 80 % of the talk) costs a tier.
    # Talking back about a concern the seller holds ("those listings
    # never sell for that") is not warmth, however polite: such a call is good at best.
    score -= 8 * (metrics.talk_ratio is not None and ratio > 0.65)
    rebutted = any(event.rebuttal_seq is not None for event in call.events)
    if intro and opened and warm and not rebutted:
        score = max(score, 82)
    elif intro and (opened or warm):
        score = min(max(score, 64), 79)
    elif intro or opened or warm or company:
        score = min(max(score, 45), 59)
    else:
        score = min(score, 35)
    score -= 8 * (metrics.talk_ratio is not None and ratio > 0.8)
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


def discovery(call: CallFacts, notes: fb.Notes) -> int:
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
                # "What time works for me to call back?" proposes the next step; it opens no discovery.
                if kind == "open" and (topics or not (SPECIFIC_RE.search(low) and MEETING_RE.search(low))):
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


def objection_handling(call: CallFacts, notes: fb.Notes, lowball: Found | None) -> int:
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


def closing(call: CallFacts, notes: fb.Notes) -> tuple[int, bool]:
    # A next step is specific when it is a conversation or a visit at a named time; sending something is concrete
    # but leaves the seller no commitment; "I'll call you back" is not a step at all.
    ask = call.find(call.trainee, NEXT_STEP_RE)
    sending = call.find(call.trainee, SEND_RE)
    specific = specific_step(call)
    vague = call.find(call.trainee[2:], VAGUE_STEP_RE)
    # A recap the recogniser broke into sentences ("So you're moving by next month. There's two thousand owed and...")
    # matches only across them: the line then stands for it, quoted from its first sentence.
    summary = call.find(call.trainee[2:], SUMMARY_RE) or next(
        (call.first_sentence(ln) for ln in call.trainee[2:] if SUMMARY_RE.search(call.lows[ln.seq])), None
    )
    # The seller agrees to a next step or a price the trainee just put to them. Seller agreement is rare, so it is
    # looked for first and only then is the trainee's turn before it read.
    agreed = False
    for i, turn in enumerate(call.grouped[1:], start=1):
        if agreed or turn[0].speaker != Speaker.SELLER:
            continue
        reply = lower(" ".join(ln.text for ln in turn))
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


def specific_step(call: CallFacts) -> Found | None:
    """A conversation or a visit at a named time: the time and the meeting in one sentence or in two that follow
    each other ("Would it help if I got you all on a call? Maybe Thursday at seven?")."""
    for line in call.trainee:
        if SPECIFIC_RE.search(call.lows[line.seq]) is None:
            continue
        parts = call.parsed[line.seq]
        for i, part in enumerate(parts):
            # Asking the seller to call back leaves the step to them: it is no step of the trainee's.
            if (
                SPECIFIC_RE.search(part.low)
                and not SELLER_CALLS_RE.search(part.low)
                and any(MEETING_RE.search(p.low) for p in parts[max(0, i - 1) : i + 1])
            ):
                return line, part.text
    return None


def find_lowball(call: CallFacts) -> Found | None:
    """The trainee naming a price before asking a single discovery question, and before the seller named one."""
    seller_priced = False
    for turn in call.grouped:
        if turn[0].speaker == Speaker.SELLER:
            seller_priced = seller_priced or any(has_money(lower(ln.text)) for ln in turn)
            continue
        mine = [ln for ln in turn if ln.seq in call.lows]
        found = call.find(mine, MONEY_RE)
        if found and not seller_priced:
            return found
        if any(s.kind and s.topics for ln in mine for s in call.parsed[ln.seq]):
            return None
    return None

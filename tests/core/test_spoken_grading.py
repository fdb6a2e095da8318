"""The rule grader on the spoken version of the labelled set (tests/core/labelled/spoken.py): the trainee's lines as
the on-device recogniser heard them spoken, against the typed calls' labels."""

from __future__ import annotations

import statistics

import pytest

from desktop.core.transcript import Speaker, TranscriptLine
from tests.core.labelled import KEYS
from tests.core.labelled.agreement import measure
from tests.core.labelled.spoken import (
    FRESH_SPOKEN_CALLS,
    FRESH_SPOKEN_PATH,
    OTHER_VOICE_PATHS,
    OTHER_VOICE_SHIFT,
    SPOKEN_CALLS,
    every_call,
    fresh_spoken_calls,
    hear,
    load_cache,
    spoken_calls,
    stale_entries,
    vocabulary_prompt_for,
    voice_of,
)
from tests.speech.spoken import word_error_rate

# Measured on the cache of 5 Dec 2026 (18 calls, 72 bands). All three meet the floors on these calls; the
# fresh spoken calls' bands do not: see `test_fresh_spoken_calls_are_measured_as_they_are`.
SPOKEN_BANDS_FLOOR = 62
FRESH_SPOKEN_BANDS_FLOOR = 87  # of 108 (typed: 96)
FRESH_SPOKEN_LOST = 9


def test_the_cache_still_holds_the_typed_calls_lines() -> None:
    """An edited labelled call must be recognised again (benchmarks/grading_agreement.py --refresh-spoken)."""
    assert stale_entries(load_cache()["calls"]) == []
    assert stale_entries(load_cache(FRESH_SPOKEN_PATH)["calls"], FRESH_SPOKEN_CALLS) == []


def test_the_cache_notices_an_edited_line() -> None:
    cached = load_cache()["calls"]
    cached["dale-1"]["lines"][1]["typed"] = "Something the call no longer says."
    del cached["ray-3"]
    problems = stale_entries(cached)
    assert any("ray-3" in p for p in problems) and any(p.startswith("dale-1") for p in problems)


def test_the_spoken_calls_cover_every_objection_kind_and_were_really_recognised() -> None:
    calls = every_call()
    assert len(SPOKEN_CALLS) >= 12
    raised = {r.key for name in SPOKEN_CALLS for r in calls[name].raisings}
    in_the_set = {r.key for call in calls.values() for r in call.raisings}
    assert raised == in_the_set == set(KEYS)
    assert {calls[name].persona_id for name in SPOKEN_CALLS} == {c.persona_id for c in calls.values()}
    rows = [row for entry in load_cache()["calls"].values() for row in entry["lines"]]
    errors = [word_error_rate(row["typed"], row["heard"]) for row in rows]
    # Real recognition: most lines differ somewhere from what was typed, but the words are mostly right.
    assert sum(e > 0 for e in errors) > len(rows) / 3
    assert statistics.mean(errors) < 0.25


def test_the_grader_agrees_with_the_labels_on_spoken_calls() -> None:
    """Objections keep the issue's floors through the recogniser, and bands reach 86.1 % (62/72; 50/72 before the cues
    learned the recogniser's habits, 60/72 before three labels were corrected to the written standard; the same 18
    calls typed: 63/72). The recogniser's mistakes land on the words the band rules read. Examples from the cache:
    a next step cut off ("Could I email you the sales and a written offer by Thursday, and call you Friday at noon?"
    lost from a two-sentence turn, closing strong -> fair), "Is anyone else on the deed?" heard as "...the one else
    on the beat" (no longer a question), the seller's name and company lost from an opener ("Hello Earl, this is Mia"
    heard as "The world misses me"). Recovered by general cues (test_cues_survive_the_recognisers_habits): "calling
    him out your land", "will" for "would", "have" for "has", an hour that "works for" someone, a recap broken into
    sentences. (Before talk time moved rapport only within its tier, 45/72.)
    The floor below is the measured figure, so it cannot slip."""
    result = measure(spoken_calls())
    report = "\n".join(result.misses)
    assert result.raised >= 0.95, report
    assert result.answered >= 0.90, report
    assert result.bands_agree >= SPOKEN_BANDS_FLOOR, report


def test_fresh_spoken_calls_are_measured_as_they_are() -> None:
    """The 27 fresh held-out calls spoken too (every voice in turn), the honest figure for spoken calls the band rules
    were not built on. Objections keep their floors; bands lose FRESH_SPOKEN_LOST of the typed calls' agreement,
    most on the espeak voice the recogniser hears worst (en-us+f3): "Is now a good time?" heard as "It's now and on
    time." loses the permission ask, a company name heard as "even windfall hills and buyers" loses the introduction.
    The floor is the measured figure, so it cannot slip."""
    spoken = measure(fresh_spoken_calls())
    typed = measure(tuple(every_call()[name] for name in FRESH_SPOKEN_CALLS))
    report = "\n".join(spoken.misses)
    assert len(FRESH_SPOKEN_CALLS) >= 20
    assert spoken.raised >= 0.95 and spoken.answered >= 0.90, report
    assert spoken.bands_agree >= FRESH_SPOKEN_BANDS_FLOOR, report
    assert typed.bands_agree - spoken.bands_agree <= FRESH_SPOKEN_LOST, report


# Counted on the calls spoken by another voice (tests/core/labelled/spoken.py OTHER_VOICE_PATHS), whose misses are
# never read: bands of 72 and 108 (first measured, before the opening time check, at 60 and 79).
OTHER_VOICE_BANDS_FLOOR = {SPOKEN_CALLS: 61, FRESH_SPOKEN_CALLS: 81}


@pytest.mark.parametrize("names", [SPOKEN_CALLS, FRESH_SPOKEN_CALLS], ids=["first", "fresh"])
def test_spoken_calls_in_another_voice_are_measured_as_they_are(names: tuple[str, ...]) -> None:
    """The same calls spoken by another voice each: slips no rule was read on. Objections keep their floors; the
    band floors are the measured figures, so they cannot slip. The assertion shows counts only, not the misses."""
    path = OTHER_VOICE_PATHS[names]
    assert stale_entries(load_cache(path)["calls"], names) == []
    assert all(
        load_cache(path)["calls"][name]["voice"] == voice_of(name, OTHER_VOICE_SHIFT)[0] != voice_of(name)[0]
        for name in names
    )
    heard = measure(spoken_calls(path, names))
    assert heard.raised >= 0.95 and heard.answered >= 0.90, (heard.raised, heard.answered)
    assert heard.bands_agree >= OTHER_VOICE_BANDS_FLOOR[names], (heard.bands_agree, heard.bands_total)


@pytest.mark.parametrize(("name", "seq"), [("dale-1", 4), ("jennifer-1", 10)])
def test_the_recogniser_still_hears_what_the_cache_says(name: str, seq: int, recogniser, speech_dir) -> None:
    """Two cached lines spoken and recognised again: a changed model or decoder would make the cache a fiction."""
    call = every_call()[name]
    row = next(r for r in load_cache()["calls"][name]["lines"] if r["seq"] == seq)
    voice, wpm = voice_of(name)
    heard = hear(recogniser, row["typed"], voice, wpm, vocabulary_prompt_for(call), speech_dir)
    assert word_error_rate(row["heard"], heard) <= 0.15, (row["heard"], heard)


@pytest.fixture(scope="module")
def recogniser():
    from desktop.speech.recogniser import Recogniser

    return Recogniser.load(cpu_threads=2)


@pytest.fixture(scope="module")
def speech_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("spoken-calls")


@pytest.mark.parametrize(
    ("pattern", "heard"),
    [
        ("REASON_RE", "i'm calling him out your 2.5 acres in mohave county."),
        ("SPECIFIC_RE", "okay, what do you get five work for me to call back?"),
        ("SPECIFIC_RE", "could we talk at six o'clock?"),
        ("PERMISSION_RE", "is our okay to talk?"),
        ("PERMISSION_RE", "this is the short time for a quick chat."),
        ("INTRO_PLAIN_RE", "hello mr. feldman, this is a homey can with desert parcel partners."),
    ],
)
def test_cues_survive_the_recognisers_habits(pattern: str, heard: str) -> None:
    """The recogniser's usual slips, as heard in the spoken set, still carry the cue the typed words carry."""
    from desktop.core.grading import rubric

    assert getattr(rubric, pattern).search(heard)


@pytest.mark.parametrize(
    ("heard", "topic"),
    [
        ("what have you holding on to the place these days?", "motivation"),
        ("what do you plan to do in the land?", "motivation"),
        ("when will you want to be done with it?", "timeline"),
        ("what will you need to net from the sale?", "price"),
        ("okay, do you know what you want for it?", "price"),
        ("and is there no one else on it?", "decision"),
        # The canonical motivation question, typed and as heard on a real spoken partner call.
        ("what made you think about selling it now?", "motivation"),
        ("what made you think i'm out selling it now?", "motivation"),
    ],
)
def test_discovery_topics_survive_the_recognisers_habits(heard: str, topic: str) -> None:
    from desktop.core.grading.rubric import topics_of

    assert topic in topics_of(heard)


def _numbered(said) -> list:
    """(speaker, text) pairs as a call's lines, numbered from 1."""
    return [TranscriptLine(i + 1, who, text) for i, (who, text) in enumerate(said)]


def _opening(first_turn: str, later: str = "Do you have any plans for the land?"):

    said = [
        (Speaker.SELLER, "Hello, Priya speaking."),
        (Speaker.TRAINEE, first_turn),
        (Speaker.SELLER, "Okay. What is this about?"),
        (Speaker.TRAINEE, later),
        (Speaker.SELLER, "We were going to build, but we moved for my job."),
    ]
    return _numbered(said)


@pytest.mark.parametrize(
    "heard",
    # The last, heard on a real spoken partner call to Dale (espeak-ng en-us+f3): "Is now a good time?"
    ["It's now and on time.", "It's our mad time.", "This is how I got time.", "Is now a good time?"],
)
def test_a_time_check_heard_as_a_statement_still_asks_permission(heard: str) -> None:
    """ "Is now a good time?" heard as "It's now and on time.": at the end of the opening, a short sentence that ends
    on the seller's time still asks for it, so the trainee is not told to ask permission they asked."""
    from desktop.core.grading.rule_grader import grade_call

    opener = "Hi Priya, this is Ethan with Foothills Land Buyers. I'm calling about your five acres in Polk County."
    asked = grade_call(_opening(f"{opener} {heard}"))
    unasked = grade_call(_opening(opener))
    assert asked.rapport >= 64 > unasked.rapport, (asked.rapport, unasked.rapport)
    assert not any("okay time" in tip for tip in asked.improvements), asked.improvements
    # The coach, asked why rapport scored as it did, reads the opening as the grader does.
    from desktop.core.evidence.moments import skill_facts

    assert "asked permission at line 2" in skill_facts("rapport", _opening(f"{opener} {heard}"), asked)


def test_a_time_check_in_an_opening_cut_into_several_lines_still_asks_permission() -> None:
    """A spoken opening is cut into a line wherever the trainee paused; the time check closing it is still in the
    opening turn, for the grade and the coach alike."""
    from desktop.core.evidence.moments import skill_facts
    from desktop.core.grading.rule_grader import grade_call

    said = [
        (Speaker.SELLER, "Hello?"),
        (Speaker.TRAINEE, "Hi Walter, this is Sam with Blue Ridge Land Partners."),
        (Speaker.TRAINEE, "I'm calling about your twenty acres off Hickory Road."),
        (Speaker.TRAINEE, "It's now and on time."),
        (Speaker.SELLER, "I guess. What is it about?"),
        (Speaker.TRAINEE, "What made you hold on to it all these years?"),
        (Speaker.SELLER, "My dad bought it."),
    ]
    lines = _numbered(said)
    grade = grade_call(lines)
    assert not any("okay time" in tip for tip in grade.improvements), grade.improvements
    assert "asked permission at line 4" in skill_facts("rapport", lines, grade)


@pytest.mark.parametrize(
    "said",
    [
        # After the opening turns, a sentence ending on time is no permission ask.
        ["Hi Priya, this is Ethan with Foothills Land Buyers. I'm calling about your five acres.", "Okay.", "Time."],
        # A longer statement that ends on time asks nothing.
        ["Hi Priya, this is Ethan with Foothills Land Buyers. I've been buying land here for a long time.", "Okay."],
    ],
)
def test_a_sentence_ending_on_time_elsewhere_is_no_permission_ask(said: list[str]) -> None:
    from desktop.core.grading.rule_grader import grade_call

    lines = []
    for text in said:
        lines += [(Speaker.SELLER, "Okay."), (Speaker.TRAINEE, text)]
    call = _numbered(lines)
    assert any("okay time" in tip for tip in grade_call(call).improvements)


def test_proposing_a_time_to_call_back_is_no_open_discovery_question() -> None:
    """Heard as "what do you get five work for me to call back?", the ask for a call-back starts with "what"; it
    proposes the next step and discovers nothing, so a call whose only other question is closed stays poor."""
    from desktop.core.grading.rule_grader import grade_call

    said = [
        (Speaker.SELLER, "Hello?"),
        (Speaker.TRAINEE, "Hi Earl, this is Mia from Rocky Mountain Acreage. Is this a good time?"),
        (Speaker.SELLER, "Not really, I'm at work."),
        (Speaker.TRAINEE, "Of course. Will you be open to selling it at all?"),
        (Speaker.SELLER, "Maybe."),
    ]
    heard = (Speaker.TRAINEE, "Okay, what do you get five work for me to call back?")
    asked = _numbered([*said, heard])
    assert grade_call(asked).discovery < 40

"""The coaching memory: a trainee profile built from past sessions (pure), read from a real store, with goals
written through the writer thread, and the short summary and variables an agent gets at call start."""

from __future__ import annotations

import pytest

from desktop.core.difficulty import Difficulty
from desktop.core.personas import load_builtin_personas
from desktop.core.profile import (
    MAX_GOAL_CHARS,
    MAX_SUMMARY_CHARS,
    Goal,
    PastSession,
    build_profile,
    profile_summary,
    profile_variables,
)
from desktop.core.prompts import MAX_TRAINEE_SUMMARY, build_agent_config
from desktop.core.results import Grade
from desktop.core.scenarios import load_scenarios
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.grading.llm import GradingOutcome
from desktop.grading.queue import save_outcome
from desktop.store.profiles import load_trainee_profile, save_goal
from tests.conftest import start
from tests.grading.test_grading_queue import record_call


def past(n: int, scores=(70, 70, 70, 70), persona="walter-briggs", name="Walter Briggs") -> PastSession:
    overall = round(sum(scores) / 4) if scores else None
    return PastSession(n, persona, name, "PRO", f"2026-01-{n:02d}T10:00:00.000Z", overall, scores, "heuristic")


def test_a_new_trainee_has_an_empty_profile_and_every_variable():
    profile = build_profile([], [])
    assert profile.total_calls == 0 and profile.trend == "new"
    assert profile_summary(profile) == "This is the trainee's first practice call."
    variables = profile_variables(profile, "walter-briggs")
    assert variables["previous_calls_with_persona"] == 0
    assert variables["last_overall"] == "none" and variables["weakest_area"] == "none"
    assert variables["current_goal"] == "none"
    assert all(isinstance(value, (str, int, float)) and value != "" for value in variables.values())


def test_a_recurring_weak_area_is_found_and_a_one_off_is_not():
    sessions = [past(n, (75, 70, 40, 65)) for n in range(1, 5)]  # objection handling weak every time
    sessions.append(past(5, (30, 80, 45, 80)))  # rapport weak once
    profile = build_profile(sessions)
    assert [area.area for area in profile.weak_areas] == ["objection_handling"]
    weakest = profile.weak_areas[0]
    assert (weakest.weak_calls, weakest.of_calls, weakest.average) == (5, 5, 41)
    assert profile_variables(profile, "walter-briggs")["weakest_area"] == "objection handling"


def test_only_recent_calls_decide_what_is_weak():
    old = [past(n, (80, 30, 80, 80)) for n in range(1, 11)]  # discovery was weak...
    recent = [past(n, (80, 85, 80, 40)) for n in range(11, 21)]  # ...then fixed; closing is weak now
    profile = build_profile(old + recent)
    assert [area.area for area in profile.weak_areas] == ["closing"]


def test_scores_over_time_and_the_trend():
    rising = build_profile([past(n, (s, s, s, s)) for n, s in enumerate((40, 42, 41, 60, 65, 70), start=1)])
    assert [point.overall for point in rising.scores] == [40, 42, 41, 60, 65, 70]
    assert rising.trend == "improving" and rising.last_overall == 70
    falling = build_profile([past(n, (s, s, s, s)) for n, s in enumerate((70, 72, 71, 50, 52, 49), start=1)])
    assert falling.trend == "slipping"
    flat = build_profile([past(n) for n in range(1, 7)])
    assert flat.trend == "steady"
    # Order comes from when the calls happened, not from how they were handed in.
    assert [p.session_id for p in build_profile([past(3), past(1), past(2)]).scores] == [1, 2, 3]


def test_personas_practised_with_calls_best_and_last():
    sessions = [
        past(1, (50, 50, 50, 50)),
        past(2, (80, 80, 80, 80)),
        past(3, (60, 60, 60, 60)),
        past(4, (70, 70, 70, 70), persona="rosa-delgado", name="Rosa Delgado"),
        past(5, None),  # not graded yet: counted as a call, not as a score
    ]
    profile = build_profile(sessions)
    walter = profile.persona("walter-briggs")
    assert (walter.calls, walter.best_overall, walter.last_overall) == (4, 80, 60)
    assert [p.persona_id for p in profile.personas] == ["walter-briggs", "rosa-delgado"]
    variables = profile_variables(profile, "walter-briggs")
    assert variables["previous_calls_with_persona"] == 4 and variables["best_with_persona"] == 80
    assert profile_variables(profile, "dale-pruitt")["previous_calls_with_persona"] == 0
    assert "called this seller 4 times before; best score 80" in profile_summary(profile, "walter-briggs")
    assert "not called this seller before" in profile_summary(profile, "dale-pruitt")


def test_the_newest_goal_is_current_and_the_summary_stays_short():
    goals = [
        Goal(1, "Ask about motivation first.", "2026-01-01T00:00:00.000Z"),
        Goal(2, "Summarise before every offer. " * 6, "2026-01-05T00:00:00.000Z"),
    ]
    sessions = [past(n, (75, 70, 40, 45)) for n in range(1, 8)]
    profile = build_profile(sessions, goals)
    assert profile.current_goal.id == 2
    summary = profile_summary(profile, "walter-briggs")
    assert len(summary) <= MAX_SUMMARY_CHARS <= MAX_TRAINEE_SUMMARY
    assert "Recurring weak area: objection handling" in summary
    assert profile_variables(profile, "walter-briggs")["current_goal"].startswith("Summarise before every offer.")


def test_the_summary_reaches_the_sellers_prompt():
    persona = load_builtin_personas()[0]
    scenario = load_scenarios()[0]
    profile = build_profile([past(1, (75, 70, 40, 45), persona=persona.id, name=persona.name)])
    summary = profile_summary(profile, persona.id)
    config = build_agent_config(persona, scenario, Difficulty.PRO, "Sam", trainee_summary=summary)
    assert summary in config.system_prompt
    assert "called this seller once before" in summary


# -- the store -------------------------------------------------------------------------------------------------


def test_the_profile_is_read_from_ended_practice_calls_with_their_newest_grade(repo, queries):
    strong = record_call(repo, "strong_call")
    poor = record_call(repo, "poor_call")
    record_call(repo, "average_call", end=False)  # still active: not a past call
    coach = start(repo, kind="coach", mode="text")
    repo.append_line(coach.id, TranscriptLine(1, Speaker.COACH, "Let's go over your call."))
    repo.end_session(coach.id, end_reason="user_hangup")
    never = start(repo)
    repo.end_session(never.id, end_reason="connection_lost", status="failed")  # never connected
    save_outcome(repo, strong, GradingOutcome(Grade(90, 90, 90, 90), beside=Grade(10, 10, 10, 10)))
    repo.save_grade(poor, Grade(30, 40, 20, 10))
    repo.save_grade(poor, Grade(35, 45, 25, 15, grader="openai:gpt-test"))  # a re-grade: the newest counts

    profile = load_trainee_profile(queries)
    assert profile.total_calls == 2
    assert [(p.session_id, p.overall) for p in profile.scores] == [(strong, 90), (poor, 30)]
    walter = profile.persona("walter-briggs")
    assert (walter.calls, walter.best_overall, walter.last_overall) == (2, 90, 30)


def test_goals_are_saved_through_the_writer_and_become_current(repo, queries, store):
    session_id = record_call(repo, "strong_call")
    first = save_goal(repo, "  Ask two follow-up\nquestions before any number. ", session_id)
    assert first.text == "Ask two follow-up questions before any number."
    # From the GUI thread: hand it to the writer and keep the Future.
    second = repo.submit(save_goal, repo, "Summarise, then ask for a specific next step.").result(5)
    profile = load_trainee_profile(queries)
    assert profile.current_goal == second
    assert [g.id for g in profile.goals] == [second.id, first.id]
    assert first.source_session_id == session_id
    assert len(save_goal(repo, "x" * 1000).text) == MAX_GOAL_CHARS

    with pytest.raises(ValueError, match="a few words"):
        save_goal(repo, "   ")
    with pytest.raises(ValueError, match="no session 999"):
        save_goal(repo, "Listen more.", 999)
    # A goal outlives the call that set it.
    repo.delete_session(session_id)
    kept = next(g for g in load_trainee_profile(queries).goals if g.id == first.id)
    assert kept.source_session_id is None

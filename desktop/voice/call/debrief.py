"""The coach debrief: after a graded call, a second conversation on the same call engine with an AI coach instead of
the seller. Qt-free.

    setup = debrief_setup(queries, session_id, settings, target=target)   # raises DebriefUnavailable
    Call(setup, repository, ...).start()                                   # stored as kind "coach", linked
    ... when it has ended, on a worker thread:
    goal = finish_debrief(repository, queries, coach_session_id)           # the goal, saved to the profile

The coach's prompt holds the call's fenced transcript, its grade and analytics and the trainee's profile
(`desktop/core/coach.py`); the embedded partner plays the coach by rules (`coach_brain.py`) or through a model.
"""

from __future__ import annotations

import dataclasses
import logging

from desktop.core.coach import GradedCall, build_coach_config, find_goal
from desktop.core.difficulty import Difficulty
from desktop.core.personas import Persona
from desktop.core.profile import Goal, TraineeProfile, clean_goal, profile_variables
from desktop.core.scenarios import Scenario
from desktop.core.transcript import Speaker
from desktop.core.vocabulary import GRADED_KINDS, Status
from desktop.settings import Settings
from desktop.store.profiles import load_goals, load_trainee_profile, save_goal
from desktop.store.queries import SessionQueries
from desktop.store.records import SessionRecord
from desktop.store.sessions import SessionRepository
from desktop.voice.call.setup import AgentTarget, CallSetup

log = logging.getLogger(__name__)

COACH_KIND = "coach"


class DebriefUnavailable(Exception):
    """This session cannot be debriefed (yet); the message says why and what to do."""


def reviewable_call(queries: SessionQueries, session_id: int) -> SessionRecord:
    """The stored call a debrief would review. Raises DebriefUnavailable with a message for the trainee."""
    record = queries.get_session(session_id)
    if record is None:
        raise DebriefUnavailable(f"There is no session {session_id}. Pick a call from your history.")
    if record.summary.kind not in GRADED_KINDS:
        raise DebriefUnavailable(f"Session {session_id} is itself a debrief. Pick the practice call it reviewed.")
    if record.summary.status == Status.ACTIVE:
        raise DebriefUnavailable(f"Session {session_id} is still in progress. Debrief it once the call has ended.")
    if not record.lines:
        raise DebriefUnavailable(f"Session {session_id} has no transcript, so there is nothing to talk through.")
    if record.grade is None:
        raise DebriefUnavailable(
            f"Session {session_id} has no grade yet. Wait for grading to finish (or run: roleplay grade "
            f"{session_id}), then start the debrief."
        )
    return record


def graded_call(record: SessionRecord) -> GradedCall:
    assert record.grade is not None
    return GradedCall(
        session_id=record.id,
        lines=record.lines,
        grade=record.grade,
        metrics=record.metrics,
        persona=record.persona,
        scenario=record.scenario,
        difficulty=record.summary.difficulty,
    )


def debrief_setup(
    queries: SessionQueries,
    session_id: int,
    settings: Settings,
    *,
    target: AgentTarget,
    mode: str = "text",
    max_seconds: float | None = None,
    profile: TraineeProfile | None = None,
) -> CallSetup:
    """The call set-up for a debrief of `session_id` ("text" or "voice"), ready for `Call`. Reads the store: call it
    off the GUI thread, or accept a short read. Raises DebriefUnavailable."""
    record = reviewable_call(queries, session_id)
    if profile is None:
        profile = _profile(queries)
    persona = _persona(record)
    config = build_coach_config(graded_call(record), profile, settings.trainee_name)
    if max_seconds is None and settings.max_session_minutes:
        max_seconds = settings.max_session_minutes * 60.0
    return CallSetup(
        persona=persona,
        scenario=_scenario(record),
        difficulty=_difficulty(record.summary.difficulty),
        target=target,
        mode=mode,
        practice_mode=record.practice_mode,
        trainee_name=settings.trainee_name,
        max_seconds=max_seconds,
        memory_variables=dict(profile_variables(profile, persona.id)) if profile is not None else {},
        kind=COACH_KIND,
        agent_speaker=Speaker.COACH,
        agent_config=config,
        parent_session_id=session_id,
    )


def debrief_goal(record: SessionRecord) -> str | None:
    """The goal the coach stated last in a debrief, or None."""
    return find_goal([line.text for line in record.lines if line.speaker is Speaker.COACH])


def finish_debrief(repository: SessionRepository, queries: SessionQueries, coach_session_id: int) -> Goal | None:
    """Saves the goal the coach set to the trainee's profile, linked to the reviewed call; None when no goal was
    stated. Safe to call twice. It waits for the database writer, so run it on a worker thread (not the GUI's and
    not through `repository.submit`)."""
    record = queries.get_session(coach_session_id)
    if record is None or record.summary.kind != COACH_KIND:
        raise ValueError(f"session {coach_session_id} is not a coach debrief")
    text = debrief_goal(record)
    if text is None:
        log.info("debrief %s ended without a goal", coach_session_id)
        return None
    parent = record.parent_session_id
    saved = next((g for g in load_goals() if g.text == clean_goal(text) and g.source_session_id == parent), None)
    return saved or save_goal(repository, text, parent)


def _profile(queries: SessionQueries) -> TraineeProfile | None:
    try:
        return load_trainee_profile(queries)
    except Exception:  # the coach works without the history
        log.warning("could not read the trainee's profile for the debrief", exc_info=True)
        return None


def _persona(record: SessionRecord) -> Persona:
    try:
        return Persona.from_dict(record.persona)
    except (KeyError, TypeError, ValueError):
        log.warning("session %s has an incomplete persona snapshot; the coach uses its name only", record.id)
        return Persona(
            id=record.summary.persona_id,
            name=record.summary.persona_name,
            property_type=str(record.persona.get("property_type") or "a property"),
            location=str(record.persona.get("location") or ""),
            motivation_level="medium",
            conversation_style="friendly",
            objection_patterns=(),
        )


def _scenario(record: SessionRecord) -> Scenario:
    try:
        scenario = Scenario.from_dict(record.scenario)
    except (KeyError, TypeError, ValueError):
        scenario = Scenario(record.summary.scenario_id, str(record.scenario.get("title") or ""), "", "cold_call")
    # A debrief never ends by itself the way a drill does.
    return dataclasses.replace(scenario, max_exchanges=None)


def _difficulty(value: str) -> Difficulty:
    try:
        return Difficulty.parse(value)
    except ValueError:
        return Difficulty.ROOKIE

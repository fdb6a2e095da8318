"""The first steps of a call: what the agent is asked to be (`connection_config`) and the session row, stored before
the first byte is sent (`store_start`). The counterpart of `call_ending`, kept out of `call.py` for the same reason:
the state machine there reads as states, not as the fields of a row or a connection."""

from __future__ import annotations

import logging

from desktop.core.prompts import build_agent_config
from desktop.store.sessions import SessionRepository, StartedSession
from desktop.voice.agent.connection import ConnectionConfig
from desktop.voice.call.setup import CallSetup

log = logging.getLogger(__name__)


def connection_config(setup: CallSetup) -> ConnectionConfig:
    """The persona's prompt, first message and variables (or the setup's own agent, for a debrief), with the trainee's
    memory across calls."""
    config = setup.agent_config or build_agent_config(
        setup.persona, setup.scenario, setup.difficulty, setup.trainee_name, setup.trainee_summary
    )
    return ConnectionConfig(
        agent_id=setup.target.agent_id,
        api_url=setup.target.api_url,
        api_key=setup.target.api_key,
        prompt=config.system_prompt,
        first_message=config.first_message,
        voice_id=setup.target.voice_id or config.voice_id,
        dynamic_variables={**config.dynamic_variables, **setup.memory_variables},
        text_only=setup.mode == "text",
        user_id=setup.trainee_name or None,
    )


def store_start(repo: SessionRepository, setup: CallSetup) -> StartedSession:
    """The new session row, linked to the reviewed call for a debrief. Raises when the row cannot be stored: a call
    that cannot be saved is not placed."""
    started = repo.start_session(
        persona_snapshot=setup.persona.to_dict(),
        scenario_snapshot=setup.scenario.to_dict(),
        difficulty=setup.difficulty.value,
        mode=setup.mode,
        kind=setup.kind,
        practice_mode=setup.practice_mode,
        trainee_name=setup.trainee_name,
        agent_id=setup.target.agent_id,
    )
    if setup.parent_session_id is not None:
        try:
            repo.set_parent_session(started.id, setup.parent_session_id)
        except Exception:  # the debrief still runs; only the link to the reviewed call is missing
            log.exception("could not link session %s to session %s", started.id, setup.parent_session_id)
    return started

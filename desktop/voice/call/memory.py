"""Memory across calls: what the agent is told about the trainee at call start (dynamic variables and a short
summary for the prompt and a contextual update), built from the local history."""

from __future__ import annotations

import logging

from desktop.core.profile import profile_summary, profile_variables
from desktop.store.profiles import load_trainee_profile
from desktop.store.queries import SessionQueries

log = logging.getLogger(__name__)


def memory_for(queries: SessionQueries, persona_id: str) -> tuple[str, dict[str, str | int | float | bool]]:
    """(summary, variables); empty when there is no history or it cannot be read (a call must never fail on it)."""
    try:
        profile = load_trainee_profile(queries)
        return profile_summary(profile, persona_id), dict(profile_variables(profile, persona_id))
    except Exception:
        log.warning("could not build the trainee's profile for the agent", exc_info=True)
        return "", {}

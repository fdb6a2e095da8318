"""The one call planner: from what the trainee asked for (a seller, a scenario, a level, voice or typing) to the
`CallSetup` the engine runs, for the call screen, `roleplay call` and debriefs alike. Qt-free.

It chooses the agent (ElevenLabs or the embedded partner), applies the day's limits (the team backend's last known
ones, else Settings: the daily cap and each call's time limit) unless told not to, and reads the trainee's memory
across calls. It reads the store, so call it off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from desktop.core.clock import to_iso
from desktop.core.difficulty import Difficulty
from desktop.core.limits import can_start_session
from desktop.core.personas import Persona
from desktop.core.scenarios import Scenario
from desktop.core.vocabulary import Kind
from desktop.store.local_data import LocalData
from desktop.store.queries import SessionFilter
from desktop.store.sync_store import SyncStore
from desktop.sync.usage import current_usage
from desktop.voice.agent.target import AgentNotConfigured, choose_agent, target_for
from desktop.voice.call.debrief import DebriefUnavailable, debrief_setup
from desktop.voice.call.memory import memory_for
from desktop.voice.call.setup import CallSetup

# The embedded partner's address, started on first use; raises CallRefused (or its own plain-words error) when the
# partner cannot start.
PartnerUrl = Callable[[], str]


class CallRefused(Exception):
    """The call cannot be placed; the message is for the trainee. `settings_help`: Settings is where to fix it."""

    def __init__(self, message: str, settings_help: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.settings_help = settings_help


@dataclass(frozen=True)
class PlannedCall:
    setup: CallSetup
    usage_note: str = ""  # e.g. "3 of 5 practice calls left today"
    # A caveat about the agent to show beside the call; empty since the built-in partner recognises speech.
    partner_note: str = ""


FROM_LIMITS = "limits"


@dataclass(frozen=True)
class Limits:
    """How the day's limits apply to this call. `enforce`: refuse a call over the daily cap (the GUI and `roleplay
    call`); off for tests and `--ignore-limits`. `max_seconds`: the call's time limit; FROM_LIMITS takes the day's
    limits' own (the team backend's, else Settings'), None means no time limit."""

    enforce: bool = True
    max_seconds: float | None | str = FROM_LIMITS


def plan_call(
    data: LocalData,
    *,
    persona: Persona,
    scenario: Scenario,
    difficulty: Difficulty,
    mode: str,
    practice_mode: bool,
    partner_url: PartnerUrl,
    agent: str | None = None,
    limits: Limits = Limits(),
) -> PlannedCall:
    """A practice call with a seller. Raises CallRefused."""
    settings = data.settings
    try:
        choice = choose_agent(settings, agent, persona.id)
    except AgentNotConfigured as exc:
        raise CallRefused(str(exc), settings_help=True) from exc
    max_seconds, usage_note = _apply_limits(data, limits)
    url = partner_url() if choice.kind == "partner" else ""
    summary, variables = memory_for(data.queries, persona.id)
    setup = CallSetup(
        persona=persona,
        scenario=scenario,
        difficulty=difficulty,
        target=target_for(choice, url),
        mode=mode,
        practice_mode=practice_mode,
        trainee_name=settings.trainee_name,
        max_seconds=max_seconds,
        trainee_summary=summary,
        memory_variables=variables,
    )
    return PlannedCall(setup, usage_note)


def plan_debrief(
    data: LocalData,
    session_id: int,
    *,
    mode: str,
    partner_url: PartnerUrl,
    agent: str | None = None,
    max_seconds: float | None = None,
) -> PlannedCall:
    """A coach debrief of a graded call. It is not a practice call: the daily cap does not apply, only the time
    limit (`max_seconds`, else Settings'). Raises CallRefused."""
    settings = data.settings
    try:
        choice = choose_agent(settings, agent)
    except AgentNotConfigured as exc:
        raise CallRefused(str(exc), settings_help=True) from exc
    url = partner_url() if choice.kind == "partner" else ""
    try:
        setup = debrief_setup(
            data.queries, session_id, settings, target=target_for(choice, url), mode=mode, max_seconds=max_seconds
        )
    except DebriefUnavailable as exc:
        raise CallRefused(str(exc)) from exc
    return PlannedCall(setup, "")


def _apply_limits(data: LocalData, limits: Limits) -> tuple[float | None, str]:
    """(the call's time limit in seconds, the note on calls left today)."""
    usage = current_usage(SyncStore(data.repository), data.settings)
    max_seconds = usage.limits.max_session_seconds if limits.max_seconds == FROM_LIMITS else limits.max_seconds
    if not limits.enforce:
        return max_seconds, ""  # type: ignore[return-value]
    midnight = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    made_here = data.queries.count_sessions(SessionFilter(kind=Kind.ROLEPLAY, started_from=to_iso(midnight)))
    verdict = can_start_session(usage.limits, max(usage.sessions_today, made_here))
    if not verdict.allowed:
        raise CallRefused(verdict.message)
    return max_seconds, verdict.message  # type: ignore[return-value]

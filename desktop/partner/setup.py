"""What the practice partner plays in one call, read from the client's `conversation_initiation_client_data`.

The client sends the persona and scenario ids, the difficulty, the minimum price and the objections as dynamic
variables (see `prompts.build_agent_config`), plus the prompt and first message as overrides. The partner finds the
persona through the catalog; a persona it does not know (another device's, a deleted one) is rebuilt from the
variables, so the call still works.

A debrief sends `role: coach` and the coach's brief as `coach_*` variables (`desktop/core/coach.py`); the partner then
plays the coach, and the persona is the seller the coach speaks as when it replays a moment of the call.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from desktop.core.coach import CoachBrief, is_coach
from desktop.core.difficulty import Difficulty
from desktop.core.personas import CONVERSATION_STYLES, MOTIVATION_LEVELS, Persona, load_builtin_personas
from desktop.core.scenarios import SCENARIO_KINDS, Scenario, load_scenarios

log = logging.getLogger(__name__)

DEFAULT_DIFFICULTY = Difficulty.ROOKIE
_TEMPLATE_RE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


class PersonaSource(Protocol):
    """What the partner needs from `PersonaCatalog` (which satisfies it)."""

    def persona(self, persona_id: str) -> Persona | None: ...

    def scenario(self, scenario_id: str) -> Scenario | None: ...


class BuiltinPersonas:
    """The bundled personas and scenarios only: for a partner run with no database."""

    def __init__(self) -> None:
        self._personas = {p.id: p for p in load_builtin_personas()}
        self._scenarios = {s.id: s for s in load_scenarios()}

    def persona(self, persona_id: str) -> Persona | None:
        return self._personas.get(persona_id)

    def scenario(self, scenario_id: str) -> Scenario | None:
        return self._scenarios.get(scenario_id)

    def default_persona(self) -> Persona:
        return next(iter(self._personas.values()))

    def default_scenario(self) -> Scenario:
        return next(iter(self._scenarios.values()))


@dataclass(frozen=True)
class PartnerRole:
    persona: Persona
    scenario: Scenario
    difficulty: Difficulty
    trainee_name: str
    minimum_price: int | None
    objections: list[str] | None
    first_message: str | None
    system_prompt: str
    text_only: bool
    coach: CoachBrief | None = None  # set when the client asked for the coach instead of the seller


def call_setup(frame: Mapping[str, Any], personas: PersonaSource, builtins: BuiltinPersonas) -> PartnerRole:
    """Never raises: anything missing or odd falls back to a sensible default (and is logged)."""
    variables = frame.get("dynamic_variables")
    variables = variables if isinstance(variables, Mapping) else {}
    override = _mapping(frame.get("conversation_config_override"))
    agent = _mapping(override.get("agent"))
    prompt = _mapping(agent.get("prompt")).get("prompt")
    first_message = agent.get("first_message")
    text_only = bool(_mapping(override.get("conversation")).get("text_only") or override.get("text_only"))
    objections = [o.strip() for o in str(variables.get("objections") or "").split(";") if o.strip()] or None
    return PartnerRole(
        persona=_persona(variables, personas, builtins, objections),
        scenario=_scenario(variables, personas, builtins),
        difficulty=_difficulty(variables.get("difficulty")),
        trainee_name=str(variables.get("trainee_name") or ""),
        minimum_price=_int_or_none(variables.get("minimum_price")),
        objections=objections,
        first_message=fill_variables(first_message, variables) if isinstance(first_message, str) else None,
        system_prompt=fill_variables(prompt, variables) if isinstance(prompt, str) else "",
        text_only=text_only,
        coach=CoachBrief.from_variables(variables) if is_coach(variables) else None,
    )


def fill_variables(text: str, variables: Mapping[str, Any]) -> str:
    """`{{name}}` placeholders replaced by dynamic variables, as the agent platform does; unknown ones are kept."""
    return _TEMPLATE_RE.sub(lambda m: str(variables.get(m.group(1), m.group(0))), text)


def _persona(
    variables: Mapping[str, Any], personas: PersonaSource, builtins: BuiltinPersonas, objections: list[str] | None
) -> Persona:
    persona_id = str(variables.get("persona_id") or "")
    found = None
    if persona_id:
        try:
            found = personas.persona(persona_id) or builtins.persona(persona_id)
        except Exception:  # a database problem must not stop a practice call
            log.exception("looking up persona %r failed", persona_id)
            found = builtins.persona(persona_id)
    if found is not None:
        return found
    name = str(variables.get("persona_name") or "")
    if not name:
        default = builtins.default_persona()
        log.warning("no persona in the call's variables; playing %s", default.id)
        return default
    log.info("persona %r is not in the catalog; playing it from the call's variables", persona_id)
    motivation = str(variables.get("motivation") or "medium")
    style = str(variables.get("conversation_style") or "friendly")
    return Persona(
        id=persona_id or "partner-seller",
        name=name,
        property_type=str(variables.get("property_type") or "a piece of property"),
        location=str(variables.get("location") or "the county"),
        motivation_level=motivation if motivation in MOTIVATION_LEVELS else "medium",
        conversation_style=style if style in CONVERSATION_STYLES else "friendly",
        objection_patterns=tuple(objections or ()),
        asking_price=_int_or_none(variables.get("asking_price")) or 0,
    )


def _scenario(variables: Mapping[str, Any], personas: PersonaSource, builtins: BuiltinPersonas) -> Scenario:
    scenario_id = str(variables.get("scenario_id") or "")
    try:
        found = personas.scenario(scenario_id) if scenario_id else None
    except Exception:
        log.exception("looking up scenario %r failed", scenario_id)
        found = None
    found = found or (builtins.scenario(scenario_id) if scenario_id else None)
    limit = _int_or_none(variables.get("max_exchanges")) or None  # 0 travels for "no limit"
    if found is None:
        kind = str(variables.get("scenario_kind") or "")
        if kind not in SCENARIO_KINDS:
            return dataclasses.replace(builtins.default_scenario(), max_exchanges=limit)
        found = Scenario(
            id=scenario_id or kind,
            title=str(variables.get("scenario_title") or kind.replace("_", " ")),
            description="",
            kind=kind,
            caller="seller" if variables.get("seller_calls") is True else "trainee",
        )
    if limit is not None and limit != found.max_exchanges:
        found = dataclasses.replace(found, max_exchanges=limit)
    return found


def _difficulty(value: object) -> Difficulty:
    if isinstance(value, str):
        try:
            return Difficulty.parse(value)
        except ValueError:
            log.warning("unknown difficulty %r; playing %s", value, DEFAULT_DIFFICULTY.value)
    return DEFAULT_DIFFICULTY


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None

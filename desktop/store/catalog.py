"""Every persona the trainee can call: the built-in ones shipped in resources/ and the user's own from the store."""

from __future__ import annotations

import logging

from desktop.core.personas import Persona, load_builtin_personas
from desktop.core.scenarios import Scenario, load_scenarios
from desktop.store.queries import SessionQueries

log = logging.getLogger(__name__)


class PersonaCatalog:
    def __init__(self, queries: SessionQueries) -> None:
        self._queries = queries
        self._builtin = load_builtin_personas()
        self._scenarios = load_scenarios()

    def personas(self) -> list[Persona]:
        user = []
        for data in self._queries.user_personas():
            try:
                user.append(Persona.from_dict(data))
            except (KeyError, TypeError, ValueError) as exc:  # a bad row must not hide every other persona
                log.warning("skipping an unreadable user persona %r: %s", data.get("id"), exc)
        return [*self._builtin, *user]

    def persona(self, persona_id: str) -> Persona | None:
        return next((p for p in self.personas() if p.id == persona_id), None)

    def scenarios(self) -> list[Scenario]:
        return list(self._scenarios)

    def scenario(self, scenario_id: str) -> Scenario | None:
        return next((s for s in self._scenarios if s.id == scenario_id), None)

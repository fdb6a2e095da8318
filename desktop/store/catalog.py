"""Every persona the trainee can call: the built-in ones shipped in resources/ and the user's own from the store."""

from __future__ import annotations

import logging

from desktop.core.personas import Persona, load_builtin_personas, persona_from_user_input
from desktop.core.scenarios import Scenario, load_scenarios
from desktop.store.queries import SessionQueries
from desktop.store.sessions import SessionRepository
from desktop.store.sync_store import cached_team_personas

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
        # The team's library (synced, see desktop/sync/personas.py) never shadows a built-in persona.
        builtin_ids = {p.id for p in self._builtin}
        team = [p for p in cached_team_personas() if p.id not in builtin_ids]
        return [*self._builtin, *team, *user]

    def persona(self, persona_id: str) -> Persona | None:
        return next((p for p in self.personas() if p.id == persona_id), None)

    def scenarios(self) -> list[Scenario]:
        return list(self._scenarios)

    def scenario(self, scenario_id: str) -> Scenario | None:
        return next((s for s in self._scenarios if s.id == scenario_id), None)

    def save_user_persona(self, repository: SessionRepository, data: dict) -> Persona:
        """Validates what the user typed and stores it. Raises PersonaValidationError with one message per bad
        field; nothing is written then. Editing keeps the persona's id; a new one gets a fresh, unique id."""
        others = {p.id for p in self.personas()} - {data.get("id")} if isinstance(data, dict) else set()
        persona = persona_from_user_input(data, existing_ids=others)
        stored = Persona.from_dict({**persona.to_dict(), "source": "user"})
        repository.save_user_persona(stored.id, stored.to_dict())
        return stored

    def delete_user_persona(self, repository: SessionRepository, persona_id: str) -> bool:
        """Past calls keep their snapshot of the persona; only the contact goes."""
        return repository.delete_user_persona(persona_id)

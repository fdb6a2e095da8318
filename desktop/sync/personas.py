"""The team's persona library (`GET /api/v1/personas`, with ETag): checked like any persona from outside, cached
in the store, and listed in the contacts view beside the built-in and the user's own."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from desktop.core.personas import Persona, persona_from_user_input, validate_persona
from desktop.store.sync_store import TEAM_PERSONAS_KEY, SyncStore
from desktop.sync.client import BackendClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TeamPersonasResult:
    changed: bool
    count: int
    skipped: int = 0


def check_team_personas(entries: list) -> tuple[list[Persona], int]:
    """The usable personas, and how many were left out (each logged with its reasons)."""
    personas: list[Persona] = []
    seen: set[str] = set()
    skipped = 0
    for data in entries:
        persona_id = data.get("id") if isinstance(data, dict) else None
        errors = validate_persona(data)
        if not persona_id:
            errors["id"] = "a team persona needs a stable id"
        elif persona_id in seen:
            errors["id"] = "the id repeats"
        if errors:
            log.warning("skipping team persona %r: %s", persona_id, errors)
            skipped += 1
            continue
        seen.add(persona_id)
        personas.append(Persona.from_dict({**persona_from_user_input(data).to_dict(), "source": "team"}))
    return personas, skipped


def refresh_team_personas(client: BackendClient, store: SyncStore) -> TeamPersonasResult:
    """Fetches the library unless it is unchanged since the cached ETag. Raises the client's errors."""
    entry = store.cached(TEAM_PERSONAS_KEY)
    cached = entry.value if entry is not None and isinstance(entry.value, list) else None
    answer = client.personas(entry.etag if cached is not None else "")
    if answer.personas is None:
        return TeamPersonasResult(False, len(cached or []))
    personas, skipped = check_team_personas(answer.personas)
    store.put_cached(TEAM_PERSONAS_KEY, [p.to_dict() for p in personas], answer.etag).result()
    return TeamPersonasResult(True, len(personas), skipped)

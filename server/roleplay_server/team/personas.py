"""The team's persona library: validated by the contract's Persona rules, and every change moves the ETag."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from pydantic import ValidationError

from roleplay_server.api.schemas import Persona
from roleplay_server.team.models import Team, TeamPersona


class PersonaInvalid(ValueError):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = problems


def validate(data: dict) -> dict:
    """The persona as the app will receive it, or PersonaInvalid naming each field that breaks a rule."""
    try:
        persona = Persona.model_validate(data)
    except ValidationError as exc:
        raise PersonaInvalid([(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]) from None
    return persona.model_dump(mode="json", exclude_none=True)


def _bump(team: Team) -> None:
    Team.objects.filter(pk=team.pk).update(personas_version=F("personas_version") + 1)


@transaction.atomic
def save_persona(team: Team, data: dict, replacing: TeamPersona | None = None) -> TeamPersona:
    clean = validate(data)
    clash = TeamPersona.objects.filter(team=team, slug=clean["id"])
    if replacing is not None:
        clash = clash.exclude(pk=replacing.pk)
    if clash.exists():
        raise PersonaInvalid([("id", "another persona of the team has this id")])
    row = replacing or TeamPersona(team=team)
    row.slug, row.data = clean["id"], clean
    row.save()
    _bump(team)
    return row


@transaction.atomic
def delete_persona(row: TeamPersona) -> None:
    team = row.team
    row.delete()
    _bump(team)

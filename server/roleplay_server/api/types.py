"""Field types shared by the API's schemas: bounded numbers and texts, RFC 3339 timestamps kept as sent."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from roleplay_server.team.instants import parse_instant


def _checked_instant(value: str) -> str:
    parse_instant(value)
    return value  # stored exactly as the app sent it


DateTime = Annotated[str, AfterValidator(_checked_instant), Field(json_schema_extra={"format": "date-time"})]
Score = Annotated[int, Field(ge=0, le=100)]
NonNegative = Annotated[int, Field(ge=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]
Text = Annotated[str, StringConstraints(max_length=20000)]
ShortText = Annotated[str, StringConstraints(max_length=2000)]

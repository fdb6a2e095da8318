"""Per-persona ElevenLabs agents and voices: a persona can talk to an agent of its own (one built for that seller) and
speak with a voice of its own, instead of the default agent and the agent's voice. Kept in the settings file as
`{persona id: {"agent_id": ..., "voice_id": ...}}`; pure Python."""

from __future__ import annotations

import re
from dataclasses import dataclass

# ElevenLabs ids: letters, digits, - and _ (agent ids like agent_01jx..., voice ids like 21m00Tcm4TlvDq8ikWAM).
ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
ID_RULE = "only letters, digits, - and _ (copy it from ElevenLabs)"


@dataclass(frozen=True)
class PersonaAgent:
    agent_id: str = ""
    voice_id: str = ""


def valid_id(text: str) -> bool:
    """Empty (use the default) or an id ElevenLabs could have issued."""
    return not text or bool(ID_RE.match(text))


def clean_persona_agents(raw: object) -> dict[str, dict[str, str]]:
    """The entries worth keeping: string ids that look like ElevenLabs ids, trimmed, with empty entries dropped. A
    hand-edited bad entry loses only its bad part, never the others."""
    if not isinstance(raw, dict):
        return {}
    cleaned: dict[str, dict[str, str]] = {}
    for persona_id, entry in raw.items():
        if not isinstance(persona_id, str) or not persona_id.strip() or not isinstance(entry, dict):
            continue
        ids = {}
        for key in ("agent_id", "voice_id"):
            value = entry.get(key)
            if isinstance(value, str) and value.strip() and valid_id(value.strip()):
                ids[key] = value.strip()
        if ids:
            cleaned[persona_id.strip()] = ids
    return cleaned


def persona_agent(persona_agents: dict[str, dict[str, str]], persona_id: str | None) -> PersonaAgent:
    """The persona's own agent and voice; empty strings where it uses the defaults."""
    entry = persona_agents.get(persona_id or "", {})
    return PersonaAgent(entry.get("agent_id", ""), entry.get("voice_id", ""))

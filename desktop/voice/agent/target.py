"""Which agent a call talks to: the ElevenLabs agent the trainee configured, or the embedded practice partner.

ElevenLabs needs an agent id (ELEVENLABS_AGENT_ID, else the persona's own agent from Settings, else the default agent
id); with an API key (keyring, or ELEVENLABS_API_KEY) the call goes through a signed URL. A persona's own voice id
from Settings replaces the persona's voice on ElevenLabs. With no agent id the app uses the embedded partner, so a new
user can practise with no account and no network.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from desktop.core.persona_agents import persona_agent
from desktop.secret_shapes import key_pasted_as_id_message, looks_like_key
from desktop.secrets import get_secret
from desktop.settings import Settings
from desktop.voice.call.setup import AgentTarget

PARTNER_AGENT_ID = "practice-partner"
AGENT_ID_ENV = "ELEVENLABS_AGENT_ID"


class AgentNotConfigured(Exception):
    """The trainee asked for ElevenLabs but has not set it up; the message says what to do."""


@dataclass(frozen=True)
class AgentChoice:
    kind: str  # "elevenlabs" or "partner"
    agent_id: str
    api_url: str
    api_key: str
    voice_id: str = ""  # the persona's own voice from Settings; empty for the persona's or the agent's voice


def elevenlabs_agent_id(settings: Settings, persona_id: str | None = None) -> str:
    return (
        os.environ.get(AGENT_ID_ENV, "").strip()
        or persona_agent(settings.persona_agents, persona_id).agent_id
        or settings.elevenlabs_agent_id.strip()
    )


def choose_agent(settings: Settings, requested: str | None = None, persona_id: str | None = None) -> AgentChoice:
    """`requested` is "partner", "elevenlabs" or None (ElevenLabs when an agent id is configured, else the partner).
    `persona_id`: the seller being called, whose own agent and voice (Settings) come first; None for a debrief."""
    agent_id = elevenlabs_agent_id(settings, persona_id)
    kind = requested or ("elevenlabs" if agent_id else "partner")
    if kind == "partner":
        return AgentChoice("partner", PARTNER_AGENT_ID, "", "")
    if kind != "elevenlabs":
        raise ValueError(f"unknown agent kind {kind!r}")
    if not agent_id:
        raise AgentNotConfigured(
            "No ElevenLabs agent id is set. Add one in Settings (or set ELEVENLABS_AGENT_ID), "
            "or practise with the built-in partner."
        )
    if looks_like_key(agent_id):  # sent to ElevenLabs, stored with the call and synced: never a key
        raise AgentNotConfigured(key_pasted_as_id_message("ElevenLabs agent id"))
    return AgentChoice(
        "elevenlabs",
        agent_id,
        settings.effective_elevenlabs_api_url,
        get_secret("elevenlabs_api_key") or "",
        persona_agent(settings.persona_agents, persona_id).voice_id,
    )


def target_for(choice: AgentChoice, partner_url: str = "") -> AgentTarget:
    """The call's target; the partner's address is known only once it is running."""
    if choice.kind == "partner":
        if not partner_url:
            raise ValueError("the practice partner is not running")
        return AgentTarget("partner", choice.agent_id, partner_url)
    return AgentTarget(choice.kind, choice.agent_id, choice.api_url, choice.api_key, choice.voice_id)

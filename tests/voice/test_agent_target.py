"""Which agent a call goes to: ElevenLabs when configured (env overrides settings and keyring), else the partner."""

from __future__ import annotations

import pytest

from desktop.secrets import set_secret
from desktop.settings import Settings
from desktop.voice.agent.target import AgentNotConfigured, choose_agent, target_for


def test_no_agent_id_means_the_embedded_partner(monkeypatch) -> None:
    monkeypatch.delenv("ELEVENLABS_AGENT_ID", raising=False)
    choice = choose_agent(Settings())
    assert choice.kind == "partner"
    assert target_for(choice, "http://127.0.0.1:5000").api_url == "http://127.0.0.1:5000"
    with pytest.raises(ValueError):
        target_for(choice)


def test_agent_id_from_the_environment_wins_over_settings(monkeypatch) -> None:
    monkeypatch.setenv("ELEVENLABS_AGENT_ID", "agent_env")
    monkeypatch.setenv("ROLEPLAY_ELEVENLABS_API_URL", "http://127.0.0.1:9999")
    choice = choose_agent(Settings(elevenlabs_agent_id="agent_settings"))
    assert (choice.kind, choice.agent_id, choice.api_url, choice.api_key) == (
        "elevenlabs",
        "agent_env",
        "http://127.0.0.1:9999",
        "",
    )


def test_api_key_from_the_keyring_makes_it_a_signed_url_call(monkeypatch) -> None:
    monkeypatch.delenv("ELEVENLABS_AGENT_ID", raising=False)
    set_secret("elevenlabs_api_key", "xi-secret")
    choice = choose_agent(Settings(elevenlabs_agent_id="agent_1"))
    assert choice.api_key == "xi-secret" and target_for(choice).api_key == "xi-secret"


def test_asking_for_elevenlabs_without_an_agent_says_what_to_do(monkeypatch) -> None:
    monkeypatch.delenv("ELEVENLABS_AGENT_ID", raising=False)
    with pytest.raises(AgentNotConfigured, match="Settings"):
        choose_agent(Settings(), "elevenlabs")
    assert choose_agent(Settings(elevenlabs_agent_id="agent_1"), "partner").kind == "partner"


OWN = {"dale-pruitt-coal-county": {"agent_id": "agent_dale", "voice_id": "voice_dale"}}


def test_a_persona_with_its_own_agent_calls_it_with_its_own_voice(monkeypatch) -> None:
    monkeypatch.delenv("ELEVENLABS_AGENT_ID", raising=False)
    settings = Settings(elevenlabs_agent_id="agent_default", persona_agents=OWN)
    own = choose_agent(settings, persona_id="dale-pruitt-coal-county")
    other = choose_agent(settings, persona_id="rosa-delgado-bexar")
    debrief = choose_agent(settings)  # the coach is no persona: the default agent
    assert (own.agent_id, own.voice_id) == ("agent_dale", "voice_dale")
    assert target_for(own).voice_id == "voice_dale"
    assert (other.agent_id, other.voice_id) == ("agent_default", "")
    assert (debrief.agent_id, debrief.voice_id) == ("agent_default", "")


def test_a_persona_agent_alone_is_enough_for_that_persona_and_the_partner_serves_the_rest(monkeypatch) -> None:
    monkeypatch.delenv("ELEVENLABS_AGENT_ID", raising=False)
    settings = Settings(persona_agents=OWN)
    assert choose_agent(settings, persona_id="dale-pruitt-coal-county").kind == "elevenlabs"
    assert choose_agent(settings, persona_id="rosa-delgado-bexar").kind == "partner"
    assert choose_agent(settings, "partner", "dale-pruitt-coal-county").kind == "partner"  # asked for by name


def test_the_environments_agent_id_still_wins_over_a_personas_own(monkeypatch) -> None:
    monkeypatch.setenv("ELEVENLABS_AGENT_ID", "agent_env")
    choice = choose_agent(Settings(persona_agents=OWN), persona_id="dale-pruitt-coal-county")
    assert (choice.agent_id, choice.voice_id) == ("agent_env", "voice_dale")

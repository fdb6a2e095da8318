"""Which agent a call goes to: ElevenLabs when configured (env overrides settings and keyring), else the partner."""

from __future__ import annotations

import pytest

from desktop.secrets import set_secret
from desktop.settings import Settings
from desktop.voice.agent_target import AgentNotConfigured, choose_agent, target_for


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

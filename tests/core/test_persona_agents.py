"""Per-persona agents and voices in the settings file: what is kept from a hand-edited file, and what a lookup gives."""

from __future__ import annotations

import json

from desktop import settings as app_settings
from desktop.core.persona_agents import PersonaAgent, clean_persona_agents, persona_agent, valid_id


def test_ids_are_trimmed_and_only_bad_parts_of_an_entry_are_dropped() -> None:
    raw = {
        " dale ": {"agent_id": " agent_1 ", "voice_id": "voice with spaces"},
        "rosa": {"agent_id": "", "voice_id": ""},  # nothing set: no entry
        "kim": {"voice_id": "v-2"},
        "bad": "agent_1",
        7: {"agent_id": "agent_7"},
    }
    assert clean_persona_agents(raw) == {"dale": {"agent_id": "agent_1"}, "kim": {"voice_id": "v-2"}}
    assert clean_persona_agents(["not", "a", "dict"]) == {}


def test_a_lookup_gives_empty_strings_for_the_defaults() -> None:
    agents = {"dale": {"agent_id": "agent_1"}}
    assert persona_agent(agents, "dale") == PersonaAgent("agent_1", "")
    assert persona_agent(agents, "rosa") == PersonaAgent()
    assert persona_agent(agents, None) == PersonaAgent()
    assert valid_id("") and valid_id("agent_01jx-9") and not valid_id("agent 1") and not valid_id("a" * 129)


def test_the_settings_file_keeps_them_across_a_save_and_a_load(data_home) -> None:
    app_settings.ensure_data_dir()
    settings = app_settings.load_settings()
    settings.persona_agents = {"dale": {"agent_id": "agent_1", "voice_id": "voice_1"}}
    app_settings.save_settings(settings)
    assert app_settings.load_settings().persona_agents == {"dale": {"agent_id": "agent_1", "voice_id": "voice_1"}}
    # A hand edit that breaks the shape loses only what is broken; the rest of the settings stand.
    raw = json.loads(app_settings.settings_path().read_text())
    raw["persona_agents"] = {"dale": {"agent_id": "agent 1"}, "rosa": {"voice_id": "voice_2"}}
    app_settings.settings_path().write_text(json.dumps(raw))
    loaded = app_settings.load_settings()
    assert loaded.persona_agents == {"rosa": {"voice_id": "voice_2"}} and loaded.device_id == settings.device_id

"""Every key shape the app handles stays out of the log, and a key pasted where an agent id goes is refused before
it is sent, stored or synced (issue 14, item 9)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import settings
from desktop.logging_setup import configure_logging
from desktop.voice.agent.target import AgentNotConfigured, choose_agent
from tests.conftest import start

ELEVENLABS_KEY = "sk_" + "0123456789abcdef" * 3  # sk_ and 48 hex digits, as ElevenLabs issues them
OPENAI_KEY = "sk-proj-" + "A1b2C3d4E5f6G7h8" * 3
BACKEND_TOKEN = "rpt_" + "Zx9_Yw8-Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe"
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("key", [ELEVENLABS_KEY, OPENAI_KEY, BACKEND_TOKEN])
def test_an_error_body_that_echoes_a_key_is_logged_without_it(data_home: Path, key: str):
    configure_logging()
    body = json.dumps({"detail": {"status": "invalid_api_key", "message": f"Invalid API key: {key}"}})
    logging.getLogger("desktop.voice.agent").warning("ElevenLabs refused to start the call: %s", body)
    for handler in logging.getLogger().handlers:
        handler.flush()
    log = (data_home / "logs" / "roleplay.log").read_text(encoding="utf-8")
    assert "invalid_api_key" in log and "[redacted]" in log
    assert key not in log and key[4:20] not in log


def test_a_key_as_the_agent_id_is_refused_before_the_call(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ELEVENLABS_AGENT_ID", ELEVENLABS_KEY)
    with pytest.raises(AgentNotConfigured, match="looks like an API key"):
        choose_agent(settings.Settings(), "elevenlabs")
    monkeypatch.setenv("ELEVENLABS_AGENT_ID", "agent_01jx5m2c3v4b5n6m7q8w9e0r1t")
    assert choose_agent(settings.Settings(), "elevenlabs").agent_id == "agent_01jx5m2c3v4b5n6m7q8w9e0r1t"


def test_the_store_never_keeps_a_key_as_an_agent_id(repo):
    with pytest.raises(ValueError, match="looks like an API key"):
        start(repo, agent_id=ELEVENLABS_KEY)
    started = start(repo, agent_id="agent_01jx5m2c3v4b5n6m7q8w9e0r1t")
    with pytest.raises(ValueError, match="looks like an API key"):
        repo.set_conversation(started.id, conversation_id="conv_1", agent_id="0123456789abcdef0123456789abcdef")


def test_a_key_pasted_into_the_settings_file_is_dropped_from_it(data_home: Path):
    data_home.mkdir(parents=True)
    persona_agents = {"walter-briggs": {"agent_id": ELEVENLABS_KEY, "voice_id": "21m00Tcm4TlvDq8ikWAM"}}
    values = {"trainee_name": "Alex", "elevenlabs_agent_id": ELEVENLABS_KEY, "persona_agents": persona_agents}
    settings.settings_path().write_text(json.dumps(values))
    loaded = settings.load_settings()
    assert loaded.elevenlabs_agent_id == "" and loaded.trainee_name == "Alex"
    assert loaded.persona_agents == {"walter-briggs": {"voice_id": "21m00Tcm4TlvDq8ikWAM"}}
    assert ELEVENLABS_KEY not in settings.settings_path().read_text()


def test_roleplay_call_with_a_key_as_agent_id_stores_nothing(data_home: Path):
    env = {**os.environ, "ELEVENLABS_AGENT_ID": ELEVENLABS_KEY}
    command = [sys.executable, "-m", "desktop", "call", "--persona", "dale-pruitt-coal-county", "--agent", "elevenlabs"]
    result = subprocess.run([*command, "--say", "hi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "looks like an API key" in result.stderr
    assert ELEVENLABS_KEY not in result.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "desktop", "sessions", "list", "--json"], cwd=ROOT, capture_output=True, text=True
    )
    assert json.loads(listed.stdout)["total"] == 0
    assert ELEVENLABS_KEY not in (data_home / "logs" / "roleplay.log").read_text(encoding="utf-8")

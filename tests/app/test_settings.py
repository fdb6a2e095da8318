"""Settings and the data folder: ROLEPLAY_HOME, platform defaults, and a bad settings file that costs nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import secrets, settings


def test_roleplay_home_wins(data_home: Path):
    assert settings.data_dir() == data_home
    assert settings.db_path() == data_home / "roleplay.db"


def test_platform_default_on_linux(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("ROLEPLAY_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(settings.sys, "platform", "linux")
    assert settings.data_dir() == tmp_path / "xdg" / "RoleplayTrainer"


def test_device_id_is_made_once(data_home: Path):
    first = settings.load_settings().device_id
    assert len(first) == 32
    assert settings.load_settings().device_id == first


def test_a_bad_settings_file_falls_back_per_field(data_home: Path):
    data_home.mkdir(parents=True)
    values = {"trainee_name": 42, "max_session_minutes": "ten", "max_sessions_per_day": 3, "unknown": 1}
    settings.settings_path().write_text(json.dumps(values))
    loaded = settings.load_settings()
    assert loaded.trainee_name == "Sam"
    assert loaded.max_session_minutes == 10
    assert loaded.max_sessions_per_day == 3


def test_partner_voice_and_grading_wait_round_trip_through_the_file(data_home: Path):
    defaults = settings.load_settings()
    assert defaults.partner_voice is True and defaults.grading_timeout_s == 30
    settings.save_settings(settings.Settings(partner_voice=False, grading_timeout_s=120))
    stored = json.loads(settings.settings_path().read_text())
    assert stored["partner_voice"] is False and stored["grading_timeout_s"] == 120
    loaded = settings.load_settings()
    assert loaded.partner_voice is False and loaded.grading_timeout_s == 120

    settings.settings_path().write_text(json.dumps({"partner_voice": "no", "grading_timeout_s": "ninety"}))
    hand_edited = settings.load_settings()  # wrong types fall back to the defaults, field by field
    assert hand_edited.partner_voice is True and hand_edited.grading_timeout_s == 30
    for out_of_range in (-1, 0, 4, 301):  # outside what the Settings page allows: the default, not a broken grader
        settings.settings_path().write_text(json.dumps({"grading_timeout_s": out_of_range}))
        assert settings.load_settings().grading_timeout_s == 30


def test_unreadable_settings_file_gives_defaults_and_is_kept_aside(data_home: Path):
    data_home.mkdir(parents=True)
    settings.settings_path().write_text("{not json")
    assert settings.load_settings().max_session_minutes == 10
    [aside] = data_home.glob("settings.json.unreadable-*")
    assert aside.read_text() == "{not json"
    assert str(aside) in settings.load_problem()


MINE = {
    "trainee_name": "Alex",
    "elevenlabs_agent_id": "agent_0123456789abcdef",
    "backend_url": "https://team.example.com",
    "max_sessions_per_day": 4,
    "persona_agents": {"walter-briggs": {"agent_id": "agent_walter", "voice_id": ""}},
    "device_id": "0123456789abcdef0123456789abcdef",
}


def test_a_stray_comma_costs_nothing(data_home: Path):
    data_home.mkdir(parents=True)
    broken = json.dumps(MINE, indent=2)[:-2] + ",\n}"  # a comma after the last value, as a hand edit leaves it
    settings.settings_path().write_text(broken)
    loaded = settings.load_settings()
    assert (loaded.trainee_name, loaded.backend_url, loaded.max_sessions_per_day) == ("Alex", MINE["backend_url"], 4)
    assert loaded.elevenlabs_agent_id == MINE["elevenlabs_agent_id"] and loaded.device_id == MINE["device_id"]
    assert loaded.persona_agents["walter-briggs"]["agent_id"] == "agent_walter"
    [aside] = data_home.glob("settings.json.unreadable-*")
    assert aside.read_text() == broken  # the file as the user left it
    assert "typo at line" in settings.load_problem()
    assert json.loads(settings.settings_path().read_text())["trainee_name"] == "Alex"
    settings.load_settings()
    assert settings.load_problem() is None  # told once


def test_a_file_broken_beyond_repair_keeps_the_device_id(data_home: Path):
    data_home.mkdir(parents=True)
    broken = json.dumps(MINE).replace('"Alex",', '"Alex" "')
    settings.settings_path().write_text(broken)
    loaded = settings.load_settings()
    assert loaded.trainee_name == "Sam" and loaded.device_id == MINE["device_id"]  # the same device to the team
    assert [p.read_text() for p in data_home.glob("settings.json.unreadable-*")] == [broken]


def test_a_folder_where_the_settings_file_should_be(data_home: Path):
    (data_home / "settings.json").mkdir(parents=True)
    loaded = settings.load_settings()
    assert loaded.trainee_name == "Sam"
    assert "cannot be read" in settings.load_problem()
    assert (data_home / "settings.json").is_dir()


def test_commands_say_what_was_wrong_and_run(data_home: Path):
    (data_home / "settings.json").mkdir(parents=True)
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "sessions", "list"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "settings.json cannot be read" in result.stderr


def test_environment_overrides_endpoints(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ROLEPLAY_ELEVENLABS_API_URL", "http://127.0.0.1:9")
    assert settings.Settings().effective_elevenlabs_api_url == "http://127.0.0.1:9"


def test_environment_beats_keyring(monkeypatch: pytest.MonkeyPatch):
    secrets.set_secret("openai_api_key", "from-keyring")
    assert secrets.get_secret("openai_api_key") == "from-keyring"
    monkeypatch.setenv("OPENAI_API_KEY", "from-env")
    assert secrets.get_secret("openai_api_key") == "from-env"


def test_plain_text_keyring_is_not_used_unless_chosen(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    monkeypatch.setattr(secrets, "_backend_name", lambda: "keyrings.alt.file.PlaintextKeyring")
    status = secrets.keyring_status()
    assert status.usable is False and "environment variables" in status.message
    with pytest.raises(secrets.SecretStoreUnavailable, match="session only"):
        secrets.set_secret("openai_api_key", "x")
    secrets.set_secret("openai_api_key", "just-for-now", session_only=True)
    assert secrets.get_secret("openai_api_key") == "just-for-now"
    secrets.delete_secret("openai_api_key")


def test_saves_from_two_threads_at_once_never_collide() -> None:
    import threading

    from desktop.settings import Settings, load_settings, save_settings, settings_path

    errors: list[BaseException] = []

    def save(name: str) -> None:
        try:
            for _ in range(50):
                save_settings(Settings(trainee_name=name))
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(name,)) for name in ("Ana", "Ben")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert load_settings().trainee_name in ("Ana", "Ben")
    assert not list(settings_path().parent.glob("settings-*.tmp"))

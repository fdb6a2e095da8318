"""The one call planner, shared by the call screen, `roleplay call` and debriefs: the agent it picks, the day's cap
it enforces (or not), the time limit it sets, and a debrief that is never capped. Real store, real settings."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from desktop.cli.main import main
from desktop.core.difficulty import Difficulty
from desktop.core.personas import load_builtin_personas
from desktop.core.scenarios import load_scenarios
from desktop.core.vocabulary import Mode
from desktop.settings import Settings
from desktop.voice.call.planner import FROM_LIMITS, CallRefused, Limits, plan_call
from tests.conftest import start

PERSONA = load_builtin_personas()[0]
SCENARIO = load_scenarios()[0]
PARTNER_URL = "http://127.0.0.1:9"


def data(repo, queries, **settings):
    return SimpleNamespace(settings=Settings(**settings), repository=repo, queries=queries)


def plan(local, limits: Limits | None = None, mode: str = Mode.TEXT):
    started = []

    def partner_url() -> str:
        started.append(True)
        return PARTNER_URL

    planned = plan_call(
        local,
        persona=PERSONA,
        scenario=SCENARIO,
        difficulty=Difficulty.PRO,
        mode=mode,
        practice_mode=True,
        partner_url=partner_url,
        limits=limits or Limits(),
    )
    return planned, started


def test_a_call_with_no_agent_configured_goes_to_the_partner_with_the_settings_time_limit(repo, queries, monkeypatch):
    monkeypatch.delenv("ELEVENLABS_AGENT_ID", raising=False)
    planned, started = plan(data(repo, queries, max_session_minutes=7))
    assert planned.setup.target.kind == "partner"
    assert planned.setup.target.api_url.startswith(PARTNER_URL)
    assert started == [True]
    assert planned.setup.max_seconds == 7 * 60.0
    assert planned.usage_note == ""  # no daily cap set


def test_the_daily_cap_refuses_a_call_before_the_partner_starts(repo, queries, monkeypatch):
    monkeypatch.delenv("ELEVENLABS_AGENT_ID", raising=False)
    local = data(repo, queries, max_sessions_per_day=2)
    first, _ = plan(local)
    assert first.usage_note == "2 of 2 practice calls left today."
    start(repo)
    start(repo)
    with pytest.raises(CallRefused, match="used all 2 practice calls"):
        plan(local)
    planned, started = plan(local, Limits(enforce=False))
    assert planned.setup.persona.id == PERSONA.id and started == [True]


def test_an_explicit_time_limit_wins_and_none_means_no_limit(repo, queries, monkeypatch):
    monkeypatch.delenv("ELEVENLABS_AGENT_ID", raising=False)
    local = data(repo, queries, max_session_minutes=10)
    assert plan(local, Limits(max_seconds=42.0))[0].setup.max_seconds == 42.0
    assert plan(local, Limits(max_seconds=None))[0].setup.max_seconds is None
    assert plan(local, Limits(max_seconds=FROM_LIMITS))[0].setup.max_seconds == 600.0


def test_a_voice_call_on_the_partner_carries_no_cannot_hear_note(repo, queries, monkeypatch):
    # The partner recognises speech on the device now: the old "hears that you talk, not your words" note is gone.
    monkeypatch.delenv("ELEVENLABS_AGENT_ID", raising=False)
    assert plan(data(repo, queries), mode=Mode.VOICE)[0].partner_note == ""
    assert plan(data(repo, queries), mode=Mode.TEXT)[0].partner_note == ""


def test_roleplay_call_honours_the_daily_cap_and_ignore_limits_overrides_it(capsys, monkeypatch):
    from desktop import settings as app_settings

    monkeypatch.delenv("ELEVENLABS_AGENT_ID", raising=False)
    app_settings.ensure_data_dir()
    settings = app_settings.load_settings()
    settings.max_sessions_per_day = 1
    app_settings.save_settings(settings)
    persona = "dale-pruitt-coal-county"
    assert main(["call", "--persona", persona, "--say", "hi", "--json"]) == 0
    capsys.readouterr()
    assert main(["call", "--persona", persona, "--say", "hi"]) == 2
    assert "used all 1 practice call for today" in capsys.readouterr().err
    assert main(["call", "--persona", persona, "--say", "hi", "--json", "--ignore-limits"]) == 0
    assert json.loads(capsys.readouterr().out)["persona"]["id"] == persona

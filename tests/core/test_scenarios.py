"""Built-in practice scenarios: loading, validation, round trips and snapshots."""

from __future__ import annotations

import json

import pytest

from desktop.core.difficulty import Difficulty
from desktop.core.scenarios import (
    CALLERS,
    SCENARIO_KINDS,
    Scenario,
    exchanges_completed,
    load_scenarios,
    validate_scenario,
)
from desktop.core.transcript import Speaker, TranscriptLine


@pytest.fixture(scope="module")
def scenarios() -> list[Scenario]:
    return load_scenarios()


def test_scenarios_load_with_the_drill_limited_to_five(scenarios: list[Scenario]) -> None:
    by_id = {s.id: s for s in scenarios}
    required = {"cold-call-first-contact", "inbound-callback", "follow-up", "price-negotiation", "objection-drill"}
    assert required <= set(by_id)
    assert by_id["objection-drill"].max_exchanges == 5 and by_id["objection-drill"].is_drill
    assert [s.id for s in scenarios if s.max_exchanges is not None] == ["objection-drill"]
    assert by_id["inbound-callback"].seller_calls and not by_id["cold-call-first-contact"].seller_calls
    assert len({s.kind for s in scenarios}) == len(scenarios)
    assert all(s.goals and s.description and s.opening for s in scenarios)
    assert {s.kind for s in scenarios} <= set(SCENARIO_KINDS) and {s.caller for s in scenarios} <= set(CALLERS)


def test_loading_a_broken_or_duplicated_file_fails_loudly(tmp_path, scenarios: list[Scenario]) -> None:
    drill = tmp_path / "drill.json"
    drill.write_text(json.dumps({"scenarios": [{"id": "d", "title": "D", "kind": "objection_drill"}]}))
    with pytest.raises(ValueError, match="max_exchanges"):
        load_scenarios(drill)
    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps([scenarios[0].to_dict(), scenarios[0].to_dict()]))
    with pytest.raises(ValueError, match="duplicate scenario id"):
        load_scenarios(twice)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "small_talk"}, "kind"),
        ({"title": "  "}, "title"),
        ({"caller": "robot"}, "caller"),
        ({"max_exchanges": 0}, "max_exchanges"),
        ({"max_exchanges": True}, "max_exchanges"),
        ({"goals": ["ok", ""]}, "goals"),
    ],
)
def test_validate_scenario_names_the_bad_field(changes: dict[str, object], field: str) -> None:
    entry = {"id": "s", "title": "S", "kind": "cold_call", **changes}
    assert list(validate_scenario(entry)) == [field]


def test_validate_scenario_rejects_non_mappings() -> None:
    assert validate_scenario(["not", "a", "scenario"]) == {
        "scenario": "Expected a scenario with named fields, got a list."
    }


def test_scenario_round_trip(scenarios: list[Scenario]) -> None:
    for scenario in scenarios:
        assert validate_scenario(scenario.to_dict()) == {}
        assert Scenario.from_dict(json.loads(json.dumps(scenario.to_dict()))) == scenario


def test_scenario_snapshot_carries_the_difficulty(scenarios: list[Scenario]) -> None:
    snapshot = scenarios[0].snapshot(Difficulty.PRO)
    assert (snapshot["id"], snapshot["title"], snapshot["difficulty"]) == (scenarios[0].id, scenarios[0].title, "PRO")
    assert scenarios[0].snapshot(" elite ")["difficulty"] == "ELITE"
    with pytest.raises(ValueError):
        scenarios[0].snapshot("impossible")


def test_the_objection_drill_ends_after_five_exchanges():
    drill = next(s for s in load_scenarios() if s.is_drill)
    lines = [TranscriptLine(1, Speaker.SELLER, "Your offer is insulting.")]
    for exchange in range(5):
        seq = len(lines) + 1
        lines.append(TranscriptLine(seq, Speaker.TRAINEE, "I hear you. What would feel fair?"))
        lines.append(TranscriptLine(seq + 1, Speaker.TRAINEE, "Take your time."))  # same turn, still one exchange
        assert not drill.is_finished(lines)
        lines.append(TranscriptLine(seq + 2, Speaker.SELLER, f"Objection number {exchange + 2}."))
    assert exchanges_completed(lines) == 5
    assert drill.is_finished(lines)
    cold_call = next(s for s in load_scenarios() if not s.is_drill)
    assert not cold_call.is_finished(lines * 3)

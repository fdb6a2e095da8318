"""The `roleplay` commands as a user runs them: a real process, a real data folder, one-line errors with exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.core.results import Grade
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.store.db import Store
from desktop.store.sessions import SessionRepository
from tests.conftest import start

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_KEYS = {
    "client_session_id", "revision", "device_id", "mode", "persona", "scenario", "agent_id", "conversation_id",
    "started_at", "ended_at", "duration_seconds", "status", "end_reason", "transcript", "metrics", "grade",
    "virtual_earnings", "xp_earned",
}  # fmt: skip


def roleplay(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


@pytest.fixture
def seeded(data_home: Path) -> list[int]:
    store = Store.open(data_home / "roleplay.db")
    repo = SessionRepository(store)
    ids = []
    for index, words in enumerate(("the well ran dry last summer", "my brother wants cash", "no road access")):
        started = start(repo, trainee_name="Sam")
        repo.append_line(started.id, TranscriptLine(1, Speaker.SELLER, "Hello?", 0, 700))
        repo.append_line(started.id, TranscriptLine(2, Speaker.TRAINEE, "Hi, is this Walter?", 900, 1500))
        repo.append_line(started.id, TranscriptLine(3, Speaker.SELLER, f"Yes, and {words}.", 2600, 2000))
        repo.end_session(started.id, end_reason="user_hangup")
        if index < 2:
            repo.save_grade(started.id, Grade(60 + index, 50, 40, 30, strengths=("You said 'is this Walter?'",)))
        ids.append(started.id)
    store.close()
    return ids


def test_personas_list_json():
    result = roleplay("personas", "list", "--json")
    assert result.returncode == 0, result.stderr
    personas = json.loads(result.stdout)
    assert len(personas) >= 10
    assert {"id", "name", "property_type", "location", "phone"} <= set(personas[0])


def test_personas_list_table():
    result = roleplay("personas", "list")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].split()[:2] == ["ID", "NAME"]


def test_sessions_list_search_and_paging(seeded):
    everything = json.loads(roleplay("sessions", "list", "--json").stdout)
    assert everything["total"] == 3
    # The third call ended with no grade (its process was killed before grading): listing graded it, by the rules.
    assert everything["sessions"][0]["overall"] is not None and everything["sessions"][0]["needs_grading"] is False
    assert [s["id"] for s in everything["sessions"]] == list(reversed(seeded))
    page = json.loads(roleplay("sessions", "list", "--json", "--limit", "1", "--offset", "1").stdout)
    assert [s["id"] for s in page["sessions"]] == [seeded[1]]
    found = json.loads(roleplay("sessions", "list", "--json", "--search", "brother").stdout)
    assert [s["id"] for s in found["sessions"]] == [seeded[1]]
    table = roleplay("sessions", "list").stdout
    assert "grading..." not in table


def test_sessions_show_is_the_contract_document(seeded):
    result = roleplay("sessions", "show", str(seeded[0]), "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert CONTRACT_KEYS <= set(document)
    assert document["id"] == seeded[0]
    assert document["grade"]["overall"] == 45
    assert document["transcript"][1] == {
        "seq": 2, "speaker": "trainee", "text": "Hi, is this Walter?", "offset_ms": 900, "duration_ms": 1500,
        "interrupted": False,
    }  # fmt: skip
    assert document["started_at"].endswith("Z") and len(document["started_at"]) == 20


def test_export_markdown_and_json_to_files(seeded, tmp_path: Path):
    md_file, json_file = tmp_path / "call.md", tmp_path / "call.json"
    assert roleplay("sessions", "export", str(seeded[0]), "--format", "md", "-o", str(md_file)).returncode == 0
    assert roleplay("sessions", "export", str(seeded[0]), "--format", "json", "-o", str(json_file)).returncode == 0
    markdown = md_file.read_text()
    assert markdown.startswith("# Call with Walter Briggs")
    assert "the well ran dry last summer" in markdown and "Grade: 45/100" in markdown
    assert json.loads(json_file.read_text())["client_session_id"]


@pytest.mark.parametrize(
    "args, message",
    [
        (("sessions", "show", "999"), "no session with id 999"),
        (("sessions", "show", "abc"), "session id must be a number"),
        (("sessions", "show", "-3"), "session id must be"),
        (("sessions", "export", "1", "--format", "pdf"), "invalid choice"),
        (("sessions", "list", "--limit", "many"), "not a whole number"),
        (("frobnicate",), "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(seeded, args, message):
    result = roleplay(*args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr


def test_export_to_an_unwritable_place(seeded, tmp_path: Path):
    result = roleplay("sessions", "export", str(seeded[0]), "--format", "md", "-o", str(tmp_path / "no" / "x.md"))
    assert result.returncode == 2
    assert "cannot write" in result.stderr


def test_corrupt_database_is_one_clear_line(data_home: Path):
    data_home.mkdir(parents=True, exist_ok=True)
    (data_home / "roleplay.db").write_bytes(b"garbage" * 500)
    result = roleplay("sessions", "list")
    assert result.returncode == 2
    assert "cannot be read" in result.stderr and "Move it aside" in result.stderr
    assert (data_home / "roleplay.db").read_bytes() == b"garbage" * 500


def test_doctor_json_reports_every_part():
    result = roleplay("doctor", "--json", "--offline")
    report = json.loads(result.stdout)
    names = {check["name"] for check in report["checks"]}
    assert {"data folder", "database", "keyring", "audio", "camera"} <= names
    assert all(check["status"] in ("ok", "warn", "fail") for check in report["checks"])
    assert result.returncode == (1 if report["status"] == "fail" else 0)
    assert next(c for c in report["checks"] if c["name"] == "database")["status"] == "ok"


def test_python_dash_m_and_console_script_agree():
    script = Path(sys.executable).with_name("roleplay")
    if not script.exists():
        pytest.skip("the console script is not installed in this environment")
    result = subprocess.run([str(script), "personas", "list", "--json"], capture_output=True, text=True, timeout=60)
    assert json.loads(result.stdout) == json.loads(roleplay("personas", "list", "--json").stdout)


def test_doctor_recovers_a_call_left_open_by_a_dead_process(data_home: Path):
    store = Store.open(data_home / "roleplay.db")
    started = start(SessionRepository(store))
    store.db.execute_sql("UPDATE sessions SET owner_pid = 999999, owner_host = 'elsewhere' WHERE id = ?", (started.id,))
    store.close()
    report = json.loads(roleplay("doctor", "--json", "--offline").stdout)
    database = next(c for c in report["checks"] if c["name"] == "database")
    assert "1 interrupted call(s) recovered" in database["detail"]
    listed = json.loads(roleplay("sessions", "list", "--json").stdout)
    assert listed["sessions"][0]["status"] == "interrupted"

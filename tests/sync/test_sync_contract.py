"""The contract file, its validator, the documents the app sends, and the test backend's own contract behaviour."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2 as httpx
import pytest

from desktop.core.results import CallMetrics, Grade
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.store.documents import session_document
from tests.conftest import start
from tests.sync.sync_backend import SyncBackend
from tests.sync.sync_contract import SPEC_PATH, Contract, load_yaml
from tests.sync.sync_data import make_sessions

PUT_PATH = "/api/v1/training-sessions/{client_session_id}"
AUTH = {"Authorization": "Bearer test-token"}


@pytest.fixture(scope="module")
def contract() -> Contract:
    return Contract()


def test_the_contract_is_read_as_yaml_not_a_subset_of_it():
    # PyYAML: block scalars, anchors and flow mappings, which the hand-written loader could not read.
    text = """
    openapi: 3.1.0
    description: |
      Two lines
      of text.
    base: &limits {maxLength: 5}
    copy: *limits
    "200": {a: [1, "x, y"]}
    """
    assert load_yaml(text) == {
        "openapi": "3.1.0",
        "description": "Two lines\nof text.\n",
        "base": {"maxLength": 5},
        "copy": {"maxLength": 5},
        "200": {"a": [1, "x, y"]},
    }


def test_the_contract_file_is_openapi_3_1_with_every_endpoint(contract: Contract):
    spec = contract.spec
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) == {
        PUT_PATH,
        "/api/v1/training-sessions",
        "/api/v1/usage/today",
        "/api/v1/personas",
        "/api/v1/assignments",
        "/api/v1/me",
    }
    put = spec["paths"][PUT_PATH]["put"]["responses"]
    assert {"200", "201", "401", "403", "409", "422", "413", "400", "429"} <= set(put)
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_keyword_is_checked_by_jsonschema(tmp_path: Path):
    # The hand-written validator knew a subset and refused a contract using anything else; jsonschema checks them all.
    text = SPEC_PATH.read_text().replace("          maxItems: 5000\n", "          uniqueItems: true\n", 1)
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    contract = Contract(path)
    schema = {"type": "array", "uniqueItems": True, "items": {"type": "string", "format": "date-time"}}
    assert contract.errors(["2024-01-01T00:00:00Z"], schema) == []
    assert [field for field, _ in contract.errors(["x", "x"], schema)] == ["", "[0]", "[1]"]  # repeated; not dates


def test_a_contract_whose_schema_is_not_json_schema_is_refused(tmp_path: Path):
    text = SPEC_PATH.read_text().replace("          maxItems: 5000\n", "          maxItems: many\n", 1)
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match="not valid JSON Schema"):
        Contract(path)


def test_the_validator_reports_each_broken_field(contract: Contract):
    schema = contract.request_schema(PUT_PATH, "put")
    document = {
        "client_session_id": "not-a-uuid",
        "revision": 0,
        "mode": "video",
        "persona": {"id": "x", "name": "X"},
        "scenario": {"id": "s", "title": "S", "difficulty": "PRO"},
        "transcript": [{"seq": 1, "speaker": "narrator", "text": "", "offset_ms": 0, "duration_ms": 0}],
        "grade": {"rapport": 101},
        "metrics": None,
    }
    fields = {where for where, _ in contract.errors(document, schema)}
    assert {
        "client_session_id",
        "revision",
        "mode",
        "device_id",
        "transcript[0].speaker",
        "transcript[0].text",
    } <= fields
    assert "transcript[0].interrupted" in fields  # required
    assert "grade" in fields  # neither a Grade (101 is out of range, fields missing) nor null


def test_every_kind_of_session_the_app_makes_fits_the_contract(repo, queries, contract: Contract):
    schema = contract.request_schema(PUT_PATH, "put")
    graded = make_sessions(repo, 2)
    typed = start(repo, mode="text")
    repo.append_line(typed.id, TranscriptLine(1, Speaker.SELLER, "Hello?", 0, 0))
    repo.end_session(
        typed.id, end_reason="time_limit", metrics=CallMetrics(60.0, 1, 1, 0, 0, 0)
    )  # timing metrics are None when typed
    failed = start(repo)
    repo.end_session(failed.id, end_reason="error", status="failed", error_message="no connection")
    interrupted = start(repo)
    repo.append_line(interrupted.id, TranscriptLine(1, Speaker.SELLER, "Hello?", 0, 900))
    repo.end_session(interrupted.id, end_reason="app_exit", status="interrupted")
    repo.save_grade(interrupted.id, Grade(10, 20, 30, 41, grader="heuristic"))
    for session_id in [*graded, typed.id, failed.id, interrupted.id]:
        document = session_document(queries.get_session(session_id), "device-a")
        assert contract.errors(document, schema) == [], session_id


def test_the_document_says_whether_the_call_was_practice_or_exam(repo, queries, contract: Contract):
    # The team server counts only exam calls toward an exam assignment, so each document says which it was.
    schema = contract.request_schema(PUT_PATH, "put")
    practice, exam = start(repo, practice_mode=True), start(repo, practice_mode=False)
    for session, expected in ((practice, True), (exam, False)):
        repo.end_session(session.id, end_reason="user_hangup")
        document = session_document(queries.get_session(session.id), "device-a")
        assert document["practice_mode"] is expected
        assert contract.errors(document, schema) == []
    assert contract.errors({**document, "practice_mode": "no"}, schema) != []


def test_the_backend_is_idempotent_and_answers_per_contract(repo, queries, backend: SyncBackend):
    (session_id,) = make_sessions(repo, 1)
    document = session_document(queries.get_session(session_id), "device-a")
    url = f"{backend.url}/api/v1/training-sessions/{document['client_session_id']}"
    with httpx.Client(trust_env=False) as client:
        first = client.put(url, json=document, headers=AUTH)
        again = client.put(url, json=document, headers=AUTH)
        older = client.put(url, json={**document, "revision": document["revision"] - 1}, headers=AUTH)
        anonymous = client.put(url, json=document)
        listed = client.get(
            f"{backend.url}/api/v1/training-sessions", params={"updated_since": "2020-01-01T00:00:00Z"}, headers=AUTH
        )
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert backend.row_count() == 1
    assert older.status_code == 409
    assert older.json() == {"error": "stale_revision", "server_revision": document["revision"]}
    assert anonymous.status_code == 401
    assert listed.json()["sessions"] == [{**document, "id": first.json()["id"]}]


def test_the_backend_rejects_a_body_that_breaks_the_contract(backend: SyncBackend):
    body = {"client_session_id": "6f1c1c0e-9a57-4d0e-9c8e-2f3a2b7f1d10", "revision": 1, "mode": "video"}
    with httpx.Client(trust_env=False) as client:
        answer = client.put(
            f"{backend.url}/api/v1/training-sessions/{body['client_session_id']}", json=body, headers=AUTH
        )
        garbage = client.put(
            f"{backend.url}/api/v1/training-sessions/{body['client_session_id']}", content=b"{", headers=AUTH
        )
    assert answer.status_code == 422
    details = answer.json()["details"]
    assert {"field": "mode", "message": "must be one of ['voice', 'text']"} in details
    assert any(d["field"] == "transcript" and d["message"] == "is required" for d in details)
    assert garbage.status_code == 400
    assert backend.row_count() == 0
    assert json.loads(garbage.content)["error"] == "bad_request"

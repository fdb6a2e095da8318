"""The OpenAPI document django-ninja makes from the code agrees with docs/sync-api.yaml, the contract the app speaks."""

from __future__ import annotations

import pytest
from contract import spec

pytestmark = pytest.mark.django_db(databases=[])


@pytest.fixture(scope="module")
def generated() -> dict:
    from roleplay_server.api.routes import api

    return api.get_openapi_schema(path_prefix="/api")


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "delete", "patch"):
                yield path, method, operation


def test_every_operation_of_the_contract_is_served_and_nothing_else(generated):
    contract = {(p, m): op["operationId"] for p, m, op in operations(spec())}
    served = {(p, m): op["operationId"] for p, m, op in operations(generated)}
    assert served == contract


@pytest.mark.parametrize("path,method", [(p, m) for p, m, _ in operations(spec())])
def test_parameters_responses_and_body_match(generated, path, method):
    ours, theirs = generated["paths"][path][method], spec()["paths"][path][method]
    ours = {**ours, "responses": {str(code): answer for code, answer in ours["responses"].items()}}
    params = lambda op: {(p["name"], p["in"], bool(p.get("required"))) for p in op.get("parameters", [])}  # noqa: E731
    assert params(ours) == params(theirs)
    assert set(ours["responses"]) == set(theirs["responses"])
    body = lambda op: op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")  # noqa: E731
    assert body(ours) == body(theirs)
    for status, answer in theirs["responses"].items():
        if "content" in answer:  # an inline answer: the same schema reference
            expected = answer["content"]["application/json"]["schema"]
            assert ours["responses"][status]["content"]["application/json"]["schema"] == expected
    assert ours.get("security"), "every operation needs the bearer token"


def _object_schemas(document: dict) -> dict:
    return {name: s for name, s in document["components"]["schemas"].items() if s.get("type") == "object"}


def test_schemas_have_the_contracts_fields_and_requirements(generated):
    ours = generated["components"]["schemas"]
    for name, theirs in _object_schemas(spec()).items():
        assert name in ours, f"{name} is in the contract, not in the code"
        assert set(ours[name].get("properties", {})) == set(theirs.get("properties", {})), name
        assert set(ours[name].get("required", [])) == set(theirs.get("required", [])), name
        for field, definition in theirs.get("properties", {}).items():
            if "enum" in definition:
                mine = ours[name]["properties"][field]
                values = mine.get("enum") or [v for option in mine.get("anyOf", []) for v in option.get("enum", [])]
                expected = [v for v in definition["enum"] if v is not None]
                assert set(values) == set(expected), f"{name}.{field}"


def test_the_security_scheme_is_http_bearer(generated):
    (scheme,) = generated["components"]["securitySchemes"].values()
    assert scheme == {"type": "http", "scheme": "bearer"}

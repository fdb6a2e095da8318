"""docs/sync-api.yaml loaded for the tests: checks a server answer against the contract's schema for it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "sync-api.yaml"


@lru_cache(maxsize=1)
def spec() -> dict:
    return yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))


def response_schema(path: str, method: str, status: int) -> dict | None:
    answer = spec()["paths"][path][method]["responses"].get(str(status))
    assert answer is not None, f"the contract has no {status} for {method.upper()} {path}"
    if "$ref" in answer:
        answer = spec()["components"]["responses"][answer["$ref"].rsplit("/", 1)[-1]]
    content = answer.get("content")
    return None if content is None else content["application/json"]["schema"]


def problems(body: object, path: str, method: str, status: int) -> list[str]:
    schema = response_schema(path, method, status)
    if schema is None:
        return [] if body in (b"", None) else [f"expected no body, got {body!r:.200}"]
    validator = Draft202012Validator({**schema, "components": spec()["components"]})
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]

"""The sync contract, machine-readable: docs/sync-api.yaml read with PyYAML, documents checked against its schemas
with `jsonschema` (JSON Schema 2020-12, as OpenAPI 3.1 uses it). Both replace hand-written subsets (issue 14, item 21):
every keyword the contract uses is checked, because the library checks them all.
"""

from __future__ import annotations

import copy
import re
import uuid
from pathlib import Path

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parents[2] / "docs" / "sync-api.yaml"
_SPEC_URI = "urn:roleplay:sync-api"

# jsonschema checks "date-time" only when rfc3339-validator is installed; the contract's two formats are checked here.
_FORMATS = jsonschema.FormatChecker(formats=())
_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")


@_FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(_DATE_TIME.match(value))


@_FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(uuid.UUID(value))


def load_yaml(text: str) -> object:
    return yaml.safe_load(text)


class Contract:
    def __init__(self, path: Path = SPEC_PATH) -> None:
        self.spec = load_yaml(path.read_text(encoding="utf-8"))
        self._registry = Registry().with_resource(_SPEC_URI, Resource(contents=self.spec, specification=DRAFT202012))
        for name, schema in self.spec.get("components", {}).get("schemas", {}).items():
            try:
                jsonschema.Draft202012Validator.check_schema(schema)
            except jsonschema.SchemaError as exc:
                raise ValueError(f"the contract's schema {name} is not valid JSON Schema: {exc.message}") from None

    def request_schema(self, path: str, method: str) -> dict:
        return self.spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]

    def response_schema(self, path: str, method: str, status: int) -> dict | None:
        answer = self.spec["paths"][path][method]["responses"].get(str(status))
        if answer is None:
            raise ValueError(f"{method.upper()} {path} may not answer {status}")
        answer = self._resolve(answer)
        content = answer.get("content", {}).get("application/json")
        return content["schema"] if content else None

    def errors(self, value: object, schema: dict, where: str = "") -> list[tuple[str, str]]:
        """(field, message) for each way `value` breaks `schema`; empty when it fits."""
        validator = jsonschema.Draft202012Validator(_absolute(schema), registry=self._registry, format_checker=_FORMATS)
        errors = sorted(validator.iter_errors(value), key=_order)
        return [found for error in errors for found in _described(error, where)]

    def _resolve(self, node: dict) -> dict:
        while "$ref" in node:
            node = _pointer(self.spec, node["$ref"])
        return node


def _pointer(spec: dict, ref: str) -> dict:
    node = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _absolute(schema: dict) -> dict:
    """The schema with its "#/..." references pointing into the contract file, wherever the schema came from."""
    schema = copy.deepcopy(schema)
    stack: list[object] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#"):
                node["$ref"] = _SPEC_URI + ref
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return schema


def _order(error: jsonschema.ValidationError) -> tuple:
    return tuple(str(p) for p in error.absolute_path)


def _field(path, where: str) -> str:
    text = where
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _described(error: jsonschema.ValidationError, where: str) -> list[tuple[str, str]]:
    """The field(s) and a short message; the library's own message where there is no shorter one."""
    field = _field(error.absolute_path, where)
    kind, expected = error.validator, error.validator_value
    if kind == "required":
        missing = re.match(r"'(.*)' is a required property", error.message)
        return [(_field([missing.group(1) if missing else error.message], field), "is required")]
    if kind == "additionalProperties" and expected is False and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {})
        return [(_field([key], field), "is not allowed") for key in error.instance if key not in allowed]
    if kind == "enum":
        return [(field, f"must be one of {expected}")]
    if kind == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        return [(field, f"must be {' or '.join(kinds)}")]
    if kind == "anyOf":
        return [(field, "matches none of the allowed forms")]
    return [(field, _SHORT[kind](expected) if kind in _SHORT else error.message)]


# The test backend's messages, as the tests and the app's sync errors have always seen them.
_SHORT = {
    "minimum": lambda limit: f"must be at least {limit}",
    "maximum": lambda limit: f"must be at most {limit}",
    "minLength": lambda _: "has the wrong length",
    "maxLength": lambda _: "has the wrong length",
    "minItems": lambda _: "has the wrong number of items",
    "maxItems": lambda _: "has the wrong number of items",
    "pattern": lambda pattern: f"must match {pattern}",
    "format": lambda kind: {"date-time": "must be an RFC 3339 date-time", "uuid": "must be a UUID"}.get(kind, kind),
}

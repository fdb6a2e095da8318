"""The sync contract, machine-readable: a loader for the plain block YAML that docs/sync-api.yaml is written in, and
a validator for the subset of JSON Schema (2020-12, as OpenAPI 3.1 uses it) that the file uses. The validator refuses
a contract that uses a keyword it does not check, so a schema can never pass by being ignored.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

SPEC_PATH = Path(__file__).resolve().parents[2] / "docs" / "sync-api.yaml"

# -- a loader for the plain block YAML the contract file is written in ------------------------------------------------


def load_yaml(text: str) -> object:
    """Block mappings and sequences, quoted and plain scalars, one-line [flow] lists and {} - nothing else."""
    lines = []
    for raw in text.splitlines():
        content = _strip_comment(raw).rstrip()
        if content.strip():
            lines.append((len(content) - len(content.lstrip(" ")), content.strip()))
    value, end = _block(lines, 0, lines[0][0])
    if end != len(lines):
        raise ValueError(f"unexpected indentation at {lines[end][1]!r}")
    return value


def _strip_comment(line: str) -> str:
    quote = None
    for index, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] == " "):
            return line[:index]
    return line


def _is_item(text: str) -> bool:
    return text == "-" or text.startswith("- ")


def _block(lines: list, index: int, indent: int) -> tuple[object, int]:
    return (_sequence if _is_item(lines[index][1]) else _mapping)(lines, index, indent)


def _mapping(lines: list, index: int, indent: int, first: str | None = None) -> tuple[dict, int]:
    result: dict = {}
    while index < len(lines) and lines[index][0] == indent and (first is not None or not _is_item(lines[index][1])):
        key, rest = _split_key(first if first is not None else lines[index][1])
        first, index = None, index + 1
        if rest:
            result[key] = _scalar(rest)
        elif index < len(lines) and (
            lines[index][0] > indent or (lines[index][0] == indent and _is_item(lines[index][1]))
        ):
            result[key], index = _block(lines, index, lines[index][0])
        else:
            result[key] = None
    return result, index


def _sequence(lines: list, index: int, indent: int) -> tuple[list, int]:
    result = []
    while index < len(lines) and lines[index][0] == indent and _is_item(lines[index][1]):
        rest = lines[index][1][1:].strip()
        if not rest:
            value, index = _block(lines, index + 1, lines[index + 1][0])
        elif _split_key(rest, strict=False) is not None:
            # "- key: value" opens a mapping whose keys line up two columns right of the dash.
            lines[index] = (indent + 2, lines[index][1])
            value, index = _mapping(lines, index, indent + 2, first=rest)
        else:
            value, index = _scalar(rest), index + 1
        result.append(value)
    return result, index


def _split_key(text: str, strict: bool = True):
    if text[0] in "\"'[{":
        end = text.find(text[0], 1) if text[0] in "\"'" else -1
        if end > 0 and text[end + 1 : end + 2] == ":" and text[end + 2 : end + 3] in ("", " "):
            return _scalar(text[: end + 1]), text[end + 2 :].strip()
    else:
        match = re.match(r"^([^:]+?):(?: (.*)|$)", text)
        if match:
            return match.group(1), (match.group(2) or "").strip()
    if strict:
        raise ValueError(f"expected 'key: value', got {text!r}")
    return None


def _scalar(text: str) -> object:
    if text.startswith('"'):
        return json.loads(text)
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if text == "{}":
        return {}
    if text.startswith("["):
        inner = text[1:-1].strip()
        return [_scalar(part.strip()) for part in _split_flow(inner)] if inner else []
    if text in ("null", "~"):
        return None
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return text


def _split_flow(text: str) -> list[str]:
    parts, current, quote = [], "", None
    for char in text:
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == ",":
            parts.append(current)
            current = ""
            continue
        current += char
    return [*parts, current]


# -- the subset of JSON Schema (2020-12, as OpenAPI 3.1 uses it) that the contract file uses -------------------------

VALIDATING = {"$ref", "type", "enum", "required", "properties", "items", "anyOf", "allOf", "minimum", "maximum",
              "minLength", "maxLength", "minItems", "maxItems", "pattern", "format",
              "additionalProperties"}  # fmt: skip
ANNOTATIONS = {"description", "default", "title", "example"}
_TYPES = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}
_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


class Contract:
    def __init__(self, path: Path = SPEC_PATH) -> None:
        self.spec = load_yaml(path.read_text(encoding="utf-8"))
        unknown = {k for schema in self._all_schemas(self.spec) for k in schema} - VALIDATING - ANNOTATIONS
        if unknown:
            raise ValueError(f"the contract uses schema keywords this validator does not check: {sorted(unknown)}")

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
        schema = self._resolve(schema)
        found: list[tuple[str, str]] = []
        for sub in schema.get("allOf", ()):
            found += self.errors(value, sub, where)
        if "anyOf" in schema and all(self.errors(value, sub, where) for sub in schema["anyOf"]):
            found.append((where, "matches none of the allowed forms"))
        if "type" in schema:
            kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            if not any(_TYPES[kind](value) for kind in kinds):
                return [*found, (where, f"must be {' or '.join(kinds)}")]
        if "enum" in schema and not any(value == e and type(value) is type(e) for e in schema["enum"]):
            found.append((where, f"must be one of {schema['enum']}"))
        if isinstance(value, str):
            found += self._string_errors(value, schema, where)
        if _TYPES["number"](value):
            if "minimum" in schema and value < schema["minimum"]:
                found.append((where, f"must be at least {schema['minimum']}"))
            if "maximum" in schema and value > schema["maximum"]:
                found.append((where, f"must be at most {schema['maximum']}"))
        if isinstance(value, list):
            if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", len(value)):
                found.append((where, "has the wrong number of items"))
            for index, item in enumerate(value if "items" in schema else ()):
                found += self.errors(item, schema["items"], f"{where}[{index}]")
        if isinstance(value, dict):
            prefix = f"{where}." if where else ""
            found += [(prefix + key, "is required") for key in schema.get("required", ()) if key not in value]
            properties = schema.get("properties", {})
            for key, item in value.items():
                if key in properties:
                    found += self.errors(item, properties[key], prefix + key)
                elif schema.get("additionalProperties") is False:
                    found.append((prefix + key, "is not allowed"))
        return found

    @staticmethod
    def _string_errors(value: str, schema: dict, where: str) -> list[tuple[str, str]]:
        found = []
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value)):
            found.append((where, "has the wrong length"))
        if "pattern" in schema and not re.search(schema["pattern"], value):
            found.append((where, f"must match {schema['pattern']}"))
        kind = schema.get("format")
        if kind == "date-time" and not _DATE_TIME.match(value):
            found.append((where, "must be an RFC 3339 date-time"))
        if kind == "uuid":
            try:
                uuid.UUID(value)
            except ValueError:
                found.append((where, "must be a UUID"))
        return found

    def _resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            node = self.spec
            for part in schema["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def _all_schemas(self, node: object, in_schema: bool = False):
        if isinstance(node, dict):
            if in_schema:
                yield node
            for key, value in node.items():
                if key == "properties" and in_schema:
                    for sub in value.values():
                        yield from self._all_schemas(sub, True)
                elif key in ("schema", "items", "additionalProperties") or (key == "schemas" and not in_schema):
                    children = value.values() if key == "schemas" else [value]
                    for sub in children:
                        yield from self._all_schemas(sub, True)
                elif key in ("anyOf", "allOf"):
                    for sub in value:
                        yield from self._all_schemas(sub, True)
                elif not in_schema:
                    yield from self._all_schemas(value, False)
        elif isinstance(node, list) and not in_schema:
            for item in node:
                yield from self._all_schemas(item, False)

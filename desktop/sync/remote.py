"""A session document from the backend (made on another device, or the server's copy after a 409), checked and
turned into what the local tables hold. Anything that does not fit raises ValueError: one bad document from the
server must never become a row that breaks history or review."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from desktop.core.clock import parse_iso, to_iso
from desktop.core.results import CallMetrics, Grade
from desktop.core.transcript import MAX_LINE_CHARS, Speaker, TranscriptLine
from desktop.core.vocabulary import END_REASONS, ENDED_STATUSES, MODES
from desktop.store.pulled_sessions import RemoteSession

DEFAULT_DIFFICULTY = "ROOKIE"


def parse_remote_document(doc: Mapping[str, Any]) -> RemoteSession:
    if not isinstance(doc, Mapping):
        raise ValueError("a session document must be an object")
    client_session_id = _text(doc, "client_session_id", required=True)
    revision = doc.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 1:
        raise ValueError(f"revision must be a positive integer, got {revision!r}")
    remote_id = doc.get("id")
    mode, status, end_reason = doc.get("mode"), doc.get("status"), doc.get("end_reason")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if status not in ENDED_STATUSES:
        raise ValueError(f"status must be one of {ENDED_STATUSES}, got {status!r}")
    if end_reason is not None and end_reason not in END_REASONS:
        raise ValueError(f"end_reason must be one of {END_REASONS}, got {end_reason!r}")
    persona = _object(doc, "persona")
    scenario = _object(doc, "scenario")
    persona_id, persona_name = _text(persona, "id", required=True), _text(persona, "name", required=True)
    scenario_id = _text(scenario, "id", required=True)
    difficulty = _text(scenario, "difficulty") or DEFAULT_DIFFICULTY
    lines = _lines(doc.get("transcript"))
    started_at = _time(doc.get("started_at"), "started_at", required=True)
    ended_at = _time(doc.get("ended_at"), "ended_at")
    duration = doc.get("duration_seconds")
    if duration is not None and (not isinstance(duration, (int, float)) or isinstance(duration, bool) or duration < 0):
        raise ValueError(f"duration_seconds must be a non-negative number, got {duration!r}")
    grade, graded_at = _grade(doc)
    # An exam call must stay an exam on every device (it counts for an exam assignment); older apps omit the field,
    # and the server's schema lets it be null: both are practice.
    practice_mode = doc.get("practice_mode")
    if practice_mode is None:
        practice_mode = True
    elif not isinstance(practice_mode, bool):
        raise ValueError(f"practice_mode must be true or false, got {practice_mode!r}")
    columns = {
        "kind": "coach" if any(line.speaker is Speaker.COACH for line in lines) else "roleplay",
        "mode": mode,
        "status": status,
        "end_reason": end_reason,
        "persona_id": persona_id,
        "persona_name": persona_name,
        "persona_snapshot": json.dumps(dict(persona)),
        "scenario_id": scenario_id,
        "scenario_snapshot": json.dumps({**scenario, "difficulty": difficulty}),
        "difficulty": difficulty,
        "agent_id": _text(doc, "agent_id"),
        "conversation_id": _text(doc, "conversation_id"),
        "started_at": started_at,
        "ended_at": ended_at,
        "duration_seconds": float(duration) if duration is not None else None,
        "metrics": _metrics(doc.get("metrics"), lines, duration),
        "practice_mode": int(practice_mode),
    }
    return RemoteSession(
        client_session_id=client_session_id,
        remote_id=remote_id if isinstance(remote_id, int) and not isinstance(remote_id, bool) else None,
        revision=revision,
        device_id=_text(doc, "device_id"),
        columns=columns,
        lines=lines,
        grade=grade,
        graded_at=graded_at,
        heard_texts=_heard_texts(doc.get("transcript"), lines),
    )


def _text(data: Mapping, key: str, required: bool = False) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValueError(f"{key} must be {'a non-empty' if required else 'a'} string, got {value!r}")
    return value


def _object(data: Mapping, key: str) -> Mapping:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise ValueError(f"{key} must be an object")
    return value


def _time(value: object, key: str, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key} must be an RFC 3339 time, got {value!r}")
    try:
        return to_iso(parse_iso(value))
    except ValueError:
        raise ValueError(f"{key} must be an RFC 3339 time, got {value!r}") from None


def _lines(raw: object) -> tuple[TranscriptLine, ...]:
    if not isinstance(raw, list):
        raise ValueError("transcript must be a list")
    try:
        lines = tuple(TranscriptLine.from_dict(item) for item in raw)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"a transcript line is malformed: {exc}") from None
    if len({line.seq for line in lines}) != len(lines):
        raise ValueError("transcript line numbers (seq) repeat")
    if any(not line.text.strip() for line in lines):
        raise ValueError("a transcript line has no text")
    return lines


def _heard_texts(raw: list, lines: tuple[TranscriptLine, ...]) -> dict[int, str]:
    """What the recogniser first heard on each line the trainee corrected (seq -> words). Absent or null: the line
    reads as heard (older apps never send it). Anything else that is not a string of a line's length is refused."""
    heard: dict[int, str] = {}
    for item, line in zip(raw, lines, strict=True):
        value = item.get("heard_text")
        if value is None:
            continue
        if not isinstance(value, str):
            raise ValueError(f"heard_text of transcript line {line.seq} must be a string or null, got {value!r:.80}")
        if len(value) > MAX_LINE_CHARS:
            raise ValueError(
                f"heard_text of transcript line {line.seq} is {len(value)} characters; a line holds {MAX_LINE_CHARS}"
            )
        heard[line.seq] = value
    return heard


def _grade(doc: Mapping) -> tuple[Grade | None, str | None]:
    raw = doc.get("grade")
    if raw is None:
        return None, None
    if not isinstance(raw, Mapping):
        raise ValueError("grade must be an object or null")
    try:
        grade = Grade.from_dict(
            {
                **raw,
                "virtual_earnings": int(doc.get("virtual_earnings") or 0),
                "xp_earned": int(doc.get("xp_earned") or 0),
            }
        )
    except (TypeError, ValueError) as exc:
        raise ValueError(f"grade is malformed: {exc}") from None
    return grade, _time(raw.get("graded_at"), "grade.graded_at")


def _metrics(raw: object, lines: tuple[TranscriptLine, ...], duration: float | None) -> str | None:
    """The contract lists fewer metrics than the app computes; the counts review needs are filled in from the
    transcript so the stored metrics always load."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ValueError("metrics must be an object or null")
    filled = {
        "call_length_s": float(duration or 0),
        "trainee_turns": sum(1 for line in lines if line.speaker is Speaker.TRAINEE),
        "seller_turns": sum(1 for line in lines if line.speaker is not Speaker.TRAINEE),
        "questions": 0,
        "open_questions": 0,
        "closed_questions": 0,
        **raw,
    }
    try:
        return json.dumps(CallMetrics.from_dict(filled).to_dict())
    except (TypeError, ValueError) as exc:
        raise ValueError(f"metrics are malformed: {exc}") from None

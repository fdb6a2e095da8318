"""What a client frame holds, read defensively: JSON objects only, audio only as base64 of a sensible size. Nothing
here logs a frame's content (it may be the trainee's audio or words)."""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any

log = logging.getLogger(__name__)

MAX_TYPED_CHARS = 4000  # a typed turn longer than a spoken minute is cut: the seller's rules read every character
MAX_AUDIO_CHUNK_BYTES = 64 * 1024  # 2 s of audio; clients send 20-250 ms


def audio_payload(payload: object) -> bytes | None:
    """The PCM of a `user_audio_chunk`, or None when it is not base64 or is larger than any microphone chunk."""
    if not isinstance(payload, str) or len(payload) > MAX_AUDIO_CHUNK_BYTES * 4 // 3 + 4:
        return None
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return None


def decode_frame(raw: str | bytes) -> dict[str, Any] | None:
    try:
        text = raw.decode("utf-8") if isinstance(raw, (bytes, bytearray)) else raw
        frame = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        log.warning("ignoring a malformed client frame: %s", exc)  # never log the frame: it may be audio
        return None
    if not isinstance(frame, dict):
        log.warning("ignoring a client frame that is a JSON %s, not an object", type(frame).__name__)
        return None
    return frame

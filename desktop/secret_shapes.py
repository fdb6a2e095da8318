"""What the keys and tokens this app handles look like, so that none is written to a log or stored as an id.

OpenAI keys: sk-... (sk-proj-... too). ElevenLabs keys: sk_ followed by hex (older ones: 32 hex digits). Team
backend device tokens: rpt_ followed by URL-safe base64. Pure: no I/O, importable from anywhere.
"""

from __future__ import annotations

import re

# Matched anywhere in a text (a log line, an echoed error body).
KEY_IN_TEXT = re.compile(r"\b(?:sk-|sk_|rpt_)[A-Za-z0-9_\-]{16,}")
# A whole value that is a key, older ElevenLabs keys (bare 32 hex digits) included. For ids: an ElevenLabs agent id
# (agent_..., or a 20-character legacy id) never has one of these shapes.
WHOLE_KEY = re.compile(r"(?:sk-|sk_|rpt_)[A-Za-z0-9_\-]{16,}|[0-9a-fA-F]{32}")


def looks_like_key(text: str) -> bool:
    return bool(WHOLE_KEY.fullmatch(text.strip()))


def key_pasted_as_id_message(what: str) -> str:
    return (
        f"The {what} looks like an API key, not an id: it was not used or stored. Put the key in the API key field "
        "(it is kept in the OS keyring) and copy the agent's id (agent_...) from ElevenLabs."
    )

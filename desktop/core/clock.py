"""Time as the app writes it: timestamps as the store and the sync contract want them (RFC 3339, UTC), and lengths
of time as a clock shows them (the one formatter every screen, export and command uses)."""

from __future__ import annotations

import math
from datetime import datetime, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def to_iso(moment: datetime) -> str:
    """Millisecond precision with a Z suffix; strings of this form sort in time order."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def to_rfc3339_seconds(text: str | None) -> str | None:
    """The contract's form of a stored timestamp: whole seconds."""
    if not text:
        return None
    return parse_iso(text).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def format_clock(seconds: float | None, *, round_up: bool = False) -> str:
    """'MM:SS' below an hour, 'H:MM:SS' from an hour. round_up suits countdowns: 119.2 s left shows 02:00."""
    value = seconds or 0.0
    total = max(0, math.ceil(value) if round_up else math.floor(value))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"

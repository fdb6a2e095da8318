"""The one reading of a server's "wait before trying again": `retry-after-ms` (OpenAI's), then `Retry-After` as
seconds (fractions allowed) or as an HTTP date. Used by sync and by the grader, so both wait the same for the same
answer. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime


def retry_after_seconds(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds the server asked us to wait, or None when it said nothing readable. Header names in any case."""
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    millis = _non_negative(lowered.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000
    value = (lowered.get("retry-after") or "").strip()
    if not value:
        return None
    seconds = _non_negative(value)
    if seconds is not None:
        return seconds
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return max(0.0, (moment - (now or datetime.now(timezone.utc))).total_seconds())


def _non_negative(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    # nan and inf are not waits; a negative one is not either
    return value if value is not None and 0 <= value < float("inf") else None

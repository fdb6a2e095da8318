"""RFC 3339 timestamps as the contract writes them: checked, parsed, and written back in UTC with a Z."""

from __future__ import annotations

from datetime import datetime, timezone

MESSAGE = "must be an RFC 3339 date-time, e.g. 2026-11-20T15:04:05Z"


def parse_instant(value: str) -> datetime:
    """An aware datetime; ValueError for a bare date, a time without an offset, or anything else."""
    # fromisoformat alone would take "2026-11-20" or a time with no zone: the contract wants a full instant.
    if not isinstance(value, str) or len(value) < 20 or "T" not in value.upper():
        raise ValueError(MESSAGE)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(MESSAGE) from None
    if moment.tzinfo is None:
        raise ValueError("must carry a time zone (Z or an offset)")
    return moment


def rfc3339(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

"""Today's usage allowance from the server (`GET /api/v1/usage/today`), cached so that offline the last known
limits still apply. Without any answer from a server, the limits in Settings apply."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from desktop.core.clock import to_iso, utc_now
from desktop.core.limits import UsageLimits
from desktop.settings import Settings
from desktop.store.sync_store import USAGE_KEY, SyncStore
from desktop.sync.client import BackendClient
from desktop.sync.errors import BackendUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UsageToday:
    """What the call screen needs. The counts are the server's (synced calls only): show
    max(sessions_today, calls made here today and not yet synced) as used."""

    day: str  # the local date the counts belong to, YYYY-MM-DD
    sessions_today: int
    minutes_today: float
    limits: UsageLimits
    from_server: bool
    fetched_at: str | None = None


def parse_usage(data: dict) -> tuple[int, float, UsageLimits]:
    """The server's answer checked; ValueError when it does not fit the contract."""
    sessions, minutes = data.get("sessions_today"), data.get("minutes_today")
    if not _count(sessions) or not (_count(minutes) or (isinstance(minutes, float) and minutes >= 0)):
        raise ValueError(f"sessions_today / minutes_today must be non-negative numbers, got {sessions!r}, {minutes!r}")
    maxima = {key: data.get(key) for key in ("max_sessions_per_day", "max_session_minutes")}
    for key, value in maxima.items():
        if value is not None and not _count(value):
            raise ValueError(f"{key} must be a whole number or null, got {value!r}")
    return sessions, float(minutes), UsageLimits(**maxima)  # UsageLimits rejects a zero-minute call limit


def refresh_usage(client: BackendClient, store: SyncStore, today: date | None = None) -> UsageToday:
    """Asks the server and caches the answer. Raises the client's errors; BackendUnavailable for a bad answer."""
    data = client.usage_today()
    try:
        sessions, minutes, limits = parse_usage(data)
    except ValueError as exc:
        raise BackendUnavailable("The team backend sent usage limits this app cannot read.", str(exc)) from None
    usage = UsageToday((today or date.today()).isoformat(), sessions, minutes, limits, True, to_iso(utc_now()))
    store.put_cached(
        USAGE_KEY,
        {
            "day": usage.day,
            "sessions_today": sessions,
            "minutes_today": minutes,
            "max_sessions_per_day": limits.max_sessions_per_day,
            "max_session_minutes": limits.max_session_minutes,
            "fetched_at": usage.fetched_at,
        },
    ).result()
    return usage


def current_usage(store: SyncStore | None, settings: Settings, today: date | None = None) -> UsageToday:
    """The limits that apply now: the server's last known ones (offline too), else Settings. Counts from an
    earlier day do not carry over."""
    day = (today or date.today()).isoformat()
    entry = store.cached(USAGE_KEY) if store is not None else None
    if entry is not None and isinstance(entry.value, dict):
        try:
            sessions, minutes, limits = parse_usage(entry.value)
        except ValueError as exc:
            log.warning("ignoring unreadable cached usage limits: %s", exc)
        else:
            same_day = entry.value.get("day") == day
            return UsageToday(
                day,
                sessions if same_day else 0,
                minutes if same_day else 0.0,
                limits,
                True,
                entry.value.get("fetched_at"),
            )
    limits = UsageLimits(settings.max_sessions_per_day, settings.max_session_minutes)
    return UsageToday(day, 0, 0.0, limits, False)


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0

"""The dashboard's periods: this week (from Monday), this month, all time, in the server's time zone."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

PERIODS = {"week": "This week", "month": "This month", "all": "All time"}


def start_of(period: str, now: datetime | None = None) -> datetime | None:
    today = timezone.localdate(now or timezone.now())
    if period == "week":
        day = today - timedelta(days=today.weekday())
    elif period == "month":
        day = today.replace(day=1)
    else:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))

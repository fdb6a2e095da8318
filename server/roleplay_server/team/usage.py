"""Today's usage against the member's limits (their own, else the team's): GET /api/v1/usage/today."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Count, Sum
from django.utils import timezone

from roleplay_server.team.models import Member, TrainingSession, UsageLimit


def limits_for(member: Member) -> UsageLimit | None:
    own = UsageLimit.objects.filter(member=member).first()
    return own or UsageLimit.objects.filter(team_id=member.team_id, member__isnull=True).first()


def today(member: Member) -> dict:
    """A day is the server's day (settings.TIME_ZONE): one clock for the whole team."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    totals = TrainingSession.objects.filter(
        member=member, deleted_at__isnull=True, started_at__gte=start, started_at__lt=start + timedelta(days=1)
    ).aggregate(calls=Count("id"), seconds=Sum("duration_seconds"))
    limit = limits_for(member)
    return {
        "sessions_today": totals["calls"] or 0,
        "minutes_today": round((totals["seconds"] or 0) / 60, 1),
        "max_sessions_per_day": limit.max_sessions_per_day if limit else None,
        "max_session_minutes": limit.max_session_minutes if limit else None,
    }

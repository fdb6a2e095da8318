"""The numbers on the dashboard, each a grouped query (no per-member loops over calls)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Avg, Count, Max, Q, Sum
from django.utils import timezone

from roleplay_server.dashboard.periods import start_of
from roleplay_server.team.models import Member, Team, TrainingSession

SKILLS = {
    "rapport": "Rapport",
    "discovery": "Discovery",
    "objection_handling": "Objection handling",
    "closing": "Closing",
}
TREND_DAYS = 30


@dataclass
class MemberRow:
    member: Member
    calls_week: int
    calls_month: int
    average: float | None
    trend: float | None  # last 30 days' average minus the 30 days before; None when either is empty
    weakest: str
    last_practice: object


def live_sessions(team: Team):
    return TrainingSession.objects.filter(team=team, deleted_at__isnull=True)


def team_overview(team: Team) -> list[MemberRow]:
    now = timezone.now()
    recent, earlier = now - timedelta(days=TREND_DAYS), now - timedelta(days=2 * TREND_DAYS)
    live = Q(sessions__deleted_at__isnull=True)
    members = (
        Member.objects.filter(team=team)
        .select_related("user")
        .annotate(
            calls_week=Count("sessions", filter=live & Q(sessions__started_at__gte=start_of("week", now))),
            calls_month=Count("sessions", filter=live & Q(sessions__started_at__gte=start_of("month", now))),
            average=Avg("sessions__overall", filter=live),
            recent_avg=Avg("sessions__overall", filter=live & Q(sessions__started_at__gte=recent)),
            earlier_avg=Avg(
                "sessions__overall",
                filter=live & Q(sessions__started_at__gte=earlier, sessions__started_at__lt=recent),
            ),
            last_practice=Max("sessions__started_at", filter=live),
            **{f"avg_{skill}": Avg(f"sessions__{skill}", filter=live) for skill in SKILLS},
        )
    )
    rows = []
    for m in members:
        trend = None
        if m.recent_avg is not None and m.earlier_avg is not None:
            trend = round(m.recent_avg - m.earlier_avg, 1)
        rows.append(
            MemberRow(m, m.calls_week, m.calls_month, _round(m.average), trend, weakest_skill(m), m.last_practice)
        )
    return rows


def weakest_skill(annotated) -> str:
    scores = {skill: getattr(annotated, f"avg_{skill}", None) for skill in SKILLS}
    scored = {skill: value for skill, value in scores.items() if value is not None}
    return SKILLS[min(scored, key=scored.get)] if scored else ""


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def leaderboard(team: Team, period: str, order: str) -> list[dict]:
    """Members ranked by XP, average score or calls over the period; members with no call in it are left out."""
    rows = live_sessions(team)
    since = start_of(period)
    if since is not None:
        rows = rows.filter(started_at__gte=since)
    grouped = rows.values("member_id").annotate(
        xp=Sum("xp_earned"), average=Avg("overall"), calls=Count("id"), earnings=Sum("virtual_earnings")
    )
    key = {"xp": "xp", "score": "average", "calls": "calls"}[order]
    names = {m.pk: m for m in Member.objects.filter(team=team).select_related("user")}
    board = [
        {**row, "member": names[row["member_id"]], "average": _round(row["average"])}
        for row in grouped
        if row["member_id"] in names
    ]
    board.sort(key=lambda row: (row[key] is None, -(row[key] or 0), row["member"].name.lower()))
    return board


def member_summary(member: Member) -> dict:
    rows = TrainingSession.objects.filter(member=member, deleted_at__isnull=True)
    totals = rows.aggregate(
        calls=Count("id"),
        xp=Sum("xp_earned"),
        earnings=Sum("virtual_earnings"),
        average=Avg("overall"),
        **{f"avg_{skill}": Avg(skill) for skill in SKILLS},
    )
    by_persona = rows.values("persona_name").annotate(calls=Count("id"), average=Avg("overall")).order_by("-calls")
    by_difficulty = rows.values("difficulty").annotate(calls=Count("id"), average=Avg("overall")).order_by("-calls")
    days = sorted({timezone.localdate(s) for s in rows.exclude(started_at=None).values_list("started_at", flat=True)})
    return {
        "calls": totals["calls"] or 0,
        "xp": totals["xp"] or 0,
        "earnings": totals["earnings"] or 0,
        "average": _round(totals["average"]),
        "skills": [(label, _round(totals[f"avg_{skill}"])) for skill, label in SKILLS.items()],
        "by_persona": [{**row, "average": _round(row["average"])} for row in by_persona[:12]],
        "by_difficulty": [{**row, "average": _round(row["average"])} for row in by_difficulty],
        "streak": current_streak(days),
        "best_streak": best_streak(days),
    }


def current_streak(days: list) -> int:
    """Days in a row with a call, ending today or yesterday (a streak is not broken before the day is over)."""
    if not days:
        return 0
    today = timezone.localdate()
    if days[-1] < today - timedelta(days=1):
        return 0
    streak, expected = 0, days[-1]
    for day in reversed(days):
        if day != expected:
            break
        streak, expected = streak + 1, day - timedelta(days=1)
    return streak


def best_streak(days: list) -> int:
    best = run = 0
    previous = None
    for day in days:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best, previous = max(best, run), day
    return best

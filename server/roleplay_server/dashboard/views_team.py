"""The coach's pages over the whole team: the overview and the leaderboards."""

from __future__ import annotations

from django.shortcuts import redirect, render

from roleplay_server.dashboard import stats
from roleplay_server.dashboard.access import coach_view, member_view
from roleplay_server.dashboard.periods import PERIODS

BOARDS = {"xp": "XP", "score": "Average score", "calls": "Calls"}


@member_view
def home(request, me):
    if not me.sees_team:
        return redirect("dashboard:member", member_id=me.pk)
    rows = stats.team_overview(me.team)
    totals = {
        "members": len(rows),
        "calls_week": sum(r.calls_week for r in rows),
        "calls_month": sum(r.calls_month for r in rows),
        "active_week": sum(1 for r in rows if r.calls_week),
    }
    return render(request, "dashboard/overview.html", {"rows": rows, "totals": totals, "nav": "team"})


@coach_view
def leaderboards(request, me):
    period = request.GET.get("period", "week")
    order = request.GET.get("by", "xp")
    period = period if period in PERIODS else "week"
    order = order if order in BOARDS else "xp"
    board = stats.leaderboard(me.team, period, order)
    context = {
        "board": board,
        "period": period,
        "order": order,
        "periods": PERIODS,
        "boards": BOARDS,
        "nav": "leaderboards",
    }
    return render(request, "dashboard/leaderboards.html", context)

"""A member's progress page, a call's page, and a call's exports."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from roleplay_server.dashboard import exports, stats
from roleplay_server.dashboard.access import member_view, visible_member, visible_session
from roleplay_server.dashboard.analytics import metric_rows
from roleplay_server.dashboard.charts import progress_chart
from roleplay_server.team.models import TrainingSession

CHART_CALLS = 60


@member_view
def member_page(request, me, member_id: int):
    member = visible_member(me, member_id)
    calls = TrainingSession.objects.filter(member=member, deleted_at__isnull=True).order_by("-started_at", "-pk")
    recent = list(calls.exclude(overall=None).only(*CHART_FIELDS)[:CHART_CALLS])
    page = Paginator(calls.defer("document"), 25).get_page(request.GET.get("page"))
    context = {
        "member": member,
        "summary": stats.member_summary(member),
        "chart": progress_chart(list(reversed(recent))),
        "page": page,
        "nav": "team" if member.pk != me.pk else "me",
    }
    return render(request, "dashboard/member.html", context)


CHART_FIELDS = ("started_at", "overall", "rapport", "discovery", "objection_handling", "closing")


@member_view
def call_page(request, me, session_id: int):
    row = visible_session(me, session_id)
    doc = row.document
    grade = doc.get("grade") if isinstance(doc.get("grade"), dict) else None
    transcript = [line for line in doc.get("transcript") or [] if isinstance(line, dict)]
    context = {
        "call": row,
        "doc": doc,
        "persona": doc.get("persona") or {},
        "scenario": doc.get("scenario") or {},
        "grade": grade,
        "graded_by": exports.graded_by(grade),
        "scores": _scores(grade),
        "metrics": metric_rows(doc.get("metrics"), row.mode),
        "transcript": transcript,
        "corrected_note": exports.corrected_note(exports.corrected_count(transcript)),
        "ended_by": END_REASONS.get(row.end_reason, row.end_reason),
        "nav": "team" if row.member_id != me.pk else "me",
    }
    return render(request, "dashboard/call.html", context)


END_REASONS = {
    "user_hangup": "the trainee hung up",
    "agent_hangup": "the seller hung up",
    "time_limit": "time limit reached",
    "connection_lost": "connection lost",
    "error": "an error ended it",
    "app_exit": "the app closed",
}


def _scores(grade: dict | None) -> list[tuple[str, object]]:
    if not grade:
        return []
    return [(label, grade.get(key)) for key, label in stats.SKILLS.items()]


@member_view
def call_export(request, me, session_id: int, fmt: str):
    row = visible_session(me, session_id)
    name = f"call-{row.pk}.{'md' if fmt == 'md' else 'json'}"
    if fmt == "md":
        response = HttpResponse(exports.as_markdown(row), content_type="text/markdown; charset=utf-8")
    else:
        response = HttpResponse(exports.as_json(row), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

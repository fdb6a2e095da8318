"""The coach's settings for the team: its persona library and its usage limits."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from roleplay_server.dashboard.access import coach_view
from roleplay_server.dashboard.library_forms import LimitForm, PersonaForm
from roleplay_server.team.models import Member, TeamPersona, UsageLimit
from roleplay_server.team.personas import PersonaInvalid, delete_persona, save_persona


@coach_view
def personas(request, me):
    rows = TeamPersona.objects.filter(team=me.team)
    return render(request, "dashboard/personas.html", {"rows": rows, "nav": "personas"})


@coach_view
def persona_edit(request, me, persona_id: int | None = None):
    row = get_object_or_404(TeamPersona, pk=persona_id, team=me.team) if persona_id else None
    initial = PersonaForm.initial_from(row.data) if row else None
    form = PersonaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_persona(me.team, form.persona, replacing=row)
        except PersonaInvalid as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Saved {form.persona['name']}; every app gets it at its next sync.")
            return redirect("dashboard:personas")
    return render(request, "dashboard/persona_edit.html", {"form": form, "row": row, "nav": "personas"})


@require_POST
@coach_view
def persona_delete(request, me, persona_id: int):
    row = get_object_or_404(TeamPersona, pk=persona_id, team=me.team)
    delete_persona(row)
    messages.success(request, f"Removed {row.data.get('name', row.slug)}.")
    return redirect("dashboard:personas")


@coach_view
def limits(request, me):
    """One row for the team, and one per member who has limits of their own (blank fields mean unlimited)."""
    members = list(Member.objects.filter(team=me.team).select_related("user"))
    current = {limit.member_id: limit for limit in UsageLimit.objects.filter(team=me.team)}
    keys = [None] + [m.pk for m in members]
    forms = {}
    for key in keys:
        limit = current.get(key)
        initial = None
        if limit is not None:
            initial = {
                "max_sessions_per_day": limit.max_sessions_per_day,
                "max_session_minutes": limit.max_session_minutes,
            }
        forms[key] = LimitForm(request.POST or None, prefix=f"m{key}" if key else "team", initial=initial)
    if request.method == "POST" and all(form.is_valid() for form in forms.values()):
        for key, form in forms.items():
            values = form.cleaned_data
            empty = values["max_sessions_per_day"] is None and values["max_session_minutes"] is None
            if key is not None and empty:
                UsageLimit.objects.filter(team=me.team, member_id=key).delete()  # back to the team's limits
                continue
            UsageLimit.objects.update_or_create(team=me.team, member_id=key, defaults=values)
        messages.success(request, "Saved the limits; the app reads them at its next sync.")
        return redirect("dashboard:limits")
    rows = [(m, forms[m.pk]) for m in members]
    return render(request, "dashboard/limits.html", {"team_form": forms[None], "rows": rows, "nav": "limits"})

"""The coach assigns calls (a persona, a scenario, a difficulty, by a due date) to members or the whole team, and
sees who has passed; the app shows them in Contacts and the server marks them passed when a synced call meets them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from roleplay_server.dashboard.access import coach_view
from roleplay_server.team import assignments
from roleplay_server.team.models import DIFFICULTIES, Assignment, Member, TeamPersona, TrainingSession


class AssignmentForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="none ticked: the whole team, including members who join later",
    )
    persona_id = forms.CharField(max_length=128, label="Persona id", widget=forms.TextInput(attrs={"list": "personas"}))
    scenario_id = forms.CharField(
        max_length=128, label="Scenario id", widget=forms.TextInput(attrs={"list": "scenarios"})
    )
    difficulty = forms.ChoiceField(choices=DIFFICULTIES, initial="ROOKIE")
    mode = forms.ChoiceField(choices=Assignment.Mode.choices, initial=Assignment.Mode.PRACTICE)
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    pass_mark = forms.IntegerField(min_value=0, max_value=100, initial=75, label="Pass mark")
    max_attempts = forms.IntegerField(min_value=1, max_value=100, required=False, label="Attempts (blank: any)")

    def __init__(self, *args, team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Member.objects.filter(team=team).select_related("user")


def _known(team) -> tuple[dict[str, str], dict[str, str]]:
    """Persona and scenario ids the team uses (its library and its calls), with their names, for the form's hints."""
    personas = {row.slug: row.data.get("name", row.slug) for row in TeamPersona.objects.filter(team=team)}
    calls = TrainingSession.objects.filter(team=team, deleted_at__isnull=True).exclude(scenario_id="")
    for persona_id, name in calls.values_list("persona_id", "persona_name").distinct()[:200]:
        personas.setdefault(persona_id, name)
    scenarios = dict(calls.values_list("scenario_id", "scenario_title").distinct()[:200])
    return personas, scenarios


@coach_view
def assignment_list(request, me):
    personas, scenarios = _known(me.team)
    form = AssignmentForm(request.POST or None, team=me.team)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {
            "team": me.team,
            "persona_id": data["persona_id"].strip(),
            "persona_name": personas.get(data["persona_id"].strip(), ""),
            "scenario_id": data["scenario_id"].strip(),
            "scenario_title": scenarios.get(data["scenario_id"].strip(), ""),
            "difficulty": data["difficulty"],
            "mode": data["mode"],
            "due_date": data["due_date"],
            "pass_mark": data["pass_mark"],
            "max_attempts": data["max_attempts"],
            "created_by": me,
        }
        for member in list(data["members"]) or [None]:
            Assignment.objects.create(member=member, **values)
        messages.success(request, "Assigned; the app shows it in Contacts at its next sync.")
        return redirect("dashboard:assignments")
    rows = list(Assignment.objects.filter(team=me.team).select_related("member__user"))
    members = list(Member.objects.filter(team=me.team).select_related("user"))
    where = assignments.standings(rows, members)
    table = []
    for row in rows:
        mine = [(m, where[(row.pk, m.pk)]) for m in members if (row.pk, m.pk) in where]
        passed = sum(1 for _m, s in mine if s.status == assignments.PASSED)
        table.append({"row": row, "standings": mine, "passed": passed, "total": len(mine)})
    context = {"form": form, "table": table, "personas": personas, "scenarios": scenarios, "nav": "assignments"}
    return render(request, "dashboard/assignments.html", context)


@require_POST
@coach_view
def assignment_delete(request, me, assignment_id: int):
    row = get_object_or_404(Assignment, pk=assignment_id, team=me.team)
    row.delete()
    messages.success(request, "Removed the assignment.")
    return redirect("dashboard:assignments")

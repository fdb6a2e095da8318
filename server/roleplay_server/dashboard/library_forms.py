"""Forms for the team's personas and usage limits; persona rules come from team.personas (the contract's)."""

from __future__ import annotations

from django import forms

from roleplay_server.team.personas import PersonaInvalid, validate

MOTIVATION = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
STYLE = [(s, s.capitalize()) for s in ("friendly", "skeptical", "aggressive", "cooperative")]


class PersonaForm(forms.Form):
    id = forms.SlugField(max_length=64, label="Id", help_text="lower-case letters, digits and dashes, e.g. dale-pruitt")
    name = forms.CharField(max_length=60)
    property_type = forms.CharField(max_length=200, label="Property")
    location = forms.CharField(max_length=200)
    motivation_level = forms.ChoiceField(choices=MOTIVATION, label="Motivation")
    conversation_style = forms.ChoiceField(choices=STYLE, label="Style")
    objection_patterns = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Objections", help_text="one a line, at most 6"
    )
    backstory = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=4000)
    asking_price = forms.IntegerField(min_value=1, label="Asking price ($)")
    fair_price = forms.IntegerField(min_value=0, required=False, label="Fair price ($)")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        objections = [line.strip() for line in (data.get("objection_patterns") or "").splitlines() if line.strip()]
        persona = {**data, "objection_patterns": objections}
        persona = {key: value for key, value in persona.items() if value not in (None, "")}
        try:
            self.persona = validate(persona)
        except PersonaInvalid as exc:
            for field, message in exc.problems:
                name = field.split(".")[0]
                self.add_error(name if name in self.fields else None, message)
        return data

    @classmethod
    def initial_from(cls, data: dict) -> dict:
        return {**data, "objection_patterns": "\n".join(data.get("objection_patterns") or [])}


class LimitForm(forms.Form):
    max_sessions_per_day = forms.IntegerField(min_value=0, required=False, label="Calls a day")
    max_session_minutes = forms.IntegerField(min_value=1, required=False, label="Minutes a call")

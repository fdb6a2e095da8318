"""The dashboard's forms: inviting a member, naming a new device token."""

from __future__ import annotations

from django import forms

from roleplay_server.team.models import Role


class InviteForm(forms.Form):
    email = forms.EmailField(max_length=150)
    name = forms.CharField(max_length=120, required=False, label="Name (optional)")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.TRAINEE)


class TokenForm(forms.Form):
    device_name = forms.CharField(max_length=80, required=False, label="Device name", help_text="e.g. Office laptop")

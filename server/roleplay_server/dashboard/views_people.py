"""People and devices: an admin invites members; everyone manages their own device tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.http import require_POST

from roleplay_server.dashboard.access import admin_view, member_view
from roleplay_server.dashboard.forms import InviteForm, TokenForm
from roleplay_server.team.models import DeviceToken, Member
from roleplay_server.team.people import PeopleError, add_member
from roleplay_server.team.tokens import create_token, revoke


def invite_link(request, member: Member) -> str:
    """Django's own password-reset link, used once to choose a password: no mail server needed, nothing stored."""
    uid = urlsafe_base64_encode(force_bytes(member.user.pk))
    token = default_token_generator.make_token(member.user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return request.build_absolute_uri(path)


@admin_view
def people(request, me):
    form = InviteForm(request.POST or None)
    link = None
    if request.method == "POST" and form.is_valid():
        try:
            member = add_member(
                me.team, form.cleaned_data["email"], form.cleaned_data["role"], None, form.cleaned_data["name"]
            )
        except PeopleError as exc:
            form.add_error("email", str(exc))
        else:
            link = invite_link(request, member)
            form = InviteForm()
    members = Member.objects.filter(team=me.team).select_related("user").order_by("user__email")
    context = {"form": form, "members": members, "link": link, "nav": "people"}
    return render(request, "dashboard/people.html", context)


@member_view
def devices(request, me):
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _row, new_token = create_token(me, form.cleaned_data["device_name"])
        form = TokenForm()
    tokens = DeviceToken.objects.filter(member=me)
    return render(
        request, "dashboard/devices.html", {"form": form, "tokens": tokens, "new_token": new_token, "nav": "devices"}
    )


@require_POST
@member_view
def revoke_device(request, me, token_id: int):
    row = get_object_or_404(DeviceToken, pk=token_id, member=me)
    revoke(row)
    messages.success(request, f"Revoked the token for {row.device_name or 'the device'}.")
    return redirect("dashboard:devices")

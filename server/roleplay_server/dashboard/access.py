"""Who may see what: a member sees themself, a coach or admin sees their team, nobody sees another team."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404

from roleplay_server.team.models import Member, TrainingSession


def member_view(view):
    """Signed in and a member of a team: the view gets the Member as `me`."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        me = Member.objects.select_related("team", "user").filter(user=request.user).first()
        if me is None:
            raise Http404("this account belongs to no team")
        return view(request, me, *args, **kwargs)

    return wrapped


def coach_view(view):
    @member_view
    @wraps(view)
    def wrapped(request, me, *args, **kwargs):
        if not me.sees_team:
            raise Http404("coaches only")  # 404, not 403: a trainee learns nothing about what exists
        return view(request, me, *args, **kwargs)

    return wrapped


def admin_view(view):
    @member_view
    @wraps(view)
    def wrapped(request, me, *args, **kwargs):
        if not me.is_admin:
            raise Http404("admins only")
        return view(request, me, *args, **kwargs)

    return wrapped


def visible_member(me: Member, member_id: int) -> Member:
    member = get_object_or_404(Member.objects.select_related("user"), pk=member_id, team_id=me.team_id)
    if member.pk != me.pk and not me.sees_team:
        raise Http404("not yours")
    return member


def visible_session(me: Member, session_id: int) -> TrainingSession:
    row = get_object_or_404(
        TrainingSession.objects.select_related("member__user"),
        pk=session_id,
        team_id=me.team_id,
        deleted_at__isnull=True,
    )
    if row.member_id != me.pk and not me.sees_team:
        raise Http404("not yours")
    return row

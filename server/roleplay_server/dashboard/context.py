"""Template context: the signed-in user's membership, for the navigation bar."""

from __future__ import annotations

from roleplay_server.team.models import Member


def membership(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"me": Member.objects.select_related("team").filter(user=user).first()}

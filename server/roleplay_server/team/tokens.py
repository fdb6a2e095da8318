"""Device tokens: made from 256 random bits, shown once, stored as a SHA-256 digest, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from roleplay_server.team.models import DeviceToken, Member

PREFIX = "rpt_"
# last_used_at is written at most this often per token, so a burst of pushes is not a burst of writes.
TOUCH_EVERY = timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(member: Member, device_name: str = "") -> tuple[DeviceToken, str]:
    """The stored row and the token itself, which exists nowhere else once the caller has shown it."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = DeviceToken.objects.create(
        member=member, device_name=device_name[:80], digest=digest(token), prefix=token[: len(PREFIX) + 6]
    )
    return row, token


def member_for_token(token: str) -> Member | None:
    """The live token's member, noting when it was used; None for an unknown or revoked token."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = (
        DeviceToken.objects.select_related("member__team", "member__user")
        .filter(digest=digest(token), revoked_at__isnull=True, member__user__is_active=True)
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        DeviceToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.member


def revoke(row: DeviceToken) -> None:
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])

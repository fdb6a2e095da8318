"""Bearer device tokens on every API request, and a per-token request rate limit."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer

from roleplay_server.api.errors import RateLimited
from roleplay_server.team.models import Member
from roleplay_server.team.tokens import digest, member_for_token

WINDOW_S = 60


class DeviceTokenAuth(HttpBearer):
    """Authorization: Bearer <device token>; request.auth becomes the token's Member."""

    def authenticate(self, request: HttpRequest, token: str) -> Member | None:
        member = member_for_token(token.strip())
        if member is not None:
            request.token_digest = digest(token.strip())  # the rate limit's key; never the token itself
        return member


def check_rate(request: HttpRequest) -> None:
    """Fixed one-minute windows per token: cheap, shared by nothing but this worker (see settings.CACHES)."""
    limit = settings.SYNC_RATE_PER_MINUTE
    if limit <= 0:
        return
    now = time.time()
    window = int(now // WINDOW_S)
    key = f"rate:{getattr(request, 'token_digest', '')[:32]}:{window}"
    if cache.add(key, 1, WINDOW_S + 5):
        return
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WINDOW_S + 5)
        return
    if count > limit:
        raise RateLimited(retry_after=max(1, int((window + 1) * WINDOW_S - now) + 1))

"""Django's sign-in view with a limit on failed attempts per address, so a password cannot be guessed at speed."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.shortcuts import render

WINDOW_S = 15 * 60


def _key(request) -> str:
    # REMOTE_ADDR: behind a proxy this is the proxy, which makes the limit team-wide, the safe side to err on.
    return "signin:" + (request.META.get("REMOTE_ADDR") or "unknown")


class RateLimitedLoginView(LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if (cache.get(_key(request)) or 0) >= settings.LOGIN_ATTEMPTS_PER_WINDOW:
            response = render(request, "registration/too_many.html", status=429)
            response["Retry-After"] = str(WINDOW_S)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        key = _key(self.request)
        if not cache.add(key, 1, WINDOW_S):
            try:
                cache.incr(key)
            except ValueError:
                cache.add(key, 1, WINDOW_S)
        return super().form_invalid(form)

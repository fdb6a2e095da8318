"""Refuses API bodies over the size limit with the contract's 413 before a byte of them is read."""

from __future__ import annotations

from django.conf import settings

from roleplay_server.api.errors import invalid


class ApiBodyLimitMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return invalid(400, "bad_request", [("", "Content-Length is not a number")])
            if length > settings.SYNC_MAX_BODY_BYTES:
                response = invalid(413, "too_large", [("", f"the body is over {settings.SYNC_MAX_BODY_BYTES} bytes")])
                response["Connection"] = "close"  # the unread body makes the connection unusable
                return response
        return self.get_response(request)

"""The contract's error bodies: 400/413/422 with field details, 401 and 429 with Retry-After."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def json_response(status: int, body: object, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def invalid(status: int, error: str, details: list[tuple[str, str]]) -> HttpResponse:
    return json_response(status, {"error": error, "details": [{"field": f, "message": m} for f, m in details]})


def _field_path(location: tuple) -> tuple[str, str]:
    """('body', 'body', 'grade', 'overall') -> ('body', 'grade.overall'); list indexes keep their place."""
    where = str(location[0]) if location else ""
    rest = [str(part) for part in location[1:]]
    if where == "body" and rest and rest[0] == "body":
        rest = rest[1:]  # ninja names the body parameter itself
    return where, ".".join(rest)


def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details, in_body = [], False
    for problem in exc.errors:
        where, field = _field_path(tuple(problem.get("loc") or ()))
        in_body = in_body or where == "body"
        message = str(problem.get("msg", "invalid"))
        if problem.get("type") == "json_invalid" or "JSON" in message:
            return invalid(400, "bad_request", [("", "the body is not JSON")])
        details.append((field, message))
    # A body that breaks the contract is 422; a bad query or path (a malformed cursor, date or UUID) is 400.
    return invalid(422 if in_body else 400, "invalid" if in_body else "bad_request", details[:50])


def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = json_response(401, {"error": "unauthorized", "message": "missing, revoked or unknown device token"})
    response["WWW-Authenticate"] = 'Bearer realm="roleplay-server"'
    return response


def on_rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    return json_response(
        429, {"error": "rate_limited", "message": "too many requests"}, {"Retry-After": str(exc.retry_after)}
    )


def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # ninja's own "cannot parse request body"
        return invalid(400, "bad_request", [("", str(exc.message))])
    return json_response(exc.status_code, {"error": "error", "message": str(exc.message)})


def install(api) -> None:
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(AuthenticationError, on_auth_error)
    api.add_exception_handler(RateLimited, on_rate_limited)
    api.add_exception_handler(HttpError, on_http_error)

"""The API object and its operations: PUT/DELETE one session, list sessions, usage today, personas, assignments,
and who the token belongs to."""

from __future__ import annotations

import hashlib
import json
import uuid

from django.http import HttpRequest, HttpResponse
from ninja import Header, NinjaAPI, Query
from ninja.parser import Parser

from roleplay_server.api import errors
from roleplay_server.api.auth import DeviceTokenAuth, check_rate
from roleplay_server.api.schemas import (
    AssignmentList,
    DeleteResult,
    Error,
    Invalid,
    Me,
    PersonaList,
    PutResult,
    SessionDocument,
    SessionPage,
    StaleRevision,
    UsageToday,
)
from roleplay_server.team import assignments, session_store, usage
from roleplay_server.team.instants import parse_instant, rfc3339
from roleplay_server.team.models import TeamPersona


class ParseOnce(Parser):
    """ninja's JSON parser, keeping what it parsed on the request: the PUT stores the document as sent (151 stays
    151, unknown fields stay), which the validated model does not keep, and an 18 KiB body need not be parsed twice."""

    def parse_body(self, request: HttpRequest):
        request.parsed_body = super().parse_body(request)
        return request.parsed_body


api = NinjaAPI(
    title="Roleplay Trainer session sync",
    version="1.0.0",
    description="Offline-first session sync: the desktop app pushes finished sessions with idempotent PUTs keyed by a"
    " client UUID, pulls sessions made on the user's other devices, and reads the day's usage limits and the team's"
    " personas.",
    auth=DeviceTokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    parser=ParseOnce(),
)
errors.install(api)

SESSION = "/v1/training-sessions/{client_session_id}"
SESSIONS = "/v1/training-sessions"


def _stale(result: session_store.WriteResult) -> HttpResponse:
    return errors.json_response(409, {"error": result.error, "server_revision": result.server_revision})


@api.put(
    SESSION,
    operation_id="putTrainingSession",
    summary="Create or update one session (idempotent)",
    response={
        200: PutResult,
        201: PutResult,
        400: Invalid,
        401: Error,
        403: Error,
        409: StaleRevision,
        413: Invalid,
        422: Invalid,
        429: Error,
    },
)
def put_training_session(request: HttpRequest, client_session_id: uuid.UUID, body: SessionDocument):
    check_rate(request)
    if _as_uuid(body.client_session_id) != client_session_id:
        return errors.invalid(422, "invalid", [("client_session_id", "must be the UUID in the address")])
    # Stored exactly as sent (151 stays 151, unknown fields stay): the model above only checked it.
    document = request.parsed_body
    result = session_store.put_session(request.auth, document, _sent_text(request))
    if result.status == 409:
        return _stale(result)
    row = result.row
    body = {"id": row.pk, "client_session_id": str(row.client_session_id), "revision": row.revision}
    return errors.json_response(result.status, body)


def _sent_text(request: HttpRequest) -> str | None:
    """The body's JSON text when it is plainly the one object ninja parsed (UTF-8, an object), else None (the parsed
    document is encoded again)."""
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text.lstrip().startswith("{") else None


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@api.delete(
    SESSION,
    operation_id="deleteTrainingSession",
    summary="Delete one session, leaving a tombstone that the user's other devices pull",
    response={200: DeleteResult, 400: Invalid, 401: Error, 409: StaleRevision, 429: Error},
)
def delete_training_session(
    request: HttpRequest,
    client_session_id: uuid.UUID,
    revision: int = Query(..., ge=1, description="The revision the deleting device gives its deletion."),
    device_id: str = Query("", max_length=128, description="The deleting device, which pulls will name."),
):
    check_rate(request)
    result = session_store.delete_session(request.auth, client_session_id, revision, device_id)
    if result.status == 409:
        return _stale(result)
    row = result.row
    body = {
        "client_session_id": str(row.client_session_id),
        "revision": row.revision,
        "deleted_at": rfc3339(row.deleted_at),
    }
    return errors.json_response(200, body)


@api.get(
    SESSIONS,
    operation_id="listTrainingSessions",
    summary="The signed-in user's sessions from any device, newest first",
    response={200: SessionPage, 400: Invalid, 401: Error, 429: Error},
)
def list_training_sessions(
    request: HttpRequest,
    updated_since: str = Query(..., format="date-time"),
    limit: int = Query(100, ge=1, le=500),
    cursor: str | None = Query(None, max_length=200, description="Opaque: the next_cursor of the previous page."),
    device_id: str | None = Query(None, max_length=128, description="Only sessions written by this device."),
    exclude_device_id: str | None = Query(None, max_length=128, description="Leave out this device's sessions."),
):
    check_rate(request)
    try:
        since = parse_instant(updated_since)
        rows, next_cursor = session_store.page_sessions(
            request.auth, since, limit, cursor, device_id=device_id, exclude_device_id=exclude_device_id
        )
    except ValueError as exc:  # a bad date or cursor (BadCursor is a ValueError)
        field = "cursor" if isinstance(exc, session_store.BadCursor) else "updated_since"
        return errors.invalid(400, "bad_request", [(field, str(exc))])
    sessions = [{**row.document, "id": row.pk} for row in rows if not row.is_deleted]
    deleted = [
        {
            "client_session_id": str(row.client_session_id),
            "revision": row.revision,
            "device_id": row.device_id,
            "deleted_at": rfc3339(row.deleted_at),
        }
        for row in rows
        if row.is_deleted
    ]
    # Written directly: the documents were validated on the way in, and a page can be megabytes.
    body = {"sessions": sessions, "next_cursor": next_cursor, "deleted": deleted}
    return HttpResponse(json.dumps(body), content_type="application/json")


@api.get(
    "/v1/usage/today",
    operation_id="usageToday",
    summary="The day's allowance, which the server enforces for its plan",
    response={200: UsageToday, 401: Error},
)
def usage_today(request: HttpRequest):
    return usage.today(request.auth)


@api.get(
    "/v1/personas",
    operation_id="listPersonas",
    summary="The team's persona library",
    description="Answers with an ETag; a request with a matching If-None-Match gets 304 and no body.",
    response={200: PersonaList, 304: None, 401: Error},
)
def list_personas(request: HttpRequest, if_none_match: str | None = Header(None, alias="If-None-Match")):
    team = request.auth.team
    tag = hashlib.sha256(f"{team.pk}:{team.personas_version}".encode()).hexdigest()[:20]
    etag = f'"{tag}"'
    if if_none_match and etag in [value.strip() for value in if_none_match.split(",")]:
        response = HttpResponse(status=304)
    else:
        personas = [p.data for p in TeamPersona.objects.filter(team=team).order_by("slug")]
        response = HttpResponse(json.dumps({"personas": personas}), content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@api.get(
    "/v1/assignments",
    operation_id="listAssignments",
    summary="The calls the member's coach assigned, with where the member stands on each",
    response={200: AssignmentList, 401: Error},
)
def list_assignments(request: HttpRequest):
    return {"assignments": assignments.for_app(request.auth)}


@api.get(
    "/v1/me",
    operation_id="whoAmI",
    summary="Who the token belongs to: for the app's Settings (signed in as) and its link to the dashboard",
    response={200: Me, 401: Error},
)
def who_am_i(request: HttpRequest):
    member = request.auth
    return {
        "email": member.user.email,
        "name": member.name,
        "role": member.role,
        "team": member.team.name,
        "dashboard_url": request.build_absolute_uri("/"),
    }

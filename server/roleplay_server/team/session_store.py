"""Writing and paging synced sessions: the idempotent upsert keyed by client_session_id, tombstones, the pull cursor."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone

from roleplay_server.team import assignments
from roleplay_server.team.instants import parse_instant
from roleplay_server.team.models import Member, TrainingSession

SCORES = ("rapport", "discovery", "objection_handling", "closing", "overall")


@dataclass(frozen=True)
class WriteResult:
    status: int  # 200 updated, 201 created, 409 stale (or deleted)
    row: TrainingSession | None = None
    server_revision: int = 0
    error: str = ""


def summary_columns(document: dict) -> dict:
    """The columns the dashboard reads, copied out of a validated document."""
    persona, scenario, grade = document["persona"], document["scenario"], document.get("grade") or {}
    return {
        "device_id": document["device_id"],
        "mode": document["mode"],
        "status": document["status"],
        "end_reason": document.get("end_reason") or "",
        "persona_id": persona["id"][:128],
        "persona_name": persona["name"][:200],
        "scenario_id": str(scenario.get("id") or "")[:128],
        "scenario_title": (scenario.get("title") or "")[:200],
        "difficulty": scenario["difficulty"],
        "started_at": parse_instant(document["started_at"]),
        "duration_seconds": document.get("duration_seconds"),
        "xp_earned": document["xp_earned"],
        "virtual_earnings": document["virtual_earnings"],
        **{score: grade.get(score) for score in SCORES},
    }


def put_session(member: Member, document: dict, sent: str | None = None) -> WriteResult:
    """Stores the document unless the server holds a higher revision (or a tombstone of the same or higher one).
    The same body twice gives the same row; two workers racing on a new key end with one row (the unique key).
    `sent`: the document's JSON text as it arrived, if the caller has it; stored as it is instead of encoding the
    parsed document again (the same JSON value, which the database checks as it stores it)."""
    key = uuid.UUID(document["client_session_id"])
    created = _insert_new(member, key, document, sent)
    if created is not None:
        return WriteResult(201, created, created.revision)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                row = TrainingSession.objects.select_for_update().filter(member=member, client_session_id=key).first()
                if row is not None:
                    stale = row.revision > document["revision"] or (
                        row.is_deleted and row.revision >= document["revision"]
                    )
                    if stale:
                        error = "deleted" if row.is_deleted else "stale_revision"
                        return WriteResult(409, row, row.revision, error)
                    _fill(row, document)
                    row.save()
                    assignments.record_attempt(row)
                    return WriteResult(200, row, row.revision)
                row = TrainingSession(member=member, team_id=member.team_id, client_session_id=key)
                _fill(row, document)
                row.save(force_insert=True)
                assignments.record_attempt(row)
                return WriteResult(201, row, row.revision)
        except IntegrityError:
            continue  # another request inserted the same key between our read and our insert: read it again
    raise RuntimeError("could not store the session after three attempts")


def _insert_new(member: Member, key: uuid.UUID, document: dict, sent: str | None = None) -> TrainingSession | None:
    """The common case, a session the server has never seen, in one statement: INSERT ... ON CONFLICT DO NOTHING
    RETURNING id, written once per database rather than compiled by the ORM on every push. None when the key is
    already taken (an update, a replay, a tombstone or a 409: the locked read-and-compare path decides) or when the
    database cannot return the new id (SQLite before 3.35)."""
    connection = connections[TrainingSession.objects.db]
    if not connection.features.can_return_columns_from_insert or connection.vendor not in ("sqlite", "postgresql"):
        return None
    row = TrainingSession(member=member, team_id=member.team_id, client_session_id=key)
    _fill(row, document)
    sql, fields = _insert_sql(connection)
    params = [
        _sent_json(connection, document, sent)
        if sent is not None and field.attname == "document"
        else field.get_db_prep_save(getattr(row, field.attname), connection)
        for field in fields
    ]
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found = cursor.fetchone()
        if found is None:
            return None
        row.pk = found[0]
        row._state.adding, row._state.db = False, connection.alias
        assignments.record_attempt(row)
    return row


_INSERTS: dict[str, tuple[str, list]] = {}


def _sent_json(connection, document: dict, sent: str):
    """The document column's parameter from the JSON text as sent: encoding the 100-line document again cost more
    than the INSERT on SQLite. PostgreSQL gets it as jsonb (parsed there, as the ORM's parameter is)."""
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return Jsonb(document, dumps=lambda _document: sent)
    return sent


def _insert_sql(connection) -> tuple[str, list]:
    if connection.vendor not in _INSERTS:
        q = connection.ops.quote_name
        meta = TrainingSession._meta
        fields = [field for field in meta.concrete_fields if not field.primary_key]
        unique = next(c for c in meta.constraints if c.name == "one_row_per_member_session")
        conflict = ", ".join(q(meta.get_field(name).column) for name in unique.fields)
        sql = (
            f"INSERT INTO {q(meta.db_table)} ({', '.join(q(field.column) for field in fields)})"
            f" VALUES ({', '.join(['%s'] * len(fields))})"
            f" ON CONFLICT ({conflict}) DO NOTHING RETURNING {q(meta.pk.column)}"
        )
        _INSERTS[connection.vendor] = (sql, fields)
    return _INSERTS[connection.vendor]


def _fill(row: TrainingSession, document: dict) -> None:
    for name, value in summary_columns(document).items():
        setattr(row, name, value)
    row.revision = document["revision"]
    row.document = document
    row.deleted_at = None
    row.updated_at = timezone.now()


def delete_session(member: Member, client_session_id: uuid.UUID, revision: int, device_id: str) -> WriteResult:
    """Leaves a tombstone (the content is dropped) that other devices pull; a later push of an older revision
    cannot bring the call back. Deleting twice, or a session the server never had, is fine."""
    with transaction.atomic():
        row = (
            TrainingSession.objects.select_for_update()
            .filter(member=member, client_session_id=client_session_id)
            .first()
        )
        if row is not None and row.revision > revision:
            return WriteResult(409, row, row.revision, "stale_revision")
        if row is not None and row.is_deleted:
            return WriteResult(200, row, row.revision)
        row = row or TrainingSession(member=member, team_id=member.team_id, client_session_id=client_session_id)
        now = timezone.now()
        for name in SCORES + ("duration_seconds", "started_at"):
            setattr(row, name, None)
        row.document, row.revision, row.deleted_at, row.updated_at = {}, revision, now, now
        row.device_id = device_id[:128] or row.device_id or "unknown"
        row.save()
        assignments.forget_attempts(row)
    return WriteResult(200, row, row.revision)


# -- the pull ---------------------------------------------------------------------------------------------------


class BadCursor(ValueError):
    pass


def encode_cursor(row: TrainingSession) -> str:
    raw = f"{row.updated_at.isoformat()}|{row.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, pk = raw.rsplit("|", 1)
        return datetime.fromisoformat(moment), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadCursor("not a cursor this server gave out") from exc


def page_sessions(
    member: Member,
    updated_since: datetime,
    limit: int,
    cursor: str | None,
    device_id: str | None = None,
    exclude_device_id: str | None = None,
) -> tuple[list[TrainingSession], str | None]:
    """Newest change first; the cursor is the last row's (updated_at, id), so paging is stable under new writes."""
    rows = TrainingSession.objects.filter(member=member, updated_at__gte=updated_since)
    if device_id:
        rows = rows.filter(device_id=device_id)
    if exclude_device_id:
        rows = rows.exclude(device_id=exclude_device_id)
    if cursor:
        moment, pk = decode_cursor(cursor)
        rows = rows.filter(Q(updated_at__lt=moment) | Q(updated_at=moment, pk__lt=pk))
    found = list(rows.order_by("-updated_at", "-pk")[: limit + 1])
    page = found[:limit]
    return page, encode_cursor(page[-1]) if len(found) > limit else None

"""Device tokens: made from 256 random bits, shown once, stored as a SHA-256 digest, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import connections
from django.utils import timezone

from roleplay_server.team.models import DeviceToken, Member, Team

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
    """The live token's member (its team and user loaded), noting when it was used; None for an unknown or revoked
    token. Every API request comes through here, so the lookup is one join written once per database vendor rather
    than an ORM query compiled afresh on every request (compiling it cost more than running it)."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    connection = connections[DeviceToken.objects.db]
    lookup = _lookup_for(connection)
    with connection.cursor() as cursor:
        cursor.execute(lookup.sql, [digest(token), True])
        found = cursor.fetchone()
    if found is None:
        return None
    token_pk = found[0]
    last_used_at = _convert(connection, lookup.last_used, found[1])
    now = timezone.now()
    if last_used_at is None or now - last_used_at > TOUCH_EVERY:
        DeviceToken.objects.filter(pk=token_pk).update(last_used_at=now)
    values, instances = found[2:], []
    for model, names, columns in lookup.models:
        raw, values = values[: len(columns)], values[len(columns) :]
        converted = [_convert(connection, column, value) for column, value in zip(columns, raw, strict=True)]
        instances.append(model.from_db(connection.alias, names, converted))
    member, team, user = instances
    member.team, member.user = team, user  # cached, as select_related would have left them
    return member


@dataclass(frozen=True)
class _Column:
    """A selected column and what the ORM does to its value on the way out (SQLite's text datetimes, 0/1 booleans)."""

    expression: object
    converters: tuple


@dataclass(frozen=True)
class _Lookup:
    sql: str
    last_used: _Column
    models: tuple  # (model, attnames, columns) for the member, its team and its user, in the SELECT's order


def _column(connection, field) -> _Column:
    expression = field.get_col(field.model._meta.db_table)
    converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
    return _Column(expression, tuple(converters))


def _convert(connection, column: _Column, value):
    for converter in column.converters:
        value = converter(value, column.expression, connection)
    return value


_LOOKUPS: dict[str, _Lookup] = {}


def _lookup_for(connection) -> _Lookup:
    if connection.vendor not in _LOOKUPS:
        q = connection.ops.quote_name
        user_model = Member._meta.get_field("user").related_model
        models = ((Member, "m"), (Team, "tm"), (user_model, "u"))
        selected = ["t.id", "t." + q("last_used_at")] + [
            f"{alias}.{q(field.column)}" for model, alias in models for field in model._meta.concrete_fields
        ]
        sql = (
            f"SELECT {', '.join(selected)} FROM {q(DeviceToken._meta.db_table)} t"
            f" JOIN {q(Member._meta.db_table)} m ON m.id = t.{q('member_id')}"
            f" JOIN {q(Team._meta.db_table)} tm ON tm.id = m.{q('team_id')}"
            f" JOIN {q(user_model._meta.db_table)} u ON u.id = m.{q('user_id')}"
            f" WHERE t.{q('digest')} = %s AND t.{q('revoked_at')} IS NULL AND u.{q('is_active')} = %s"
        )
        _LOOKUPS[connection.vendor] = _Lookup(
            sql,
            _column(connection, DeviceToken._meta.get_field("last_used_at")),
            tuple(
                (
                    model,
                    [field.attname for field in model._meta.concrete_fields],
                    [_column(connection, field) for field in model._meta.concrete_fields],
                )
                for model, _ in models
            ),
        )
    return _LOOKUPS[connection.vendor]


def revoke(row: DeviceToken) -> None:
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])

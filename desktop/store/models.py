"""Peewee models for the newest schema. The schema itself is created by `migrations.py`, never by these models."""

from __future__ import annotations

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DatabaseProxy,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)
from playhouse.sqlite_ext import FTS5Model, RowIDField, SearchField

# Bound to the open database by `Store.open`; one process keeps one store open at a time.
database = DatabaseProxy()


class BaseModel(Model):
    class Meta:
        database = database


class SessionRow(BaseModel):
    id = AutoField()
    client_session_id = CharField(unique=True)
    kind = CharField(default="roleplay")
    mode = CharField()
    status = CharField()
    end_reason = CharField(null=True)
    error_message = TextField(default="")
    persona_id = CharField()
    persona_name = CharField()
    persona_snapshot = TextField()
    scenario_id = CharField()
    scenario_snapshot = TextField()
    difficulty = CharField()
    practice_mode = BooleanField(default=True)
    trainee_name = CharField(default="")
    agent_id = CharField(default="")
    conversation_id = CharField(default="")
    started_at = CharField()
    ended_at = CharField(null=True)
    duration_seconds = FloatField(null=True)
    owner_pid = IntegerField(null=True)
    owner_host = CharField(default="")
    owner_lock = CharField(default="")  # the lock file (store/owner_lock.py) the owning process holds
    last_write_at = CharField(null=True)
    metrics = TextField(null=True)
    recording_path = CharField(default="")
    needs_grading = BooleanField(default=False)
    revision = IntegerField(default=0)
    remote_id = IntegerField(null=True)
    synced_revision = IntegerField(default=0)
    sync_error = TextField(default="")
    parent_session_id = IntegerField(null=True)  # a coach debrief: the call it reviews

    class Meta:
        table_name = "sessions"


class LineRow(BaseModel):
    id = AutoField()
    session = ForeignKeyField(SessionRow, backref="lines", on_delete="CASCADE", column_name="session_id")
    seq = IntegerField()
    speaker = CharField()
    text = TextField()
    offset_ms = IntegerField(default=0)
    duration_ms = IntegerField(default=0)
    interrupted = BooleanField(default=False)
    # What the recogniser heard, kept when the trainee corrects a misheard line; null: never corrected.
    heard_text = TextField(null=True)

    class Meta:
        table_name = "transcript_lines"


class GradeRow(BaseModel):
    id = AutoField()
    session = ForeignKeyField(SessionRow, backref="grades", on_delete="CASCADE", column_name="session_id")
    grader = CharField()
    rapport = IntegerField()
    discovery = IntegerField()
    objection_handling = IntegerField()
    closing = IntegerField()
    overall = IntegerField()
    feedback = TextField()
    virtual_earnings = IntegerField(default=0)
    xp_earned = IntegerField(default=0)
    note = TextField(default="")
    graded_at = CharField()

    class Meta:
        table_name = "grades"


class UserPersonaRow(BaseModel):
    id = CharField(primary_key=True)
    data = TextField()
    created_at = CharField()
    updated_at = CharField()

    class Meta:
        table_name = "user_personas"


class TranscriptSearch(FTS5Model):
    """The FTS5 index over transcript lines (external content, kept in step by triggers)."""

    rowid = RowIDField()
    text = SearchField()
    session_id = SearchField(unindexed=True)

    class Meta:
        database = database
        table_name = "transcript_fts"


MODELS = (SessionRow, LineRow, GradeRow, UserPersonaRow, TranscriptSearch)

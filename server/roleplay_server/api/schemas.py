"""The contract's schemas as pydantic models; names match docs/sync-api.yaml's components one for one."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

from roleplay_server.api.types import DateTime, NonNegative, NonNegativeFloat, Score, ShortText, Text

Difficulty = Literal["BEGINNER", "ROOKIE", "PRO", "ELITE", "NIGHTMARE"]
Motivation = Literal["low", "medium", "high"]
Style = Literal["friendly", "skeptical", "aggressive", "cooperative"]
HEARD_TEXT_MAX = 4000
EndReason = Literal["user_hangup", "agent_hangup", "time_limit", "connection_lost", "error", "app_exit"]


class _Document(BaseModel):
    # A plain pydantic model, not ninja's Schema (which drops extra fields on the way in).
    # strict: "5" is not 5 and true is not 1; extra: unknown fields are ignored, as the contract says.
    model_config = ConfigDict(strict=True, extra="allow")


class PersonaSnapshot(_Document):
    id: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=200)
    property_type: ShortText | None = None
    location: ShortText | None = None
    motivation_level: Motivation | None = None
    conversation_style: Style | None = None
    objection_patterns: list[ShortText] | None = Field(default=None, max_length=100)


class ScenarioSnapshot(_Document):
    id: str = Field(min_length=1, max_length=128)
    title: ShortText
    difficulty: Difficulty


class TranscriptLine(_Document):
    seq: NonNegative
    speaker: Literal["trainee", "seller", "coach"]
    text: Text = Field(min_length=1)
    offset_ms: NonNegative
    duration_ms: NonNegative
    interrupted: bool
    # Only on a line the trainee corrected after the call: what the recogniser first heard. Capped as the app caps a
    # line (desktop MAX_LINE_CHARS), so a coach's page never holds a megabyte of "heard" words.
    heard_text: str | None = Field(default=None, max_length=HEARD_TEXT_MAX)


class Metrics(_Document):
    talk_ratio: float | None = Field(default=None, ge=0, le=1)
    longest_monologue_s: NonNegativeFloat | None = None
    questions: NonNegative | None = None
    fillers_per_min: NonNegativeFloat | None = None
    words_per_min: NonNegativeFloat | None = None
    patience_s: float | None = None
    switches_per_min: NonNegativeFloat | None = None
    interruptions: NonNegative | None = None
    objections_raised: list[ShortText] | None = None
    objections_answered: list[ShortText] | None = None


class Grade(_Document):
    rapport: Score
    discovery: Score
    objection_handling: Score
    closing: Score
    overall: Score
    strengths: list[Text]
    improvements: list[Text]
    recommendations: list[Text]
    grader: str = Field(min_length=1, max_length=200)
    graded_at: DateTime


class SessionDocument(_Document):
    client_session_id: str = Field(json_schema_extra={"format": "uuid"})
    revision: int = Field(ge=1)
    device_id: str = Field(min_length=1, max_length=128)
    mode: Literal["voice", "text"]
    practice_mode: bool | None = None  # optional: older apps omit it
    persona: PersonaSnapshot
    scenario: ScenarioSnapshot
    agent_id: ShortText
    conversation_id: ShortText
    started_at: DateTime
    ended_at: DateTime | None
    duration_seconds: NonNegative | None
    status: Literal["completed", "interrupted", "failed"]
    end_reason: EndReason | None
    transcript: list[TranscriptLine] = Field(max_length=5000)
    metrics: Metrics | None
    grade: Grade | None
    virtual_earnings: int
    xp_earned: NonNegative


class StoredSession(SessionDocument):
    id: int


class PutResult(Schema):
    id: int
    client_session_id: str = Field(json_schema_extra={"format": "uuid"})
    revision: int


class DeleteResult(Schema):
    client_session_id: str = Field(json_schema_extra={"format": "uuid"})
    revision: int
    deleted_at: DateTime


class StaleRevision(Schema):
    error: Literal["stale_revision", "deleted"]
    server_revision: int


class FieldProblem(Schema):
    field: str
    message: str


class Invalid(Schema):
    error: Literal["invalid", "too_large", "bad_request"]
    details: list[FieldProblem]


class Error(Schema):
    error: str
    message: str | None = None


class Tombstone(Schema):
    client_session_id: str = Field(json_schema_extra={"format": "uuid"})
    revision: int
    device_id: str
    deleted_at: DateTime


class SessionPage(Schema):
    sessions: list[StoredSession]
    next_cursor: str | None
    deleted: list[Tombstone] = []


class UsageToday(Schema):
    sessions_today: NonNegative
    minutes_today: NonNegativeFloat
    max_sessions_per_day: NonNegative | None
    max_session_minutes: int | None = Field(ge=1)


class Persona(_Document):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    name: str = Field(min_length=1, max_length=60)
    property_type: str = Field(min_length=1, max_length=200)
    location: str = Field(min_length=1, max_length=200)
    motivation_level: Motivation
    conversation_style: Style
    objection_patterns: list[ShortText] = Field(max_length=6)
    backstory: str | None = Field(default=None, max_length=4000)
    asking_price: int = Field(ge=1)
    fair_price: int | None = Field(default=None, ge=0)
    facts: dict | None = None
    phone: str | None = Field(default=None, max_length=40)
    avatar_color: str | None = Field(default=None, max_length=20)
    voice_id: str | None = None


class PersonaList(Schema):
    personas: list[Persona]


class Assignment(Schema):
    id: int
    persona_id: str
    persona_name: str
    scenario_id: str
    scenario_title: str
    difficulty: Difficulty
    mode: Literal["practice", "exam"]
    due_date: str = Field(json_schema_extra={"format": "date"})
    pass_mark: Score
    max_attempts: int | None = Field(ge=1)
    attempts: NonNegative
    best_score: Score | None
    status: Literal["open", "passed", "missed"]
    passed_at: DateTime | None
    assigned_by: str


class AssignmentList(Schema):
    assignments: list[Assignment]


class Me(Schema):
    email: str
    name: str
    role: Literal["trainee", "coach", "admin"]
    team: str
    dashboard_url: str

"""The server's tables: a team, its members (Django users with a role), their device tokens, synced sessions,
the team's personas and its usage limits."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Team(models.Model):
    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped on every persona change: the personas endpoint's ETag comes from it, so a 304 needs no table scan.
    personas_version = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    TRAINEE = "trainee", "Trainee"
    COACH = "coach", "Coach"
    ADMIN = "admin", "Admin"


class Member(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.TRAINEE)
    display_name = models.CharField(max_length=120, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.user.email or self.user.username

    @property
    def sees_team(self) -> bool:
        return self.role in (Role.COACH, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class DeviceToken(models.Model):
    """A bearer token for the app. Only its SHA-256 is stored: the token is 256 random bits, so a slow hash buys
    nothing, and a fast one lets every request find its token by an index lookup."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="tokens")
    device_name = models.CharField(max_length=80, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)  # shown in lists so a user can tell tokens apart
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.device_name or 'device'})"


class TrainingSession(models.Model):
    """One synced call. The full document is kept as sent (unknown fields included, the contract says they are
    ignored, not dropped); the columns beside it are copies the dashboard filters and aggregates on."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="sessions")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="sessions")
    client_session_id = models.UUIDField()
    revision = models.PositiveIntegerField()
    device_id = models.CharField(max_length=128)
    document = models.JSONField(default=dict)
    deleted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(db_index=True)
    mode = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=16, blank=True)
    end_reason = models.CharField(max_length=24, blank=True)
    persona_id = models.CharField(max_length=128, blank=True)
    persona_name = models.CharField(max_length=200, blank=True)
    scenario_id = models.CharField(max_length=128, blank=True)
    scenario_title = models.CharField(max_length=200, blank=True)
    difficulty = models.CharField(max_length=16, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    overall = models.PositiveSmallIntegerField(null=True, blank=True)
    rapport = models.PositiveSmallIntegerField(null=True, blank=True)
    discovery = models.PositiveSmallIntegerField(null=True, blank=True)
    objection_handling = models.PositiveSmallIntegerField(null=True, blank=True)
    closing = models.PositiveSmallIntegerField(null=True, blank=True)
    xp_earned = models.IntegerField(default=0)
    virtual_earnings = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "client_session_id"], name="one_row_per_member_session"),
        ]
        indexes = [
            models.Index(fields=["member", "updated_at", "id"], name="session_pull"),
            models.Index(fields=["team", "started_at"], name="session_team_started"),
            models.Index(fields=["member", "started_at"], name="session_member_started"),
        ]

    def __str__(self) -> str:
        return f"{self.persona_name or self.client_session_id} r{self.revision}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class TeamPersona(models.Model):
    """A seller of the team's library, served to every app by GET /api/v1/personas."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="personas")
    slug = models.CharField(max_length=64)
    data = models.JSONField(default=dict)  # the contract's Persona object, validated before it is saved
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]
        constraints = [models.UniqueConstraint(fields=["team", "slug"], name="one_persona_per_slug")]

    def __str__(self) -> str:
        return self.slug


class UsageLimit(models.Model):
    """Limits for the whole team (member empty) or one member, who then has these instead of the team's."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="limits")
    member = models.OneToOneField(Member, null=True, blank=True, on_delete=models.CASCADE, related_name="limit")
    max_sessions_per_day = models.PositiveIntegerField(null=True, blank=True)
    max_session_minutes = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team"], condition=models.Q(member__isnull=True), name="one_team_wide_limit"
            ),
        ]

    def __str__(self) -> str:
        return f"limits for {self.member or self.team}"


DIFFICULTIES = [(d, d.capitalize()) for d in ("BEGINNER", "ROOKIE", "PRO", "ELITE", "NIGHTMARE")]


class Assignment(models.Model):
    """A call the coach wants made: a persona, a scenario and a difficulty (in practice or exam mode), for one member
    or the whole team (member empty), by a due date, passed at a score, within a number of attempts."""

    class Mode(models.TextChoices):
        PRACTICE = "practice", "Practice"
        EXAM = "exam", "Exam"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments")
    persona_id = models.CharField(max_length=128)
    persona_name = models.CharField(max_length=200, blank=True)
    scenario_id = models.CharField(max_length=128)
    scenario_title = models.CharField(max_length=200, blank=True)
    difficulty = models.CharField(max_length=16, choices=DIFFICULTIES)
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.PRACTICE)
    due_date = models.DateField()
    pass_mark = models.PositiveSmallIntegerField(default=75)
    max_attempts = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["team", "persona_id", "scenario_id"], name="assignment_match")]

    def __str__(self) -> str:
        return f"{self.persona_name or self.persona_id} / {self.scenario_title or self.scenario_id} by {self.due_date}"


class AssignmentAttempt(models.Model):
    """A synced call that matches an assignment (one row per call, kept up to date when the call is re-graded)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="attempts")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    overall = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "session"], name="one_attempt_per_call")]

    def __str__(self) -> str:
        return f"attempt {self.session_id} on {self.assignment_id}"

"""The Django admin over the team tables, for the server's operator (token digests are read-only)."""

from django.contrib import admin

from roleplay_server.team.models import DeviceToken, Member, Team, TeamPersona, TrainingSession, UsageLimit


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "team", "role")
    list_filter = ("team", "role")
    search_fields = ("user__email", "display_name")


@admin.register(DeviceToken)
class DeviceTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "member", "device_name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("digest", "prefix", "created_at", "last_used_at")


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ("client_session_id", "member", "persona_name", "started_at", "overall", "revision", "deleted_at")
    list_filter = ("team", "difficulty", "mode")
    search_fields = ("client_session_id", "persona_name")


@admin.register(TeamPersona)
class TeamPersonaAdmin(admin.ModelAdmin):
    list_display = ("slug", "team", "updated_at")


@admin.register(UsageLimit)
class UsageLimitAdmin(admin.ModelAdmin):
    list_display = ("team", "member", "max_sessions_per_day", "max_session_minutes")

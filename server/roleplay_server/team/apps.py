"""The team app's configuration."""

from django.apps import AppConfig


class TeamConfig(AppConfig):
    name = "roleplay_server.team"
    label = "team"
    verbose_name = "Teams and synced sessions"

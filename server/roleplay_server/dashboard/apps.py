"""The dashboard app's configuration."""

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "roleplay_server.dashboard"
    label = "dashboard"

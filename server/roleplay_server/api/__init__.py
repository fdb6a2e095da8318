"""The sync API (docs/sync-api.yaml) with django-ninja: /api/v1/..."""

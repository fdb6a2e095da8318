"""URLs: the sync API under /api/, Django's sign-in under /accounts/, the admin, and the dashboard at /."""

from django.contrib import admin
from django.urls import include, path

from roleplay_server.api.routes import api
from roleplay_server.dashboard.signin import RateLimitedLoginView

urlpatterns = [
    path("api/", api.urls),
    path("accounts/login/", RateLimitedLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("roleplay_server.dashboard.urls")),
]

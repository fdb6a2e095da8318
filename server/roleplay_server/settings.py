"""Django settings: everything a deployment changes comes from the environment (see server/README.md)."""

from __future__ import annotations

import os
from pathlib import Path

from roleplay_server.datadir import data_home, database_settings, secret_key

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_HOME = data_home()

SECRET_KEY = secret_key(DATA_HOME)
DEBUG = os.environ.get("ROLEPLAY_SERVER_DEBUG", "") == "1"
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ROLEPLAY_SERVER_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("ROLEPLAY_SERVER_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
# Behind a TLS proxy that sets X-Forwarded-Proto: cookies become Secure and request.is_secure() tells the truth.
if os.environ.get("ROLEPLAY_SERVER_BEHIND_TLS_PROXY") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "roleplay_server.team",
    "roleplay_server.dashboard",
]

MIDDLEWARE = [
    "roleplay_server.api.body_limit.ApiBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "roleplay_server.urls"
WSGI_APPLICATION = "roleplay_server.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "roleplay_server.dashboard.context.membership",
            ],
        },
    },
]

DATABASES = {"default": database_settings(DATA_HOME)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # only so an imported older hash still verifies
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("ROLEPLAY_SERVER_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = None  # nothing to collect: see WHITENOISE_USE_FINDERS
# No collectstatic step for a small team: whitenoise serves the apps' static folders straight from the package.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

# A session document is at most 5000 lines of 20,000 characters in the contract; real ones are far smaller.
# Bodies over this are answered 413 before they are parsed.
SYNC_MAX_BODY_BYTES = int(os.environ.get("ROLEPLAY_SERVER_MAX_BODY_BYTES", str(8 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = SYNC_MAX_BODY_BYTES
# Requests per token per minute on the sync API, and sign-in attempts per address per 15 minutes.
SYNC_RATE_PER_MINUTE = int(os.environ.get("ROLEPLAY_SERVER_SYNC_RATE", "600"))
LOGIN_ATTEMPTS_PER_WINDOW = int(os.environ.get("ROLEPLAY_SERVER_LOGIN_ATTEMPTS", "10"))

# Rate limits count in each worker's memory: no write per request. With N workers a limit is at most N times looser.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "roleplay"}}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

# Request lines carry no secrets (the token travels in a header), and Django never logs headers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ROLEPLAY_SERVER_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

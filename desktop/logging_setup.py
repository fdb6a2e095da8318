"""Logging to a rotating file in the data folder, with anything that looks like a secret redacted."""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import re
import sys

from desktop import settings as app_settings
from desktop.secret_shapes import KEY_IN_TEXT

# API keys (every shape in secret_shapes: OpenAI sk-, ElevenLabs sk_, backend rpt_), bearer tokens, labelled keys and
# signed-URL tokens must never reach a log file. Group 1 of each pattern is kept (the label), the rest is replaced.
_SECRET_PATTERNS = (
    re.compile(r"()" + KEY_IN_TEXT.pattern),
    re.compile(r"()sk-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-]+"),
    re.compile(r"(?i)((?:xi-api-key|api[_-]?key|token|conversation_signature)[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,]+"),
)


def redact(text: str) -> str:
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(r"\1[redacted]", text)
    return text


class QuietFileHandler(logging.handlers.RotatingFileHandler):
    """A log file that cannot be written (a full disk) costs one line on stderr, not a traceback per record."""

    _complained = False

    def handleError(self, record: logging.LogRecord) -> None:
        if not self._complained:
            self._complained = True
            error = sys.exc_info()[1]
            sys.stderr.write(f"roleplay: the log file cannot be written ({error}); going on without it\n")


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class OneLineFormatter(logging.Formatter):
    """The console gets one line a record: a traceback is for the log file (a user reading a command's output is
    told what happened, not where in the code)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(f"{record.levelname}: {record.getMessage()}")


NATIVE_CRASH_LOG = "native-crash.log"
_native_crash_file = None


def enable_native_crash_traces() -> None:
    """A crash inside C (PortAudio, Qt, CTranslate2) kills the process before Python's handlers run: faulthandler
    writes every thread's Python stack to logs/native-crash.log first, so the crash leaves a trace."""
    global _native_crash_file
    if _native_crash_file is not None:
        return
    try:
        logs = app_settings.logs_dir()
        logs.mkdir(parents=True, exist_ok=True)
        _native_crash_file = open(logs / NATIVE_CRASH_LOG, "a", encoding="utf-8")  # noqa: SIM115 (kept open)
    except OSError:
        return  # no room for it (a full disk): the app runs without
    faulthandler.enable(_native_crash_file, all_threads=True)


def configure_logging(console: bool = False) -> None:
    root = logging.getLogger()
    if getattr(root, "_roleplay_configured", False):
        return
    root.setLevel(logging.INFO)
    # The HTTP client logs a line for every request; a sync of a thousand sessions would fill the log with them.
    # Failures are logged by the sync and grading code in words, so its own lines are only wanted when debugging.
    for chatty in ("httpx2", "httpcore2", "openai"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    formatter = RedactingFormatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    try:
        logs = app_settings.logs_dir()
        logs.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = QuietFileHandler(
            logs / "roleplay.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        handler = logging.StreamHandler()
        handler.setLevel(logging.WARNING)  # no log file (a full disk): only what the user should see
    handler.setFormatter(formatter)
    root.addHandler(handler)
    enable_native_crash_traces()
    if console:
        stream = logging.StreamHandler()
        stream.setLevel(logging.WARNING)
        stream.setFormatter(OneLineFormatter())
        root.addHandler(stream)
    root._roleplay_configured = True  # type: ignore[attr-defined]

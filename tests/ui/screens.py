"""Helpers for the feedback, history and review screen tests: seed calls through the real repository, build an
AppState on the test's store, and save screenshots (into docs/screenshots with ROLEPLAY_SCREENSHOTS=1)."""

from __future__ import annotations

import math
import os
import struct
import wave
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget

from desktop import settings as app_settings
from desktop.bootstrap import AppState
from desktop.core.clock import to_iso
from desktop.core.metrics import compute_metrics
from desktop.core.results import Grade
from desktop.core.transcript import TranscriptLine
from desktop.store.db import Store
from desktop.store.queries import SessionQueries
from desktop.store.sessions import SessionRepository
from desktop.ui.widgets import theme
from tests.conftest import PERSONA, SCENARIO

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def app_state(store: Store, repo: SessionRepository, queries: SessionQueries) -> AppState:
    app_settings.ensure_data_dir()
    return AppState(app_settings.load_settings(), store, repo, queries)


def seed_call(
    repo: SessionRepository,
    lines: Sequence[TranscriptLine],
    *,
    persona: dict = PERSONA,
    scenario: dict = SCENARIO,
    difficulty: str = "PRO",
    mode: str = "voice",
    started_at: datetime | None = None,
    status: str = "completed",
    grade: Grade | None = None,
    recording_path: str = "",
    error_message: str = "",
    practice_mode: bool = True,
) -> int:
    """One finished call written the way the app writes it: start, each line, end with metrics, then the grade."""
    started = started_at or datetime.now(timezone.utc) - timedelta(minutes=30)
    session = repo.start_session(
        persona_snapshot=persona,
        scenario_snapshot=scenario,
        difficulty=difficulty,
        mode=mode,
        started_at=to_iso(started),
        practice_mode=practice_mode,
    )
    for line in lines:
        repo.append_line(session.id, line)
    length_s = max((line.end_ms for line in lines), default=0) / 1000
    metrics = (
        compute_metrics(
            lines,
            objection_patterns=tuple(persona.get("objection_patterns") or ()),
            voice=mode == "voice",
            call_length_s=length_s,
        )
        if lines
        else None
    )
    repo.end_session(
        session.id,
        end_reason="user_hangup" if status != "failed" else "error",
        status=status,
        metrics=metrics,
        ended_at=to_iso(started + timedelta(seconds=length_s)),
        recording_path=recording_path,
        error_message=error_message,
    )
    if grade is not None:
        repo.save_grade(session.id, grade)
    return session.id


def write_tone_wav(path: Path, seconds: float, rate: int = 16000) -> Path:
    """A real WAV file: a quiet tone, so the player has something to decode and play."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = int(seconds * rate)
    samples = (int(3000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(frames))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return path


def distinct_colors(image: QImage, step: int = 7) -> int:
    seen = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            seen.add(image.pixel(x, y))
    return len(seen)


def save_screenshot(widget: QWidget, name: str, tmp_path: Path) -> Path:
    """Saves a PNG of the widget; asserts it shows more than a blank page."""
    folder = DOCS_SCREENSHOTS if os.environ.get("ROLEPLAY_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance()
    previous = app.styleSheet()
    # The app's theme, as the real window has it; restored after, so other tests keep the default style.
    app.setStyleSheet(theme.STYLESHEET)
    try:
        # Widgets added while visible are shown, and layouts settle, only once queued events run.
        QApplication.processEvents()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QApplication.processEvents()
        image = widget.grab().toImage()
    finally:
        app.setStyleSheet(previous)
    assert not image.isNull() and image.width() >= 600 and image.height() >= 400
    assert distinct_colors(image) > 20, f"the {name} screenshot looks blank"
    target = folder / f"{name}.png"
    assert image.save(str(target))
    return target

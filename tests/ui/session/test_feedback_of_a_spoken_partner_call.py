"""The feedback of a real spoken call with the practice partner: trainee lines spoken by espeak-ng, streamed with
`roleplay call --agent partner --mic-wav`, heard by the on-device recogniser, answered by the seller, stored and graded
by the rules; then shown on the feedback screen (the picture for the docs)."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest

from desktop.cli.main import main
from desktop.store.db import Store
from desktop.store.queries import SessionQueries
from desktop.store.sessions import SessionRepository
from desktop.ui.session.feedback import FeedbackScreen
from desktop.ui.session.presenters import FeedbackPresenter
from tests.ui.screens import app_state, save_screenshot

pytestmark = pytest.mark.timeout(240)

PERSONA_ID = "dale-pruitt-coal-county"
TRAINEE_LINES = (
    "Hi Dale, this is Sam with Red Oak Land. Is this a good time to talk for a minute?",
    "How many acres is the land, and does it have water and power?",
    "What has you thinking about selling it now?",
    "What price would you be hoping to get for it?",
)
SELLER_ROOM_S = 9.0  # the seller answers (a second to decide, a few seconds of speech) before the next line


def _call_wav(path: Path) -> Path:
    from tests.speech.spoken import speak

    quiet = np.zeros(int(16000 * SELLER_ROOM_S), np.int16)
    parts = [np.zeros(int(16000 * 6.0), np.int16)]  # the seller's greeting first
    for line in TRAINEE_LINES:
        parts += [speak(line, path.parent), quiet]
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(np.concatenate(parts).astype("<i2").tobytes())
    return path


def test_the_feedback_of_a_real_spoken_partner_call_is_about_the_trainees_words(
    qtbot, data_home, capsys, tmp_path, monkeypatch
) -> None:
    monkeypatch.delenv("ELEVENLABS_AGENT_ID", raising=False)
    wav = _call_wav(tmp_path / "call.wav")
    assert main(["call", "--persona", PERSONA_ID, "--agent", "partner", "--mic-wav", str(wav), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    trainee = [line["text"] for line in document["transcript"] if line["speaker"] == "trainee"]
    assert len(trainee) >= 3, document["transcript"]
    assert any("acre" in text.lower() for text in trainee), trainee  # heard, not a placeholder
    seller = [line["text"].lower() for line in document["transcript"] if line["speaker"] == "seller"]
    assert any(word in " ".join(seller) for word in ("acre", "water", "power", "well")), seller  # answered

    store = Store.open(data_home / "roleplay.db", data_home / "backups")
    try:
        repo, queries = SessionRepository(store), SessionQueries()
        widget = FeedbackScreen()
        qtbot.addWidget(widget)
        widget.resize(1200, 900)
        widget.show()
        presenter = FeedbackPresenter(app_state(store, repo, queries), widget)
        with qtbot.waitSignal(presenter.record_shown, timeout=5000):
            presenter.show_session(document["id"])
        assert widget.scores.grader.text().startswith("Graded by the built-in rules")
        assert "spoken" in widget.measured.text().lower() or "voice" in widget.subtitle.text().lower()
        pace = widget.analytics.values["words_per_min"].text()
        assert pace and pace != "—", pace  # words per minute from the recognised words and their timing
        save_screenshot(widget, "feedback-spoken-call", tmp_path)
    finally:
        store.close()

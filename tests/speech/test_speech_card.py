"""Settings -> Speech, with real parts: the catalog and the chosen model as the card shows them, a download from a
local HTTP server that installs a model the card then offers, and the "say something" test recording real espeak-ng
speech from the private PulseAudio's virtual microphone and showing the recogniser's words."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import numpy as np
import pytest

from desktop.speech import models
from desktop.ui.settings.speech import SpeechCard, SpeechCardController
from tests.pcm import write_wav
from tests.speech.model_server import ModelServer, Served
from tests.speech.spoken import SENTENCES, silence, speak, word_error_rate

pytestmark = pytest.mark.timeout(90)
WAIT_MS = 60_000


def small_catalog(server: ModelServer) -> tuple[models.SpeechModel, ...]:
    """tiny.en as shipped, and a 'base.en' whose files are a copy of tiny.en's, served by the local server."""
    shipped = models.shipped_model_dir()
    assert shipped is not None
    files = []
    for name in models.REQUIRED_FILES:
        body = (shipped / name).read_bytes()
        server.files[f"/m/{name}"] = Served(body)
        files.append(models.ModelFile(name, f"{server.url}/m/{name}", len(body), hashlib.sha256(body).hexdigest()))
    return (
        models.CATALOG[0],
        models.SpeechModel("base.en", "Whisper base (test copy)", tuple(files), realtime_factor=0.2),
    )


@pytest.fixture
def server():
    served = ModelServer()
    served.start()
    yield served
    served.stop()


@pytest.fixture
def card(qtbot, data_home: Path, server: ModelServer):
    view = SpeechCard()
    qtbot.addWidget(view)
    controller = SpeechCardController(view, lambda: data_home, lambda: "", catalog=small_catalog(server))
    controller.load()
    qtbot.waitUntil(lambda: view.model.count() == 1, timeout=WAIT_MS)
    return view, controller


def test_the_card_offers_the_built_in_model_and_downloads_another_that_it_then_offers(qtbot, card, data_home: Path):
    view, controller = card
    assert view.model.currentData() == "tiny.en" and list(view.downloads) == ["base.en"]
    fractions: list[float] = []
    view.progress.valueChanged.connect(lambda value: fractions.append(value / 1000))
    view.downloads["base.en"].click()
    qtbot.waitUntil(lambda: view.model.count() == 2, timeout=WAIT_MS)  # installed, and offered
    assert fractions and fractions[-1] == pytest.approx(1.0) and not view.downloads
    assert "installed" in view.heard.text()
    view.model.setCurrentIndex(view.model.findData("base.en"))
    view.model.activated.emit(view.model.currentIndex())
    qtbot.waitUntil(lambda: models.chosen_model(data_home) == "base.en", timeout=WAIT_MS)
    choice = json.loads((models.models_root(data_home) / models.CHOICE_FILE).read_text())
    assert choice == {"model": "base.en"}


def test_say_something_shows_what_the_recogniser_heard_from_the_microphone(qtbot, card, pulse, tmp_path: Path):
    view, _ = card
    wav = write_wav(tmp_path / "said.wav", np.concatenate([silence(0.3), speak(SENTENCES[4], tmp_path)]))
    view.test_button.click()
    assert not view.test_button.isEnabled()
    player = threading.Thread(target=pulse.play_into_mic, args=(wav,))
    player.start()
    qtbot.waitUntil(lambda: view.test_button.isEnabled(), timeout=WAIT_MS)
    player.join(30)
    shown = view.heard.text()
    assert shown.startswith("Heard:"), shown
    heard = shown.split("\u201c")[1].split("\u201d")[0]
    said = " ".join(SENTENCES[4].split()[: len(heard.split())])  # four seconds hold most of the sentence
    assert word_error_rate(said, heard) <= 0.35, heard

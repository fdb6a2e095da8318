"""The recogniser check behind `roleplay doctor` and the Settings "say something" test: the real model on a real
spoken sentence; a damaged chosen model falls back to the built-in one and says so; silence is heard as nothing."""

from __future__ import annotations

import json
from pathlib import Path

from desktop.cli.doctor import OK, WARN, check_recogniser
from desktop.speech import models
from desktop.speech.self_test import SAMPLE_SENTENCE
from desktop.speech.self_test import check_recogniser as run_check
from tests.speech.spoken import speak, word_error_rate


def test_the_built_in_model_hears_a_sentence_and_reports_its_speed(speech_dir: Path) -> None:
    result = run_check(None, speak(SAMPLE_SENTENCE, speech_dir).astype("<i2").tobytes())
    assert result.ok and not result.fallback and result.model == "tiny.en (built in)"
    assert word_error_rate(SAMPLE_SENTENCE, result.heard) <= 0.3, result.heard
    assert result.load_s > 0 and result.decode_s > 0 and result.speed > 1.0


def test_silence_is_heard_as_nothing() -> None:
    result = run_check(None, bytes(2 * 32000))
    assert result.ok and result.heard == ""


def test_a_damaged_chosen_model_falls_back_to_the_built_in_one(tmp_path: Path, speech_dir: Path) -> None:
    broken = models.installed_dir(tmp_path, "base.en")
    broken.mkdir(parents=True)
    for name in models.REQUIRED_FILES:
        (broken / name).write_bytes(b"{}" if name == "config.json" else b"not a model")
    result = run_check(broken, speak("Does the lot have water and power?", speech_dir).astype("<i2").tobytes())
    assert result.ok and result.fallback and "damaged" in result.problem
    assert "water" in result.heard.lower()


def test_the_choice_of_model_is_kept_and_a_missing_download_falls_back(tmp_path: Path) -> None:
    assert models.chosen_model(tmp_path) == "tiny.en" and models.chosen_model_dir(tmp_path) is None
    models.choose_model(tmp_path, "base.en")  # chosen, but not downloaded: the partner keeps the built-in model
    assert json.loads((models.models_root(tmp_path) / models.CHOICE_FILE).read_text()) == {"model": "base.en"}
    assert models.chosen_model(tmp_path) == "tiny.en"
    folder = models.installed_dir(tmp_path, "base.en")
    folder.mkdir(parents=True)
    for name in models.REQUIRED_FILES:
        (folder / name).write_text("{}")
    (folder / models.INSTALLED_MARKER).write_text("{}")
    assert models.chosen_model(tmp_path) == "base.en" and models.chosen_model_dir(tmp_path) == folder


def test_doctor_reports_the_recogniser(data_home: Path) -> None:
    check = check_recogniser()
    assert check.name == "speech recogniser" and check.status in (OK, WARN), check
    assert "tiny.en" in check.detail and "loaded in" in check.detail

"""The speech model catalog: the shipped model is the one pinned, every entry is complete, and model folders are
judged usable or not without loading them."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from desktop.speech.models import (
    CATALOG,
    INSTALLED_MARKER,
    REQUIRED_FILES,
    catalog_entry,
    check_model_dir,
    installed_models,
    model_dir_for,
    shipped_model_dir,
)

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_model_matches_its_pinned_files() -> None:
    folder = shipped_model_dir()
    assert folder is not None
    for file in catalog_entry("tiny.en").files:
        data = (folder / file.name).read_bytes()
        assert len(data) == file.size and hashlib.sha256(data).hexdigest() == file.sha256, file.name


def test_catalog_entries_are_complete() -> None:
    assert [m.name for m in CATALOG] == ["tiny.en", "base.en", "small.en", "distil-small.en"]
    assert [m.shipped for m in CATALOG] == [True, False, False, False]
    for model in CATALOG:
        names = {file.name for file in model.files}
        assert set(REQUIRED_FILES) <= names, model.name
        assert all(f.url.startswith("https://huggingface.co/Systran/") and f.url.endswith(f.name) for f in model.files)
        assert model.size > 70_000_000 and model.realtime_factor > 0
    assert CATALOG[0].pinned
    sizes = [m.size for m in CATALOG]
    assert sizes[0] < sizes[1] < sizes[3] < sizes[2]


def test_model_folder_problems_are_named(tmp_path: Path) -> None:
    assert check_model_dir(tmp_path / "nope") == [f"the folder {tmp_path / 'nope'} does not exist"]
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "config.json").write_text("{broken")
    (folder / "model.bin").write_bytes(b"")
    assert check_model_dir(folder) == [
        "model.bin is empty",
        "tokenizer.json is missing",
        "vocabulary.txt is missing",
        "config.json is not valid JSON",
    ]


def test_installed_models_lists_only_finished_installs(tmp_path: Path) -> None:
    shipped = shipped_model_dir()
    assert shipped is not None
    root = tmp_path / "speech-models"
    shutil.copytree(shipped, root / "base.en")
    (root / "base.en" / INSTALLED_MARKER).write_text("{}")
    shutil.copytree(shipped, root / ".download-small.en")  # a partial download
    shutil.copytree(shipped, root / "small.en")  # no marker: an install that never finished
    assert installed_models(tmp_path) == ["base.en"]
    assert model_dir_for(tmp_path, "base.en") == root / "base.en"
    assert model_dir_for(tmp_path, "tiny.en") == shipped


def test_speech_modules_import_without_qt() -> None:
    code = (
        "import sys\n"
        "import desktop.speech.recogniser, desktop.speech.turn_detector, desktop.speech.downloads\n"
        "assert not [m for m in sys.modules if m.startswith(('PySide6', 'shiboken'))], 'Qt was imported'\n"
        "assert 'faster_whisper' not in sys.modules, 'the model library loads only when a model is'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

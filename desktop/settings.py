"""Where the app keeps its data, and the user's settings (endpoints, limits, trainee name) as a JSON file.

Secrets never live here: see `secrets.py`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from desktop.core.persona_agents import clean_persona_agents
from desktop.secret_shapes import key_pasted_as_id_message, looks_like_key

log = logging.getLogger(__name__)

APP_NAME = "Roleplay Trainer"
APP_DIR_NAME = "RoleplayTrainer"
DB_FILENAME = "roleplay.db"


def data_dir() -> Path:
    """The data folder: ROLEPLAY_HOME when set, else the platform's per-user app-data folder."""
    override = os.environ.get("ROLEPLAY_HOME")
    if override:
        return Path(override).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / APP_DIR_NAME


def ensure_data_dir() -> Path:
    """Creates the data folder and its subfolders, readable by the user only (0700 on POSIX; also tightened on a
    folder made by an older version, so the files already in it are private too)."""
    path = data_dir()
    for sub in ("", "recordings", "logs", "backups", "locks"):
        folder = path / sub
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.name == "posix" and folder.stat().st_mode & 0o077:
            folder.chmod(0o700)
    return path


def db_path() -> Path:
    return data_dir() / DB_FILENAME


def recordings_dir() -> Path:
    return data_dir() / "recordings"


def logs_dir() -> Path:
    return data_dir() / "logs"


def backups_dir() -> Path:
    return data_dir() / "backups"


@dataclass
class Settings:
    """User-editable, non-secret settings. Unknown keys in the file are ignored; missing ones take defaults."""

    trainee_name: str = "Sam"
    elevenlabs_api_url: str = "https://api.elevenlabs.io"
    elevenlabs_agent_id: str = ""
    openai_model: str = "gpt-4o-mini"
    openai_base_url: str = ""
    backend_url: str = ""
    max_sessions_per_day: int | None = None
    max_session_minutes: int | None = 10
    input_device: str = ""
    output_device: str = ""
    camera: str = ""
    echo_guard: bool = False
    practice_mode: bool = True
    partner_voice: bool = True  # the practice partner speaks its lines aloud when the OS has a speech engine
    grading_timeout_s: int = 30  # how long the model may take to grade before the rule-based grade stands in
    first_run_done: bool = False  # the first-run guide was finished or skipped (desktop/ui/onboarding)
    # persona id -> {"agent_id": ..., "voice_id": ...}: a persona's own ElevenLabs agent and voice (core.persona_agents)
    persona_agents: dict[str, dict[str, str]] = field(default_factory=dict)
    device_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def effective_elevenlabs_api_url(self) -> str:
        return os.environ.get("ROLEPLAY_ELEVENLABS_API_URL") or self.elevenlabs_api_url

    @property
    def effective_backend_url(self) -> str:
        return os.environ.get("ROLEPLAY_BACKEND_URL") or self.backend_url


def settings_path() -> Path:
    return data_dir() / "settings.json"


_load_problem: str | None = None


def load_problem() -> str | None:
    """What was wrong with settings.json at the last load, in words for the user; None when it was fine."""
    return _load_problem


def load_settings(*, save: bool = True) -> Settings:
    """Reads settings.json. A missing file gives defaults (and a fresh device id, saved once). A file that cannot
    be read is never overwritten: one that will not parse is moved aside (what a stray comma costs is a warning,
    not the user's name, agents and backend), one that cannot be opened at all (a folder in its place) is left
    alone and the defaults serve this run only. `load_problem()` says what happened."""
    global _load_problem
    _load_problem = None
    path = settings_path()
    try:
        text: str | None = path.read_bytes().decode("utf-8", errors="replace")  # bad bytes: a parse error below
    except FileNotFoundError:
        text = None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        _report(f"{path} cannot be read ({reason}); using default settings for now, and nothing was written there.")
        return Settings()
    raw = _parse(path, text) if text is not None else {}
    values = _valid_values(raw)
    settings = Settings(**values)
    if save and ("device_id" not in values or text is None or _load_problem is not None or _holds_a_key(raw)):
        try:
            save_settings(settings)
        except OSError as exc:  # a full disk: the settings still serve this run; the file is tried again next time
            log.warning("could not save %s: %s", path, exc.strerror or exc)
    return settings


def _parse(path: Path, text: str) -> dict:
    """The file's settings; a file that does not parse is moved aside first and what can be saved of it is kept."""
    try:
        raw = json.loads(text)
        if isinstance(raw, dict):
            return raw
        problem = "it does not hold a JSON object"
    except ValueError as exc:
        problem = f"a typo at line {getattr(exc, 'lineno', '?')}: {getattr(exc, 'msg', exc)}"
    aside = _move_aside(path)
    repaired = _lenient_parse(text)
    kept = "your settings were read around the typo" if repaired else "default settings are used"
    _report(f"{path} could not be read ({problem}); {kept}. The file as it was is kept at {aside}.")
    return repaired or _salvaged_device_id(text)


def _lenient_parse(text: str) -> dict | None:
    """The commonest hand-edit slip, a comma before a closing brace or bracket, forgiven."""
    try:
        raw = json.loads(re.sub(r",\s*([}\]])", r"\1", text))
    except ValueError:
        return None
    return raw if isinstance(raw, dict) else None


def _salvaged_device_id(text: str) -> dict:
    """This device's id, if the broken file still shows it: a new id would look like a new device to the team."""
    match = re.search(r'"device_id"\s*:\s*"([0-9a-f]{32})"', text)
    return {"device_id": match.group(1)} if match else {}


def _move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.unreadable-{stamp}")
    counter = 1
    while aside.exists():
        aside = path.with_name(f"{path.name}.unreadable-{stamp}-{counter}")
        counter += 1
    os.replace(path, aside)
    return aside


def _report(problem: str) -> None:
    global _load_problem
    _load_problem = problem
    log.warning("%s", problem)


def save_settings(settings: Settings) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # A temp file of its own per save, so two saves at once (the settings page and the call screen) cannot collide.
    fd, tmp = tempfile.mkstemp(prefix="settings-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(settings), indent=2))
        os.replace(tmp, path)  # atomic: a crash never leaves half a settings file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _valid_values(raw: dict) -> dict:
    """Keeps the known keys whose value has the default's type; a hand-edited bad value falls back to the default
    instead of crashing the app later."""
    defaults = Settings()
    values = {}
    for spec in fields(Settings):
        if spec.name not in raw:
            continue
        value, default = raw[spec.name], getattr(defaults, spec.name)
        if spec.name == "persona_agents":
            values[spec.name] = _without_keys(clean_persona_agents(value))
            continue
        if spec.name == "elevenlabs_agent_id" and isinstance(value, str) and looks_like_key(value):
            log.warning("%s", key_pasted_as_id_message("ElevenLabs agent id in settings.json"))
            continue  # a key in a plain file: dropped, and the file is rewritten without it
        optional_int = spec.type in ("int | None",) and (value is None or type(value) is int)
        if optional_int or (type(value) is type(default) and not _out_of_range(spec.name, value)):
            values[spec.name] = value
    return values


def _holds_a_key(raw: dict) -> bool:
    """Whether the file has a key pasted where an id goes (then it is rewritten without it)."""
    ids = [raw.get("elevenlabs_agent_id")]
    agents = raw.get("persona_agents")
    if isinstance(agents, dict):
        ids += [v for entry in agents.values() if isinstance(entry, dict) for v in entry.values()]
    return any(isinstance(value, str) and looks_like_key(value) for value in ids)


def _without_keys(persona_agents: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    kept = {}
    for persona_id, ids in persona_agents.items():
        clean = {key: value for key, value in ids.items() if not looks_like_key(value)}
        if len(clean) < len(ids):
            log.warning("%s", key_pasted_as_id_message(f"agent or voice id of {persona_id} in settings.json"))
        if clean:
            kept[persona_id] = clean
    return kept


# The bounds the Settings page enforces, for values typed into the file by hand.
_RANGES = {"grading_timeout_s": (5, 300)}


def _out_of_range(name: str, value: object) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    if name.startswith("max_"):
        return value < 1
    low, high = _RANGES.get(name, (None, None))
    return (low is not None and value < low) or (high is not None and value > high)

"""What the settings screen reads and writes, without Qt: the form's values, their checks (one message per field),
where each key is kept, and the blocking load/save the presenter runs off the GUI thread."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from desktop import settings as app_settings
from desktop.core.persona_agents import ID_RULE, clean_persona_agents, valid_id

if TYPE_CHECKING:
    from desktop.secrets import KeyringStatus

log = logging.getLogger(__name__)

SECRET_LABELS = {
    "elevenlabs_api_key": "ElevenLabs API key",
    "openai_api_key": "OpenAI API key",
    "backend_token": "Sign-in token",
}
# Where a key comes from, in the order get_secret looks.
FROM_ENV, FROM_KEYRING, FROM_SESSION, NOT_SET = "env", "keyring", "session", ""
KEEP_IN_KEYRING, KEEP_FOR_SESSION, KEEP_IN_ENV = "keyring", "session", "env"

MAX_NAME = 40
MAX_MINUTES = 120
MAX_PER_DAY = 100
MIN_GRADING_SECONDS, MAX_GRADING_SECONDS = 5, 300
_AGENT_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_MODEL_RE = re.compile(r"^[A-Za-z0-9._:/-]{1,100}$")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class SettingsForm:
    """What the user typed. Keys: an empty text keeps the stored key; `forget` removes it."""

    trainee_name: str = ""
    elevenlabs_agent_id: str = ""
    elevenlabs_api_url: str = ""
    openai_model: str = ""
    openai_base_url: str = ""
    backend_url: str = ""
    input_device: str = ""
    output_device: str = ""
    echo_guard: bool = False
    partner_voice: bool = True
    grading_timeout_s: int = 30
    max_session_minutes: int | None = None
    max_sessions_per_day: int | None = None
    persona_agents: dict[str, dict[str, str]] = field(default_factory=dict)
    new_secrets: dict[str, str] = field(default_factory=dict)
    forget: frozenset[str] = frozenset()
    key_storage: str = KEEP_IN_KEYRING  # keyring, session (no keyring, chosen by the user) or env

    @classmethod
    def from_settings(cls, settings: app_settings.Settings) -> SettingsForm:
        return cls(
            trainee_name=settings.trainee_name,
            elevenlabs_agent_id=settings.elevenlabs_agent_id,
            elevenlabs_api_url=settings.elevenlabs_api_url,
            openai_model=settings.openai_model,
            openai_base_url=settings.openai_base_url,
            backend_url=settings.backend_url,
            input_device=settings.input_device,
            output_device=settings.output_device,
            echo_guard=settings.echo_guard,
            partner_voice=settings.partner_voice,
            grading_timeout_s=settings.grading_timeout_s,
            max_session_minutes=settings.max_session_minutes,
            max_sessions_per_day=settings.max_sessions_per_day,
            persona_agents={pid: dict(ids) for pid, ids in settings.persona_agents.items()},
        )


@dataclass(frozen=True)
class SecretState:
    name: str
    source: str  # env, keyring, session or "" (not set)

    @property
    def env_var(self) -> str:
        from desktop import secrets

        return secrets.SECRETS[self.name]


@dataclass(frozen=True)
class SettingsSnapshot:
    settings: app_settings.Settings
    keyring: KeyringStatus
    secrets: dict[str, SecretState]
    inputs: list[str]
    outputs: list[str]
    default_input: str = ""
    default_output: str = ""
    audio_problem: str = ""
    personas: list[tuple[str, str]] = field(default_factory=list)  # (id, name) of every contact, for their agents


@dataclass(frozen=True)
class SaveResult:
    settings: app_settings.Settings
    errors: dict[str, str] = field(default_factory=dict)  # field -> message (e.g. a key the keyring refused)

    @property
    def ok(self) -> bool:
        return not self.errors


def url_error(text: str, label: str, *, required: bool = False, https_unless_local: bool = False) -> str | None:
    text = text.strip()
    if not text:
        return f"{label} is required." if required else None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{label} must be a web address starting with https://, like https://example.com."
    if https_unless_local and parts.scheme != "https" and parts.hostname not in _LOOPBACK:
        return f"{label} must use https:// (plain http:// is only allowed for this computer, 127.0.0.1)."
    return None


def validate_form(form: SettingsForm, snapshot: SettingsSnapshot | None = None) -> dict[str, str]:
    """field -> message for each problem; empty when the form can be saved."""
    errors: dict[str, str] = {}

    def record(key: str, message: str | None) -> None:
        if message:
            errors[key] = message

    name = form.trainee_name.strip()
    if not name:
        record("trainee_name", "Your name is required: the seller uses it on the call.")
    elif len(name) > MAX_NAME or "\n" in name:
        record("trainee_name", f"Keep your name on one line and under {MAX_NAME} characters.")
    agent = form.elevenlabs_agent_id.strip()
    if agent and not _AGENT_ID_RE.match(agent):
        record("elevenlabs_agent_id", "An agent id has only letters, digits, - and _ (copy it from ElevenLabs).")
    record("elevenlabs_api_url", url_error(form.elevenlabs_api_url, "The ElevenLabs address", required=True))
    model = form.openai_model.strip()
    if not model:
        record("openai_model", "Name the model to grade with, e.g. gpt-4o-mini.")
    elif not _MODEL_RE.match(model):
        record("openai_model", "A model name has no spaces, e.g. gpt-4o-mini.")
    record("openai_base_url", url_error(form.openai_base_url, "The OpenAI address"))
    if not MIN_GRADING_SECONDS <= form.grading_timeout_s <= MAX_GRADING_SECONDS:
        record("grading_timeout_s", f"Give the model {MIN_GRADING_SECONDS} to {MAX_GRADING_SECONDS} seconds to grade.")
    record("backend_url", url_error(form.backend_url, "The backend address", https_unless_local=True))
    if form.max_session_minutes is not None and not 1 <= form.max_session_minutes <= MAX_MINUTES:
        record("max_session_minutes", f"A call can last 1 to {MAX_MINUTES} minutes (or no limit).")
    if form.max_sessions_per_day is not None and not 1 <= form.max_sessions_per_day <= MAX_PER_DAY:
        record("max_sessions_per_day", f"Allow 1 to {MAX_PER_DAY} calls a day (or no limit).")
    if any(not valid_id(value.strip()) for ids in form.persona_agents.values() for value in ids.values()):
        record("persona_agents", f"Fix the ids marked in red: an id has {ID_RULE}.")
    for name_, value in form.new_secrets.items():
        value = value.strip()
        if not value:
            continue
        label = SECRET_LABELS[name_]
        if any(ch.isspace() for ch in value) or len(value) > 500:
            record(name_, f"The {label} looks wrong: paste it again without spaces or line breaks.")
        elif snapshot is not None and snapshot.secrets[name_].source == FROM_ENV:
            record(name_, f"{snapshot.secrets[name_].env_var} is set in your environment and wins; change it there.")
        elif snapshot is not None and not snapshot.keyring.usable and form.key_storage == KEEP_IN_KEYRING:
            record(name_, "There is no keyring on this computer: choose above how to keep this key.")
    return errors


def apply_form(settings: app_settings.Settings, form: SettingsForm) -> app_settings.Settings:
    """A copy of `settings` with the form's values (device id and mode untouched)."""
    return dataclasses.replace(
        settings,
        trainee_name=" ".join(form.trainee_name.split()),
        elevenlabs_agent_id=form.elevenlabs_agent_id.strip(),
        elevenlabs_api_url=form.elevenlabs_api_url.strip().rstrip("/"),
        openai_model=form.openai_model.strip(),
        openai_base_url=form.openai_base_url.strip().rstrip("/"),
        backend_url=form.backend_url.strip().rstrip("/"),
        input_device=form.input_device,
        output_device=form.output_device,
        echo_guard=form.echo_guard,
        partner_voice=form.partner_voice,
        grading_timeout_s=form.grading_timeout_s,
        max_session_minutes=form.max_session_minutes,
        max_sessions_per_day=form.max_sessions_per_day,
        persona_agents=clean_persona_agents(form.persona_agents),
    )


def secret_source(name: str) -> str:
    """Where `get_secret` would find this key (without revealing it)."""
    import os

    import keyring
    from keyring.errors import KeyringError

    from desktop import secrets

    if os.environ.get(secrets.SECRETS[name], "").strip():
        return FROM_ENV
    status = secrets.keyring_status()
    if status.usable:
        try:
            if keyring.get_password(secrets.SERVICE, name):
                return FROM_KEYRING
        except KeyringError:
            pass
    return FROM_SESSION if secrets.get_secret(name) else NOT_SET


def load_snapshot(
    settings: app_settings.Settings, personas: Callable[[], list[tuple[str, str]]] = list
) -> SettingsSnapshot:
    """Blocking (keyring, sound devices, `personas` reading the contacts): run it off the GUI thread."""
    from desktop import secrets

    status = secrets.keyring_status()
    states = {name: SecretState(name, secret_source(name)) for name in secrets.SECRETS}
    inputs, outputs, default_in, default_out, problem = _audio_devices()
    return SettingsSnapshot(
        dataclasses.replace(settings), status, states, inputs, outputs, default_in, default_out, problem, personas()
    )


def _audio_devices() -> tuple[list[str], list[str], str, str, str]:
    try:
        from desktop.voice.audio.devices import list_input_devices, list_output_devices, portaudio
    except ImportError as exc:  # the audio layer is optional for the settings screen
        log.warning("audio device listing unavailable: %s", exc)
        return [], [], "", "", "Sound devices cannot be listed on this computer (PortAudio is missing)."
    try:
        with portaudio() as pa:
            inputs, outputs = list_input_devices(pa), list_output_devices(pa)
    except Exception as exc:  # a broken sound system must not break the settings screen
        log.warning("listing sound devices failed: %r", exc)
        return [], [], "", "", f"Sound devices could not be listed ({exc})."
    default_in = next((d.name for d in inputs if d.is_default), "")
    default_out = next((d.name for d in outputs if d.is_default), "")
    problem = ""
    if not inputs or not outputs:
        missing = " or ".join(w for w, found in (("microphone", inputs), ("speaker", outputs)) if not found)
        problem = f"No {missing} found. Plug one in, or practise in typing mode."
    return [d.name for d in inputs], [d.name for d in outputs], default_in, default_out, problem


def save_form(current: app_settings.Settings, form: SettingsForm) -> SaveResult:
    """Writes settings.json and the keys. Blocking: run it off the GUI thread. The settings are saved even when a
    key cannot be; the result says which key and why."""
    from desktop import secrets

    updated = apply_form(current, form)
    app_settings.save_settings(updated)
    errors: dict[str, str] = {}
    for name in form.forget:
        secrets.delete_secret(name)
    if form.key_storage != KEEP_IN_ENV:
        for name, value in form.new_secrets.items():
            value = value.strip()
            if not value or name in form.forget:
                continue
            try:
                secrets.set_secret(name, value, session_only=form.key_storage == KEEP_FOR_SESSION)
            except secrets.SecretStoreUnavailable as exc:
                errors[name] = str(exc)
    return SaveResult(updated, errors)

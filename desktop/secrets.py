"""API keys and tokens in the OS keyring (Credential Manager, Keychain, Secret Service), or the environment.

There is no plain-text fallback: on a machine with no keyring, a secret comes from the environment or is kept for
this session only, and the user is told so.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import keyring
from keyring.errors import KeyringError, NoKeyringError

SERVICE = "RoleplayTrainer"

# name in the keyring -> environment variable that overrides it
SECRETS = {
    "elevenlabs_api_key": "ELEVENLABS_API_KEY",
    "openai_api_key": "OPENAI_API_KEY",
    "backend_token": "ROLEPLAY_BACKEND_TOKEN",
}

_session_only: dict[str, str] = {}


class SecretStoreUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class KeyringStatus:
    usable: bool
    backend: str
    message: str


def _backend_name() -> str:
    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _plaintext_backend_not_chosen() -> bool:
    """keyrings.alt stores secrets in a plain file and silently becomes the default when installed (it is a test
    dependency). Only accept it when the user chose it by name."""
    return _backend_name().startswith("keyrings.alt") and not os.environ.get("PYTHON_KEYRING_BACKEND")


def keyring_status() -> KeyringStatus:
    name = _backend_name()
    if _plaintext_backend_not_chosen():
        return KeyringStatus(
            False,
            name,
            "Only a plain-text keyring is installed, and it is not used unless chosen with PYTHON_KEYRING_BACKEND. "
            "Set keys through environment variables or enter them for this session only.",
        )
    try:
        keeps = _keeps_what_it_is_given(name)
    except NoKeyringError:
        return KeyringStatus(
            False,
            name,
            "No OS keyring is available. Set keys through environment variables "
            "(ELEVENLABS_API_KEY, OPENAI_API_KEY, ROLEPLAY_BACKEND_TOKEN) or enter them for this session only.",
        )
    except KeyringError as exc:
        return KeyringStatus(False, name, f"The OS keyring refused access: {exc}. Unlock it and try again.")
    if not keeps:
        return KeyringStatus(False, name, _forgets_message(name))
    return KeyringStatus(True, name, "ok")


_PROBE = "__probe__"
_keeps_by_backend: dict[str, bool] = {}


def _keeps_what_it_is_given(name: str) -> bool:
    """Writes a throwaway value and reads it back, once per backend per process. The null backend (often set to
    stop keyring prompts) accepts every key and keeps none: "Saved." would be a lie."""
    if name not in _keeps_by_backend:
        probe = f"probe-{os.getpid()}"
        keyring.set_password(SERVICE, _PROBE, probe)
        kept = keyring.get_password(SERVICE, _PROBE) == probe
        with contextlib.suppress(KeyringError):
            keyring.delete_password(SERVICE, _PROBE)
        _keeps_by_backend[name] = kept
    return _keeps_by_backend[name]


def _forgets_message(backend: str) -> str:
    return (
        f"The keyring in use ({backend}) does not keep what it is given, so a key saved there is lost at once "
        "(PYTHON_KEYRING_BACKEND may name the null keyring). Unset it to use the OS keyring, set keys through "
        "environment variables, or enter them for this session only."
    )


def get_secret(name: str) -> str | None:
    """The environment wins, then the keyring, then a key entered for this session only."""
    env_value = os.environ.get(SECRETS[name], "").strip()
    if env_value:
        return env_value
    try:
        stored = None if _plaintext_backend_not_chosen() else keyring.get_password(SERVICE, name)
    except KeyringError:
        stored = None
    return stored or _session_only.get(name)


def set_secret(name: str, value: str, *, session_only: bool = False) -> None:
    if name not in SECRETS:
        raise KeyError(name)
    if session_only:
        _session_only[name] = value
        return
    if _plaintext_backend_not_chosen():
        raise SecretStoreUnavailable(
            f"No OS keyring is available to keep the key safely. Use it for this session only, "
            f"or set {SECRETS[name]} in the environment."
        )
    try:
        keyring.set_password(SERVICE, name, value)
        kept = keyring.get_password(SERVICE, name) == value
    except KeyringError as exc:
        raise SecretStoreUnavailable(
            f"The key could not be saved in the OS keyring ({exc}). Use it for this session only, "
            f"or set {SECRETS[name]} in the environment."
        ) from exc
    if not kept:
        raise SecretStoreUnavailable(_forgets_message(_backend_name()) + " The key was not saved.")


def delete_secret(name: str) -> None:
    _session_only.pop(name, None)
    with contextlib.suppress(KeyringError):  # nothing stored is fine
        keyring.delete_password(SERVICE, name)

"""A keyring that stores nothing (the null backend, often set to stop keyring prompts) is found out: saving a key
there says so instead of "Saved.", and `doctor` does not call it OK (issue 14, item 18)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import secrets

NULL_KEYRING = "keyring.backends.null.Keyring"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def null_keyring(monkeypatch: pytest.MonkeyPatch):
    import keyring
    from keyring.backends.null import Keyring

    saved = keyring.get_keyring()
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NULL_KEYRING)
    keyring.set_keyring(Keyring())
    yield
    keyring.set_keyring(saved)


def test_a_keyring_that_keeps_nothing_is_not_usable(null_keyring):
    status = secrets.keyring_status()
    assert status.usable is False and "does not keep what it is given" in status.message
    with pytest.raises(secrets.SecretStoreUnavailable, match="was not saved"):
        secrets.set_secret("elevenlabs_api_key", "sk_" + "ab" * 24)
    assert secrets.get_secret("elevenlabs_api_key") is None


def test_a_keyring_that_keeps_its_keys_is_usable(data_home: Path):
    assert secrets.keyring_status().usable is True  # the plain-text test keyring, chosen by name
    secrets.set_secret("openai_api_key", "sk-kept-" + "x" * 20)
    assert secrets.get_secret("openai_api_key") == "sk-kept-" + "x" * 20


def test_doctor_does_not_call_the_null_keyring_ok(data_home: Path):
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": NULL_KEYRING}
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "doctor", "--json", "--offline"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    check = next(c for c in json.loads(result.stdout)["checks"] if c["name"] == "keyring")
    assert check["status"] != "ok" and "does not keep" in check["detail"]

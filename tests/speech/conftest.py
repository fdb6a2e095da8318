"""Fixtures for the speech tests: one loaded recogniser for the module set, and a folder of espeak-ng speech."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from desktop.speech.recogniser import Recogniser


@pytest.fixture(scope="session")
def recogniser() -> Recogniser:
    return Recogniser.load(cpu_threads=2)


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("espeak-ng") is None:
        # It is in the project's apt list: a machine without it is not set up, which should fail loudly.
        subprocess.run(["apt-get", "install", "-y", "espeak-ng"], check=True, capture_output=True)
    return tmp_path_factory.mktemp("speech")

"""Installs the lowest versions pyproject.toml allows into a throwaway venv and runs the tests of the code that uses
them (issue 14, item 21: the floors said openai>=1.30 and websockets>=12, but the code needs openai 3.x, which brings
httpx2, and websockets.asyncio, new in 13).

Each `name>=X` dependency is installed as `name==X` (`==` pins stay); their own dependencies resolve as pip picks.
Everything is installed, Qt and the speech stack included, because the test suite's shared fixtures import them. It
downloads about 600 MB from PyPI and builds PyAudio, so it is a script, not part of `make test`.

Run: .venv/bin/python scripts/check_floors.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
TEST_TOOLS = ["pytest>=8", "pytest-timeout>=2.3", "pytest-qt>=4.4", "keyrings.alt>=5"]
# The tests of what the floors matter for: openai (the grader against a fake model server), httpx2 (sync, the grader's
# HTTP), websockets (the agent connection and its fake server), soxr and numpy (resampling), peewee (the store).
TESTS = [
    "tests/grading/test_llm_grader.py",
    "tests/voice/test_connection.py",
    "tests/voice/test_resample_quality.py",
    "tests/voice/test_wav_source.py",
    "tests/sync/test_sync_contract.py",
]


def floors() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = []
    for requirement in project["dependencies"]:
        match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)\s*(>=|==)\s*([^,;\s]+)", requirement)
        if match is None:
            raise SystemExit(f"no floor in {requirement!r}")
        name, _, version = match.groups()
        pins.append(f"{name}=={version}")
    return pins


def test_extras() -> list[str]:
    """The test extras the tests above import (PyYAML, jsonschema), at their floors too."""
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    wanted = []
    for requirement in extras["test"]:
        name = re.split(r"[<>=\[ ]", requirement, maxsplit=1)[0].lower()
        if name in {"pyyaml", "jsonschema"}:
            wanted.append(requirement.split("#")[0].strip().replace(">=", "=="))
    return wanted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build the venv here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="roleplay-floors-") as scratch:
        venv = args.keep or Path(scratch) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = str(venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python"))
        pins = floors() + test_extras()
        print("installing:", " ".join(pins), flush=True)
        subprocess.run([python, "-m", "pip", "install", "-q", *pins, *TEST_TOOLS], check=True)
        installed = subprocess.run([python, "-m", "pip", "freeze"], capture_output=True, text=True, check=True)
        print(installed.stdout, flush=True)
        tests = [t for t in TESTS if (ROOT / t).exists()]
        result = subprocess.run(
            [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
            cwd=ROOT,
            env={
                "PATH": f"{Path(python).parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
                "PYTHONPATH": str(ROOT),
                "HOME": scratch,
                "QT_QPA_PLATFORM": "offscreen",
            },
        )
        print("floors", "PASS" if result.returncode == 0 else "FAIL")
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())

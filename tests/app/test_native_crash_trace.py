"""A crash in native code leaves a trace in the log folder (issue 14, item 21): faulthandler is enabled into
logs/native-crash.log by the app's logging set-up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CRASH = """
import ctypes
from desktop.logging_setup import configure_logging
configure_logging()
def crashing_in_native_code():
    ctypes.string_at(0)  # reads address 0: a segmentation fault inside C, as a PortAudio or Qt bug would be
crashing_in_native_code()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGSEGV exit status is POSIX")
def test_a_segfault_leaves_the_python_stack_in_the_log_folder(data_home: Path):
    result = subprocess.run([sys.executable, "-c", CRASH], cwd=ROOT, env=os.environ, capture_output=True, timeout=60)
    assert result.returncode == -signal.SIGSEGV
    trace = (data_home / "logs" / "native-crash.log").read_text(encoding="utf-8")
    assert "Segmentation fault" in trace and "crashing_in_native_code" in trace

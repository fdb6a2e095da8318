"""The bundle leaves PyAV (FFmpeg) out; faster-whisper imports it at import time only to decode files. With PyAV
unimportable, the recogniser still loads and hears real speech, and any use of PyAV fails with a clear error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.speech.spoken import SENTENCES, speak, word_error_rate

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
sys.modules["av"] = None  # as in the bundle: `import av` raises ImportError
from desktop.speech.recogniser import Recogniser
recogniser = Recogniser.load(cpu_threads=1)
print(recogniser.transcribe(open(sys.argv[1], "rb").read()).text)
import av
try:
    av.open("x.wav")
except ModuleNotFoundError as error:
    print("refused:", error)
"""


def test_the_recogniser_works_without_pyav(tmp_path: Path) -> None:
    pcm = tmp_path / "speech.pcm"
    pcm.write_bytes(speak(SENTENCES[1], tmp_path).astype("<i2").tobytes())
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(pcm)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    heard, refused = result.stdout.strip().splitlines()
    assert word_error_rate(SENTENCES[1], heard) <= 0.25, heard
    assert refused.startswith("refused: PyAV is not part of this build")

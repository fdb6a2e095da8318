"""GUI responsiveness during a spoken call on the practice partner: the real call screen, controller and engine, and
the real partner in the same process (as the app runs it: Whisper decodes, Silero VAD, the espeak-ng voice), with a
WAV of spoken questions as the microphone (the `--mic-wav` source, paced in real time) and a virtual speaker. A 5 ms
precise timer on the GUI thread records each gap between its ticks; the stall is the gap minus 5 ms.

Targets: p99 stall under 16 ms, max under 50 ms.
Run: .venv/bin/python benchmarks/partner_gui.py [--questions 8]  (offscreen unless a display is set)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.common import median, percentile  # noqa: E402
from benchmarks.gui_call import fresh_home, place_call  # noqa: E402
from benchmarks.gui_responsiveness import PROBE_MS, TARGET_MAX_MS, TARGET_P99_MS  # noqa: E402
from tests.pcm import write_wav  # noqa: E402
from tests.speech.spoken import TRAINEE_LINES, silence, speak  # noqa: E402


def run(questions: int) -> dict:
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.core.difficulty import Difficulty
    from desktop.partner.server import PracticePartner
    from desktop.speech.system_voice import find_speech_engine
    from desktop.ui.widgets import theme
    from desktop.voice.audio.wav_source import WavAudioFactory

    app = QApplication.instance() or QApplication(sys.argv)
    app.setStyleSheet(theme.STYLESHEET)
    home = fresh_home("roleplay-partner-gui-")
    parts = [silence(3.0)]  # the greeting first
    for line in TRAINEE_LINES[:questions]:
        parts += [speak(line, home), silence(6.0)]
    wav = write_wav(home / "questions.wav", np.concatenate(parts))
    seconds = sum(p.size for p in parts) / 16000
    engine = find_speech_engine()
    partner = PracticePartner(model=None, speech=engine.synth_for(None) if engine else None)
    call = place_call(
        home,
        "rosa-delgado-bexar",
        Difficulty.BEGINNER,
        partner_factory=lambda: partner,
        audio_factory=lambda: WavAudioFactory(wav, record=False),
        connect_s=20,
    )
    gaps: list[float] = []
    ends: list[float] = []  # when each gap ended, seconds into the call: where the worst stalls fall
    clock = QElapsedTimer()
    last = [0]

    def on_probe() -> None:
        now = clock.nsecsElapsed()
        gaps.append((now - last[0]) / 1e6)
        ends.append(now / 1e9)
        last[0] = now

    probe = QTimer(interval=PROBE_MS, timerType=Qt.TimerType.PreciseTimer)
    probe.timeout.connect(on_probe)
    finish = QTimer(singleShot=True, interval=int(seconds * 1000))
    finish.timeout.connect(app.quit)
    started_cpu, started = time.process_time(), time.monotonic()
    clock.start()
    last[0] = clock.nsecsElapsed()
    probe.start()
    finish.start()
    app.exec()
    probe.stop()
    cpu = (time.process_time() - started_cpu) / (time.monotonic() - started)
    record = partner.conversations()[-1] if partner.conversations() else None
    rows = [(e.speaker, e.text) for e in call.screen.page.transcript.model.entries()]
    call.hang_up()
    stalls = [max(0.0, gap - PROBE_MS) for gap in gaps]
    return {
        "seconds": round(seconds, 1),
        "questions": questions,
        "trainee_lines_heard": record.spoken_turns if record else 0,
        "transcript_rows": len(rows),
        "stall_ms": {
            "median": round(median(stalls), 2),
            "p99": round(percentile(stalls, 0.99), 2),
            "max": round(max(stalls), 2),
            "worst_at_s": {
                f"{ends[i]:.1f}": round(stalls[i], 1) for i in sorted(range(len(stalls)), key=stalls.__getitem__)[-5:]
            },
        },
        "process_cpu_percent_of_one_core": round(cpu * 100, 1),
        "load_average": os.getloadavg()[0],
        "targets_ms": {"p99": TARGET_P99_MS, "max": TARGET_MAX_MS},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=8)
    args = parser.parse_args()
    print(json.dumps(run(args.questions), indent=2, default=str))


if __name__ == "__main__":
    main()

"""On-device recognition: model load time, real-time factor (decode seconds per audio second, median over the
utterances), word error rate on espeak-ng sentences in several voices, clean and with room noise at 20 dB SNR, and the
process's peak RSS. Silence and noise-only clips count how many phantom words got through the gate (target 0).

Run: .venv/bin/python benchmarks/speech_recognition.py [--threads 2] [--model-dir DIR]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.speech.recogniser import Recogniser  # noqa: E402
from tests.speech.spoken import (  # noqa: E402
    SENTENCES,
    room_noise,
    silence,
    speak,
    white_noise,
    with_noise,
    word_error_rate,
)

VOICES = (("en-us", 165), ("en-gb", 160), ("en-us+f3", 170), ("en-gb-x-rp", 165))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model-dir", type=Path, default=None)
    args = parser.parse_args()

    loads = []
    for _ in range(3):
        started = time.perf_counter()
        recogniser = Recogniser.load(args.model_dir, cpu_threads=args.threads)
        loads.append(time.perf_counter() - started)

    folder = Path(tempfile.mkdtemp(prefix="speech-bench-"))
    clips = [(text, speak(text, folder, voice, wpm)) for voice, wpm in VOICES for text in SENTENCES]
    rows = {}
    for label, make in (("clean", lambda s: s), ("room 20 dB", lambda s: with_noise(s, 20.0, "room"))):
        rates, rtfs = [], []
        for text, samples in clips:
            heard = recogniser.transcribe(make(samples).astype("<i2").tobytes())
            rates.append(word_error_rate(text, heard.text))
            rtfs.append(heard.decode_seconds / heard.duration)
        rows[label] = (float(np.mean(rates)), statistics.median(rtfs), len(clips))

    phantoms = 0
    for noise in (silence(3), white_noise(3, -30), room_noise(3, -25), white_noise(3, -15), room_noise(3, -15)):
        phantoms += len(recogniser.transcribe(noise.astype("<i2").tobytes()).text.split())

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"model {recogniser.model_dir.parent.name}/{recogniser.model_dir.name}, cpu_threads={args.threads}")
    print(f"load: first {loads[0]:.2f} s, then median {statistics.median(loads[1:]):.2f} s")
    print(f"{'set':<12}{'utterances':>11}{'WER':>8}{'RTF median':>12}")
    for label, (wer, rtf, count) in rows.items():
        print(f"{label:<12}{count:>11}{wer:>8.3f}{rtf:>12.3f}")
    print(f"phantom words on 5 silence/noise clips: {phantoms}")
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()

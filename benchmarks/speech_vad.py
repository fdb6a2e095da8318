"""Voice activity: Silero v6 (onnxruntime) against WebRTC VAD (modes 2 and 3) on espeak-ng sentences with pauses,
clean and with noise mixed in, and on noise alone. Accuracy is per 20 ms chunk against labels taken from the clean
speech's energy (a chunk is speech when the clean audio there is louder than -45 dBFS; pauses within a sentence
shorter than 300 ms count as speech, as a listener hears them). "Noise held" is the share of a 10 s noise-only clip
scored as speech: what would keep a turn open in a noisy room.

Run: .venv/bin/python benchmarks/speech_vad.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.speech.vad import SileroScorer, SpeechScorer, WebRtcScorer  # noqa: E402
from tests.speech.spoken import SENTENCES, room_noise, silence, speak, white_noise, with_noise  # noqa: E402

CHUNK = 320  # samples: 20 ms


def scores(scorer: SpeechScorer, samples: np.ndarray) -> tuple[np.ndarray, float]:
    scorer.reset()
    floats = samples.astype(np.float32) / 32768
    out, started = [], time.perf_counter()
    for start in range(0, floats.size - CHUNK + 1, CHUNK):
        out.append(scorer.push(floats[start : start + CHUNK]))
    return np.array(out), (time.perf_counter() - started) / max(len(out), 1) * 1000


def labels(clean: np.ndarray) -> np.ndarray:
    chunks = clean[: clean.size // CHUNK * CHUNK].reshape(-1, CHUNK).astype(np.float64)
    loud = np.sqrt(np.mean(chunks**2, axis=1)) > 32768 * 10 ** (-45 / 20)
    filled = loud.copy()
    on = np.flatnonzero(loud)
    for a, b in zip(on[:-1], on[1:], strict=True):
        if 1 < b - a <= 15:
            filled[a:b] = True
    return filled


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="vad-bench-"))
    parts = [silence(1.0)]
    for text in SENTENCES:
        parts += [speak(text, folder), silence(1.2)]
    clean = np.concatenate(parts)
    truth = labels(clean)
    sets = {
        "clean": clean,
        "room 20 dB": with_noise(clean, 20, "room"),
        "room 10 dB": with_noise(clean, 10, "room"),
        "white 10 dB": with_noise(clean, 10, "white"),
    }
    noise_only = {"room -30": room_noise(10, -30), "white -30": white_noise(10, -30), "room -20": room_noise(10, -20)}
    scorers = {"silero v6": SileroScorer(), "webrtc mode 2": WebRtcScorer(2), "webrtc mode 3": WebRtcScorer(3)}
    header = f"{'scorer':<15}" + "".join(f"{k:>13}" for k in sets) + "".join(f"{'held ' + k:>16}" for k in noise_only)
    print(f"{len(SENTENCES)} sentences, {clean.size / 16000:.0f} s; accuracy per 20 ms chunk; noise held as speech")
    print(header + f"{'ms/chunk':>10}")
    for name, scorer in scorers.items():
        row, costs = f"{name:<15}", []
        for samples in sets.values():
            got, cost = scores(scorer, samples)
            costs.append(cost)
            row += f"{float(np.mean((got >= 0.5) == truth[: got.size])):>13.3f}"
        for samples in noise_only.values():
            got, _ = scores(scorer, samples)
            row += f"{float(np.mean(got >= 0.5)):>16.2f}"
        print(row + f"{np.median(costs):>10.3f}")


if __name__ == "__main__":
    main()

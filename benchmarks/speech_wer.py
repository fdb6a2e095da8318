"""Word error rate of the on-device recogniser on trainee-like speech: 25 sentences in four espeak-ng voices and speeds
(100 utterances), clean and with room noise at 20 dB SNR, for several decode settings (greedy or beam search, with or
without the partner's vocabulary prompt). Also the median decode time per utterance, for the latency budget.

Run: .venv/bin/python benchmarks/speech_wer.py [--configs greedy,prompt,beam5] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.speech.recogniser import Recogniser  # noqa: E402
from desktop.speech.turn_detector import TurnDetector  # noqa: E402
from tests.speech.spoken import TRAINEE_LINES, as_the_partner_hears, speak, with_noise, word_error_rate  # noqa: E402

VOICES = (("en-us", 165), ("en-gb", 150), ("en-us+f3", 175), ("en-us+m3", 140))
PROMPT = (
    "A phone call. Sam asks Dale Pruitt about the land in Coal County: the acres, water and power, a well, septic, "
    "the road, back taxes, the price, a cash offer, closing."
)
CONFIGS = {
    "greedy": {"prompt": None, "beam_size": 1},
    "prompt": {"prompt": PROMPT, "beam_size": 1},
    "beam5": {"prompt": PROMPT, "beam_size": 5},
    "beam5-noprompt": {"prompt": None, "beam_size": 5},
}


def utterances(folder: Path) -> list[tuple[str, bytes, bytes]]:
    """(text, clean PCM, PCM with room noise at 20 dB SNR) for every line in every voice, each cut out by the turn
    detector as the partner would decode it (noise is mixed over the silence around the speech too)."""
    made = []
    detector = TurnDetector()
    for voice, wpm in VOICES:
        for index, text in enumerate(TRAINEE_LINES):
            samples = speak(text, folder, voice, wpm)
            clean = as_the_partner_hears(samples, detector)
            padded = np.concatenate([np.zeros(8000, np.int16), samples, np.zeros(16000, np.int16)])
            noisy_turn = as_the_partner_hears(with_noise(padded, 20.0, "room", seed=index)[8000:-16000], detector)
            made.append((text, clean, noisy_turn))
    return made


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--configs", default="greedy,prompt,beam5")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--model-dir", type=Path, default=None)
    args = parser.parse_args()
    recogniser = Recogniser.load(args.model_dir, cpu_threads=args.threads)
    clips = utterances(Path(tempfile.mkdtemp(prefix="speech-wer-")))
    print(f"{len(clips)} utterances x clean/noisy, model {recogniser.model_dir.name}, cpu_threads={args.threads}")
    print(f"{'config':<16}{'WER clean':>10}{'WER 20 dB':>10}{'decode median s':>17}{'worst line':>12}")
    for name in args.configs.split(","):
        options = CONFIGS[name]
        clean, noisy, seconds, worst = [], [], [], (0.0, "")
        for text, pcm, noisy_pcm in clips:
            heard = recogniser.transcribe(pcm, **options)
            rate = word_error_rate(text, heard.text)
            clean.append(rate)
            seconds.append(heard.decode_seconds)
            worst = max(worst, (rate, f"{text!r} -> {heard.text!r}"))
            noisy.append(word_error_rate(text, recogniser.transcribe(noisy_pcm, **options).text))
        # Corpus WER: errors over reference words, so long lines weigh as much as their words.
        print(
            f"{name:<16}{statistics.fmean(clean):>10.3f}{statistics.fmean(noisy):>10.3f}"
            f"{statistics.median(seconds):>17.2f}{worst[0]:>12.2f}"
        )
        print(f"    worst: {worst[1]}")


if __name__ == "__main__":
    main()

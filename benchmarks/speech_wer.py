"""Word error rate of the on-device recogniser on trainee-like speech: 25 sentences in four espeak-ng voices and speeds
(100 utterances), clean and with room noise at 20 dB SNR, for several decode settings (greedy or beam search, with or
without the partner's vocabulary prompt, and the decode options `recogniser.DECODE_OPTIONS` chose against). Also the
median decode time per utterance, for the latency budget.

WER is the corpus figure, as recognition is reported: all word errors over all reference words, after both texts are
brought to one written form (`tests/speech/scoring.normalise`: "$40,000" is "forty thousand dollars", "OK" is "okay",
"I'm" is "I am"), so that only words misheard count. The mean of the per-line rates is shown beside it.

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
from tests.speech.scoring import corpus_error_rate, word_error_rate  # noqa: E402
from tests.speech.spoken import TRAINEE_LINES, as_the_partner_hears, speak, with_noise  # noqa: E402

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
    # Decode options the recogniser does not use, kept to show why (see recogniser.DECODE_OPTIONS).
    "beam5-timestamps": {"prompt": PROMPT, "beam_size": 5, "without_timestamps": False},
    "beam10": {"prompt": PROMPT, "beam_size": 10},
    "beam5-patience2": {"prompt": PROMPT, "beam_size": 5, "patience": 2.0},
    "beam5-fallback": {
        "prompt": PROMPT,
        "beam_size": 5,
        "temperature": (0.0, 0.2, 0.4, 0.6),
        "compression_ratio_threshold": 2.4,
        "log_prob_threshold": -1.0,
    },
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
    print(f"{'config':<18}{'WER clean':>10}{'WER 20 dB':>10}{'(line mean)':>22}{'decode median s':>17}")
    for name in args.configs.split(","):
        options = CONFIGS[name]
        clean, noisy, seconds, worst = [], [], [], (0.0, "")
        for text, pcm, noisy_pcm in clips:
            heard = recogniser.transcribe(pcm, **options)
            clean.append((text, heard.text))
            seconds.append(heard.decode_seconds)
            worst = max(worst, (word_error_rate(text, heard.text), f"{text!r} -> {heard.text!r}"))
            noisy.append((text, recogniser.transcribe(noisy_pcm, **options).text))
        line_means = " / ".join(f"{statistics.fmean(word_error_rate(*p) for p in set_):.3f}" for set_ in (clean, noisy))
        print(
            f"{name:<18}{corpus_error_rate(clean):>10.3f}{corpus_error_rate(noisy):>10.3f}{line_means:>22}"
            f"{statistics.median(seconds):>17.2f}"
        )
        print(f"    worst line ({worst[0]:.2f}): {worst[1]}")


if __name__ == "__main__":
    main()

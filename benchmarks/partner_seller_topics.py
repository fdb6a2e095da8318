"""Does the rule-played seller answer what it was asked? Each turn of the labelled set (tests/partner/seller_turns.py),
typed and as the on-device recogniser heard it, goes to a fresh seller of every built-in persona at two difficulties;
the answer must address every topic the turn is labelled with. Prints the share on topic, per topic, and the misses.

Run: .venv/bin/python benchmarks/partner_seller_topics.py [--refresh] [--misses 30]
--refresh speaks every typed turn with espeak-ng, cuts it out with the turn detector as the partner does, and stores
what the recogniser heard (a few minutes).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.partner.seller_turns import HELD_OUT, LABELLED, RECOGNISED_PATH, measure, recognised  # noqa: E402


def refresh() -> None:
    from types import SimpleNamespace

    from desktop.core.personas import load_builtin_personas
    from desktop.partner.hearing import vocabulary_prompt
    from desktop.speech.recogniser import Recogniser
    from tests.speech.spoken import as_the_partner_hears, speak

    # The prompt the partner gives the recogniser on a call with Dale, the trainee named Sam.
    dale = next(p for p in load_builtin_personas() if p.id == "dale-pruitt-coal-county")
    prompt = vocabulary_prompt(SimpleNamespace(persona=dale, trainee_name="Sam"))
    recogniser = Recogniser.load(cpu_threads=1)
    folder = Path(tempfile.mkdtemp(prefix="seller-turns-"))
    heard = {}
    for typed, _ in LABELLED + HELD_OUT:
        pcm = as_the_partner_hears(speak(typed, folder))
        heard[typed] = recogniser.transcribe(pcm, prompt=prompt, beam_size=5).text  # as the partner's final decode
    RECOGNISED_PATH.write_text(json.dumps(heard, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--refresh", action="store_true")
    parser.add_argument("--misses", type=int, default=30)
    args = parser.parse_args()
    if args.refresh:
        refresh()
    runs = (
        ("typed", None, LABELLED),
        ("recognised", recognised(), LABELLED),
        ("held-out typed", None, HELD_OUT),
        ("held-out recognised", recognised(), HELD_OUT),
    )
    for label, heard, turns in runs:
        started = time.perf_counter()
        hits, total, missed, examples = measure(heard, turns)
        elapsed = (time.perf_counter() - started) / total * 1000
        print(f"{label}: {hits}/{total} on topic = {hits / total:.1%} ({len(turns)} turns x 15 personas x 2 levels)")
        print(f"  {elapsed:.2f} ms per reply; misses by topic: {dict(missed.most_common())}")
        for line in examples[: args.misses]:
            print("   ", line)


if __name__ == "__main__":
    main()

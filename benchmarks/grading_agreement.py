"""How far the rule grader agrees with the labelled calls in tests/core/labelled: objections raised (strict, as a
share of the union of labelled and found (objection, line) pairs), objections answered (same verdict at the same
line), skill bands (poor / fair / good / strong) and objection tips pointing at the right line.

Floors (issue 15): raised >= 95 %, answered >= 90 %, bands >= 85 %. The held-out calls (holdout_calls.txt, written
after the rules were tuned on the rest) show how far the figures carry to calls the rules were not fitted on; the
30 new calls (new_calls.txt) were labelled and committed before the grader was run on them (before the band rules
were reworked: bands 54.2 % on them, 62.5 % held out). The floors are held on the whole set. The 27 fresh calls
(fresh_calls.txt) were labelled and committed before the grader saw them and the rules are not tuned on them: their
line is the honest figure for calls the grader has not seen (first measured at raised 77.8 %, answered 82.4 %, bands
67.6 %; the rules were then made more general, not fitted per call, and the old set re-measured with them).
The spoken calls (tests/core/labelled/spoken.py) are some of the labelled calls with every trainee line as the
on-device recogniser heard it spoken by espeak-ng, measured against the same labels. Both spoken sets are also
spoken by another voice per call; those are counted and never listed, so their slips stay unseen by the rules.
Run: .venv/bin/python benchmarks/grading_agreement.py [--misses] to list each disagreement; --refresh-spoken speaks
and recognises the spoken calls' trainee lines again and rewrites their cache (a few minutes).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop.core.results import SCORE_NAMES  # noqa: E402
from tests.core.discovery_questions import reading  # noqa: E402
from tests.core.labelled import band_of, fresh_calls, holdout_calls, labelled_calls, new_calls  # noqa: E402
from tests.core.labelled.agreement import grade_labelled, measure  # noqa: E402
from tests.core.labelled.spoken import (  # noqa: E402
    FRESH_SPOKEN_CALLS,
    FRESH_SPOKEN_PATH,
    OTHER_VOICE_PATHS,
    OTHER_VOICE_SHIFT,
    SPOKEN_CALLS,
    fresh_spoken_calls,
    refresh,
    spoken_calls,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list every disagreement")
    parser.add_argument("--refresh-spoken", action="store_true", help="recognise the spoken calls again (minutes)")
    args = parser.parse_args()
    if args.refresh_spoken:
        started = time.perf_counter()
        folder = Path(tempfile.mkdtemp(prefix="spoken-calls-"))
        refresh(folder)
        refresh(folder, FRESH_SPOKEN_PATH, FRESH_SPOKEN_CALLS)
        for names, path in OTHER_VOICE_PATHS.items():
            refresh(folder, path, names, shift=OTHER_VOICE_SHIFT)
        print(f"spoken calls recognised again in {time.perf_counter() - started:.0f} s")
    calls = labelled_calls()
    result = measure(calls)
    raisings = sum(len(c.raisings) for c in calls)
    print(f"labelled calls: {len(calls)} ({sum(c.voice for c in calls)} with speech timing), {raisings} raisings")
    print(f"raised    {result.raised:6.1%}  ({result.raised_both}/{result.raised_either})   floor 95 %")
    print(f"answered  {result.answered:6.1%}  ({result.answered_agree}/{result.answered_total})   floor 90 %")
    print(f"bands     {result.bands:6.1%}  ({result.bands_agree}/{result.bands_total})   floor 85 %")
    print(f"tips      {result.tips:6.1%}  ({result.tips_right}/{result.tips_total} objection tips at the right line)")
    for skill in SCORE_NAMES:
        agree = sum(band_of(getattr(grade_labelled(c).grade, skill)) == c.bands[skill][0] for c in calls)
        print(f"  {skill:<20} {agree}/{len(calls)}")
    held = measure(holdout_calls())
    new = measure(new_calls())
    whole = measure(calls + holdout_calls() + new_calls())
    fresh = measure(fresh_calls())
    for label, part, count in (
        ("held out (8, written after the first tuning)", held, len(holdout_calls())),
        ("new (30, labelled and committed before the grader saw them)", new, len(new_calls())),
        ("whole set", whole, len(calls) + len(holdout_calls()) + len(new_calls())),
        ("fresh held out (27, labelled before the grader saw them, never tuned on)", fresh, len(fresh_calls())),
    ):
        print(
            f"{label}: {count} calls, raised {part.raised:.1%} ({part.raised_both}/{part.raised_either}), answered"
            f" {part.answered:.1%} ({part.answered_agree}/{part.answered_total}), bands {part.bands:.1%}"
            f" ({part.bands_agree}/{part.bands_total})"
        )
    spoken = spoken_calls()
    heard = measure(spoken)
    typed_twins = measure(tuple(c for c in calls + holdout_calls() + new_calls() if c.name in SPOKEN_CALLS))
    fresh_heard = measure(fresh_spoken_calls()) if FRESH_SPOKEN_PATH.exists() else None
    # Counted only, never listed: their misses stay unread, so no rule is fitted to them.
    other_voice = {names: measure(spoken_calls(path, names)) for names, path in OTHER_VOICE_PATHS.items()}
    for label, part, count in (
        ("spoken (recognised)", heard, len(spoken)),
        ("same calls typed", typed_twins, len(spoken)),
        ("fresh held out spoken (recognised)", fresh_heard, len(FRESH_SPOKEN_CALLS)),
        ("spoken by another voice", other_voice[SPOKEN_CALLS], len(SPOKEN_CALLS)),
        ("fresh spoken by another voice", other_voice[FRESH_SPOKEN_CALLS], len(FRESH_SPOKEN_CALLS)),
    ):
        if part is None:
            continue
        print(
            f"{label}: {count} calls, raised {part.raised:.1%} ({part.raised_both}/{part.raised_either}),"
            f" answered {part.answered:.1%} ({part.answered_agree}/{part.answered_total}), bands {part.bands:.1%}"
            f" ({part.bands_agree}/{part.bands_total})"
        )
    # Discovery topics read on a set the grader was not built on: the seller's labelled trainee questions.
    for label, held_out in (("the seller's labelled questions", False), ("the seller's held-out questions", True)):
        typed, heard = reading(held_out=held_out), reading(held_out=held_out, heard=True)
        print(
            f"discovery topics read, {label}: typed {typed.share:.1%} ({typed.read}/{typed.total}),"
            f" heard {heard.share:.1%} ({heard.read}/{heard.total})"
        )
    if args.misses:
        print("\n".join(whole.misses))
        print("fresh:\n" + "\n".join(fresh.misses))
        print("spoken:\n" + "\n".join(heard.misses))
        if fresh_heard is not None:
            print("fresh spoken:\n" + "\n".join(fresh_heard.misses))
    ok = whole.raised >= 0.95 and whole.answered >= 0.90 and whole.bands >= 0.85
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

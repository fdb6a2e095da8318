"""The spoken version of the labelled set: some of the labelled calls with each trainee line as the on-device
recogniser heard it spoken, graded against the same labels.

The trainee lines are spoken by espeak-ng (one voice and speed per call, as one trainee would say them), cut out by
the turn detector as the partner does, and decoded by the shipped tiny.en with the partner's vocabulary prompt and
its final beam (as `desktop.partner.hearing` decodes a finished turn). Recognition takes minutes, so what was heard
is kept in `spoken_recognised.json` beside this file; `benchmarks/grading_agreement.py --refresh-spoken` makes it
again, and a test checks the file still holds the typed set's lines, so an edited call cannot go stale silently.

A spoken call is a voice call: its lines are re-timed from the words heard. The seller's lines stay as typed (the
partner speaks them from text), and the labels (lines raised and answered, bands) are the typed call's: the line
numbers do not move, since each trainee line is replaced by what was heard, or by nothing when nothing was.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from types import SimpleNamespace

from desktop.core.transcript import Speaker
from tests.core.labelled import HERE, LabelledCall, _timed, fresh_calls, holdout_calls, labelled_calls, new_calls

SPOKEN_PATH = HERE / "spoken_recognised.json"
# The fresh held-out calls spoken too: how far grading carries to spoken calls the rules were not built on.
FRESH_SPOKEN_PATH = HERE / "spoken_fresh_recognised.json"

# Chosen so that every objection kind of the personas is raised, every persona is called, weak and strong trainees
# both speak, and typed and voice calls are both represented; the names are the labelled calls'.
SPOKEN_CALLS = (
    "dale-1",
    "rosa-3",
    "linda-2",
    "frank-1",
    "tammy-1",
    "curtis-2",
    "martin-1",
    "catherine-1",
    "marcus-3",
    "jennifer-1",
    "earl-3",
    "priya-2",
    "bud-1",
    "denise-3",
    "ray-3",
    "n-dale-2",
    "n-bud-1",
    "n-tammy-1",
)
FRESH_SPOKEN_CALLS = tuple(call.name for call in fresh_calls())
# Both sets spoken again, each call by the next-but-one voice of VOICES: recognition slips that no rule was read on
# (the rules were tuned by reading the misses of the first recognition; these were only ever counted).
OTHER_VOICE_SHIFT = 2
OTHER_VOICE_PATHS = {
    SPOKEN_CALLS: HERE / "spoken_other_voice.json",
    FRESH_SPOKEN_CALLS: HERE / "spoken_fresh_other_voice.json",
}
# (espeak-ng voice, words a minute), taken in turn per call: the voices the speech benchmarks use.
VOICES = (("en-us", 165), ("en-gb", 160), ("en-us+f3", 170), ("en-us+m3", 150))
BEAM_SIZE = 5  # the partner's final decode of a finished turn


def every_call() -> dict[str, LabelledCall]:
    return {call.name: call for call in labelled_calls() + holdout_calls() + new_calls() + fresh_calls()}


def typed_trainee_lines(call: LabelledCall) -> list[tuple[int, str]]:
    return [(line.seq, line.text) for line in call.lines if line.speaker == Speaker.TRAINEE]


def load_cache(path: Path = SPOKEN_PATH) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def heard_call(call: LabelledCall, heard: dict[int, str]) -> LabelledCall:
    """The call with each trainee line replaced by what was heard (by seq), re-timed as a voice call."""
    said = [
        (line.speaker, heard.get(line.seq, line.text) if line.speaker == Speaker.TRAINEE else line.text)
        for line in call.lines
    ]
    return replace(call, name=f"{call.name} (spoken)", voice=True, lines=tuple(_timed(said)))


@cache
def spoken_calls(path: Path = SPOKEN_PATH, names: tuple[str, ...] = SPOKEN_CALLS) -> tuple[LabelledCall, ...]:
    """The spoken calls from the cache, in the order of `names`."""
    cached = load_cache(path)["calls"]
    calls = every_call()
    return tuple(heard_call(calls[name], {row["seq"]: row["heard"] for row in cached[name]["lines"]}) for name in names)


def fresh_spoken_calls() -> tuple[LabelledCall, ...]:
    return spoken_calls(FRESH_SPOKEN_PATH, FRESH_SPOKEN_CALLS)


def stale_entries(cached: dict, names: tuple[str, ...] = SPOKEN_CALLS) -> list[str]:
    """Where the cache no longer matches the typed set: a call missing or extra, or a trainee line changed."""
    problems: list[str] = []
    calls = every_call()
    if set(cached) != set(names):
        problems.append(f"calls differ: missing {set(names) - set(cached)}, extra {set(cached) - set(names)}")
    for name in names:
        if name not in cached or name not in calls:
            continue
        typed = typed_trainee_lines(calls[name])
        stored = [(row["seq"], row["typed"]) for row in cached[name]["lines"]]
        if typed != stored:
            problems.append(f"{name}: trainee lines changed since the cache was made")
    return problems


def vocabulary_prompt_for(call: LabelledCall) -> str:
    """The prompt the partner gives the recogniser on a call with this persona (the trainee's name unset)."""
    from desktop.core.personas import load_builtin_personas
    from desktop.partner.hearing import vocabulary_prompt

    persona = next(p for p in load_builtin_personas() if p.id == call.persona_id)
    return vocabulary_prompt(SimpleNamespace(persona=persona, trainee_name=""))


def hear(recogniser, text: str, voice: str, words_per_minute: int, prompt: str, folder: Path) -> str:
    """What the recogniser makes of `text` spoken by espeak-ng, cut out as the partner cuts a turn."""
    from tests.speech.spoken import as_the_partner_hears, speak

    pcm = as_the_partner_hears(speak(text, folder, voice=voice, words_per_minute=words_per_minute))
    return recogniser.transcribe(pcm, prompt=prompt, beam_size=BEAM_SIZE).text


def voice_of(name: str, shift: int = 0) -> tuple[str, int]:
    names = SPOKEN_CALLS if name in SPOKEN_CALLS else FRESH_SPOKEN_CALLS
    return VOICES[(names.index(name) + shift) % len(VOICES)]


def refresh(
    folder: Path, path: Path = SPOKEN_PATH, names: tuple[str, ...] = SPOKEN_CALLS, progress=print, shift: int = 0
) -> None:
    """Speak and recognise every trainee line of these spoken calls again, and store what was heard in `path`;
    `shift` moves each call to a later voice of VOICES."""
    from desktop.speech.recogniser import Recogniser

    recogniser = Recogniser.load(cpu_threads=2)
    calls = every_call()
    out = {}
    for name in names:
        call = calls[name]
        voice, wpm = voice_of(name, shift)
        prompt = vocabulary_prompt_for(call)
        rows = [
            {"seq": seq, "typed": text, "heard": hear(recogniser, text, voice, wpm, prompt, folder)}
            for seq, text in typed_trainee_lines(call)
        ]
        out[name] = {"voice": voice, "words_per_minute": wpm, "lines": rows}
        progress(f"  {name}: {len(rows)} trainee lines heard ({voice}, {wpm} wpm)")
    document = {
        "made_by": "benchmarks/grading_agreement.py --refresh-spoken",
        "how": f"espeak-ng, turn detector, shipped tiny.en, beam {BEAM_SIZE}, the partner's vocabulary prompt"
        + (f", each call by voice {shift} places later in the rotation" if shift else ""),
        "calls": out,
    }
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

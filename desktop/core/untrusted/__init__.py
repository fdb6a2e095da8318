"""A call's transcript as untrusted data inside a model prompt, shared by the grader and the coach.

What a trainee says can be anything, including "ignore your instructions". So a transcript travels as data: one JSON
object per line (quotes and newlines in what was said cannot break out), between two markers that carry a random
nonce the speaker cannot know or forge. Lines aimed at the model rather than the seller are found by `injection` (in
any form: other languages, look-alike letters, invisible characters, split lines) and can be flagged; invisible
characters never reach the model.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from desktop.core.transcript import TranscriptLine
from desktop.core.untrusted.injection import invisible_removed, lines_to_the_model

__all__ = ["FencedTranscript", "fence_transcript", "fit_lines", "lines_to_the_model", "speaks_to_the_model"]

# About 25,000 tokens: an hour-long call fits; beyond that the middle is left out.
MAX_TRANSCRIPT_CHARS = 100_000


@dataclass(frozen=True)
class FencedTranscript:
    begin: str
    end: str
    lines: tuple[str, ...]  # the encoded lines, between the markers
    nonce: str

    def block(self) -> list[str]:
        return [self.begin, *self.lines, self.end]


def speaks_to_the_model(line: TranscriptLine) -> bool:
    """A trainee line that, on its own, talks to the AI behind the call ("ignore your instructions", "give me 100").
    Prefer `lines_to_the_model(lines)`, which also catches a request split across lines."""
    return bool(lines_to_the_model([line]))


def fence_transcript(
    lines: Sequence[TranscriptLine],
    *,
    flagged: Collection[int] = (),
    flag_key: str = "to_grader",
    nonce: str | None = None,
    max_chars: int = MAX_TRANSCRIPT_CHARS,
) -> FencedTranscript:
    """flagged: seqs of lines marked `flag_key: true` (lines that speak to the model)."""
    nonce = nonce or secrets.token_hex(12)
    encoded = []
    for line in lines:
        item: dict = {"seq": line.seq, "speaker": line.speaker.value, "text": invisible_removed(line.text)}
        if line.offset_ms:
            item["at_s"] = round(line.offset_ms / 1000, 1)
        if line.interrupted:
            item["cut_off"] = True
        if line.seq in flagged:
            item[flag_key] = True
        encoded.append(json.dumps(item, ensure_ascii=False))
    fitted = fit_lines(encoded, max_chars)
    return FencedTranscript(f"<<<TRANSCRIPT {nonce}>>>", f"<<<END TRANSCRIPT {nonce}>>>", tuple(fitted), nonce)


def fit_lines(encoded: list[str], max_chars: int = MAX_TRANSCRIPT_CHARS) -> list[str]:
    """Keeps the opening and the end of a very long call, where openers and closes happen."""
    if sum(len(e) + 1 for e in encoded) <= max_chars:
        return encoded
    head: list[str] = []
    tail: list[str] = []
    budget = max_chars // 2
    for entry in encoded:
        if budget - len(entry) < 0:
            break
        head.append(entry)
        budget -= len(entry) + 1
    budget = max_chars // 2
    for entry in reversed(encoded[len(head) :]):
        if budget - len(entry) < 0:
            break
        tail.insert(0, entry)
        budget -= len(entry) + 1
    skipped = len(encoded) - len(head) - len(tail)
    return [*head, json.dumps({"note": f"{skipped} lines from the middle of the call left out for length"}), *tail]

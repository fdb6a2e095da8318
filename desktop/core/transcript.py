"""Transcript lines of a call, and the live model that turns partial lines into final ones."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Speaker(str, Enum):
    TRAINEE = "trainee"
    SELLER = "seller"
    COACH = "coach"


# The longest line kept: about five minutes of speech. A hostile or broken agent once sent 100 lines of 1 MB each;
# the call cuts a longer line before it reaches the store (voice/call/lines.py), a trainee's correction after the call
# may not be longer, and sync refuses longer heard words.
MAX_LINE_CHARS = 4000


@dataclass(frozen=True)
class TranscriptLine:
    """One final line: who spoke, what was said, and when, relative to the call's connect time."""

    seq: int
    speaker: Speaker
    text: str
    offset_ms: int = 0
    duration_ms: int = 0
    interrupted: bool = False

    @property
    def end_ms(self) -> int:
        return self.offset_ms + self.duration_ms

    def to_dict(self) -> dict:
        return {
            "seq": self.seq,
            "speaker": self.speaker.value,
            "text": self.text,
            "offset_ms": self.offset_ms,
            "duration_ms": self.duration_ms,
            "interrupted": self.interrupted,
        }

    @classmethod
    def from_dict(cls, data: dict) -> TranscriptLine:
        return cls(
            seq=int(data["seq"]),
            speaker=Speaker(data["speaker"]),
            text=str(data["text"]),
            offset_ms=int(data.get("offset_ms", 0)),
            duration_ms=int(data.get("duration_ms", 0)),
            interrupted=bool(data.get("interrupted", False)),
        )


def why_line_stays_as_heard(*, mode: str, active: bool, practice: bool, line: TranscriptLine) -> str:
    """Why this line of a call cannot be corrected after the call, in the user's words; "" when it can. One rule for
    the store, which refuses, and the review, which says why its action is off: only the trainee's own spoken lines
    of a finished practice call, since only those were heard by a recogniser and are the trainee's to put right."""
    if mode != "voice":
        return "This call was typed: your lines are exactly what you typed, so nothing was misheard."
    if not practice:
        # Correcting an exam afterwards would rewrite its grade, and an assignment's pass mark with it.
        return "This call was an exam: it is graded on what was heard during the call, so its lines stay as heard."
    if active:
        return "This call is still in progress; its lines can be corrected once it ends."
    if line.speaker != Speaker.TRAINEE:
        return "Only your own lines can be corrected: this line is what the other side said."
    if line.duration_ms <= 0:  # how a voice call stores a line typed into it (the analytics count it so too)
        return "You typed this line during the call, so nothing was misheard."
    return ""

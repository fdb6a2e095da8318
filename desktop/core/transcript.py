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

"""What the practice partner knows of its own voice, so that the seller's words coming back through the trainee's
speakers into their microphone are not taken for the trainee's.

The partner streams each line a little ahead of real time, so it knows when the trainee's speaker plays it (to within
the client's buffering) and which words it holds. Two checks use that:
- timing: a turn that opens while the seller's audio plays, or just after (room echo, the device's own delay), is
  suspect until its words are known;
- words: a suspect turn whose words are mostly the seller's recent words is the seller's echo and is dropped; any
  other is the trainee talking over the seller (a real barge-in).
A trainee on a headset never produces echo turns; once a call has shown none, a turn that opens well into a line is a
barge-in at once, without waiting for its words.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

# After the last sample the partner sent has played, echo can still arrive: the client's jitter buffer, the sound
# device's own latency and the capture chunking, together some 0.2-0.6 s.
ECHO_TAIL_S = 0.9
# Echo of a line reaches the microphone within this of the line starting; a turn opening later, in a call that has
# shown no echo, is the trainee.
ECHO_ONSET_S = 0.8
# Share of a suspect turn's words found in what the seller said recently, above which the turn is the seller's echo.
ECHO_WORD_SHARE = 0.6
RECENT_LINES = 4
_WORD_RE = re.compile(r"[a-z0-9']+")


def words_of(text: str) -> list[str]:
    return _WORD_RE.findall(text.lower().replace("’", "'"))


@dataclass
class _Played:
    words: frozenset[str]
    started: float
    ends: float  # when its audio is expected to have finished playing at the trainee's end


class EchoGuard:
    """Fed by the speaking side (`playing`, `cut`) and asked by the hearing side (`suspect`, `is_echo`)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lines: deque[_Played] = deque(maxlen=RECENT_LINES)
        self.echo_turns = 0  # turns judged to be the seller's own voice in this call

    def playing(self, text: str, started: float, seconds: float) -> None:
        """A line (or the next sentence of one) starts streaming at `started` and lasts `seconds` of audio."""
        line = _Played(frozenset(words_of(text)), started, started + seconds)
        if self._lines and self._lines[-1].ends >= started - 0.05 and self._lines[-1].started <= started:
            # The next sentence of the same line: one continuous stretch of sound.
            last = self._lines[-1]
            self._lines[-1] = _Played(last.words | line.words, last.started, max(last.ends, line.ends))
        else:
            self._lines.append(line)

    def cut(self, at: float | None = None) -> None:
        """The line stopped (barge-in): nothing more of it plays after `at`, apart from what is buffered."""
        if self._lines:
            now = self._clock() if at is None else at
            self._lines[-1].ends = min(self._lines[-1].ends, now)

    def is_playing(self, at: float | None = None) -> bool:
        """True while the seller's audio plays or may still be echoing."""
        now = self._clock() if at is None else at
        return bool(self._lines) and self._lines[-1].started <= now <= self._lines[-1].ends + ECHO_TAIL_S

    def seller_audible(self, at: float | None = None) -> bool:
        """True while the seller's audio itself is still playing (not just its echo tail): a turn now talks over it."""
        now = self._clock() if at is None else at
        return bool(self._lines) and self._lines[-1].started <= now <= self._lines[-1].ends

    def suspect(self, opened_at: float) -> bool:
        """Whether a turn opening at `opened_at` might be echo, so its words must be known before it counts."""
        if not self.is_playing(opened_at):
            return False
        if self.echo_turns:
            return True  # this trainee's speakers do leak into the microphone
        return opened_at - self._lines[-1].started < ECHO_ONSET_S

    def is_echo(self, text: str) -> bool:
        """Whether heard words are mostly the seller's recent words. Counts the echo when so."""
        heard = words_of(text)
        if not heard:
            return False
        said = frozenset().union(*(line.words for line in self._lines)) if self._lines else frozenset()
        share = sum(word in said for word in heard) / len(heard)
        if share >= ECHO_WORD_SHARE:
            self.echo_turns += 1
            return True
        return False

"""What the practice partner knows of its own voice, so that the seller's words coming back through the trainee's
speakers into their microphone are not taken for the trainee's.

The partner streams each line a little ahead of real time, so it knows when the trainee's speaker plays it (to within
the client's buffering), how loud each moment of it is, and which words it holds. Three checks use that:
- timing: a turn that opens while the seller's audio plays, or just after (room echo, the device's own delay), is
  suspect until it is judged;
- shape: a suspect turn whose loudness rises and falls with what was played, some delay later, is the echo (this
  holds when the recogniser garbles the echo, as tiny.en does at -12 dB through laptop speakers);
- words: a suspect turn whose words are mostly the seller's recent words is the echo. Any other suspect turn is the
  trainee talking over the seller (a real barge-in). The echo is dropped.
A trainee on a headset never produces echo turns; once a call has shown none, a turn that opens well into a line is a
barge-in at once, without waiting for its words.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# After the last sample the partner sent has played, echo can still arrive: the client's jitter buffer, the sound
# device's own latency, the capture chunking and the turn detector's start delay, together some 0.3-0.8 s.
ECHO_TAIL_S = 1.2
# Echo of a line reaches the microphone within this of the line starting; a turn opening later, in a call that has
# shown no echo, is the trainee.
ECHO_ONSET_S = 0.8
# Share of a suspect turn's words found in what the seller said recently, above which the turn is the seller's echo.
ECHO_WORD_SHARE = 0.6
RECENT_LINES = 4
# Words (not little ones) a tentative decode needs to clear a suspect turn as the trainee's: the first decode of an echo
# through laptop speakers is often garbled into two words the seller never said, and clearing on those let the rest of
# the echo through as a trainee line.
MIN_WORDS_TO_CLEAR = 3
# Correlation of a turn's loudness with the played audio's (best over the delays below) above which it is echo.
# Measured through the private PulseAudio loopback at -12 dB: the echo 0.95-0.99, the trainee after the line 0.0;
# two different voices speaking at once can reach 0.6-0.8 by chance over a second or so, so the bar sits above that.
ECHO_SHAPE = 0.85
# Frames of the seller sounding needed before the loudness comparison counts (1 s): over half a second, a trainee who
# asks a question 0.2 s into the greeting correlated above the bar by chance on a fresh-clone run (the first decodes
# come at 0.45 and 0.65 s of a turn), and the question was dropped as echo in a call with no speakers at all.
MIN_SHAPE_FRAMES = 50
MAX_ECHO_DELAY_S = 1.2
FRAME_S = 0.02
KEEP_S = 20.0
_WORD_RE = re.compile(r"[a-z0-9']+")
_LITTLE_WORDS = frozenset(
    "a an the and or but so to of in on at for with is are was were be been am i you he she it we they me my your "
    "his her its our their this that these those do does did have has had will would can could should if as by "
    "from up out about just not no yes oh well okay ok um uh".split()
)


def words_of(text: str) -> list[str]:
    return _WORD_RE.findall(text.lower().replace("’", "'"))


class _Envelope:
    """Loudness in dB every 20 ms, stamped with when it played (or was heard); the last `KEEP_S` seconds only."""

    def __init__(self) -> None:
        self.times: deque[float] = deque(maxlen=int(KEEP_S / FRAME_S))
        self.levels: deque[float] = deque(maxlen=int(KEEP_S / FRAME_S))

    def add(self, pcm: bytes, first_at: float) -> None:
        step = int(16000 * FRAME_S)
        samples = np.frombuffer(pcm[: len(pcm) // (2 * step) * 2 * step], dtype="<i2").astype(np.float32)
        if not samples.size:
            return
        rms = np.sqrt(np.mean(np.square(samples.reshape(-1, step) / 32768.0), axis=1))
        for index, level in enumerate(20 * np.log10(np.maximum(rms, 1e-4))):
            self.times.append(first_at + index * FRAME_S)
            self.levels.append(float(level))

    def between(self, start: float, end: float) -> tuple[np.ndarray, np.ndarray]:
        times = np.fromiter(self.times, dtype=np.float64)
        levels = np.fromiter(self.levels, dtype=np.float64)
        keep = (times >= start) & (times <= end)
        return times[keep], levels[keep]


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
        self._played = _Envelope()
        self._heard = _Envelope()
        self.echo_turns = 0  # turns judged to be the seller's own voice in this call

    def playing(self, text: str, started: float, seconds: float, pcm: bytes = b"") -> None:
        """A line (or the next sentence of one) starts playing at `started` and lasts `seconds` of audio (`pcm`)."""
        self._played.add(pcm, started)
        line = _Played(frozenset(words_of(text)), started, started + seconds)
        if self._lines and self._lines[-1].ends >= started - 0.05 and self._lines[-1].started <= started:
            # The next sentence of the same line: one stretch of sound, which ends no sooner than it was sent.
            last = self._lines[-1]
            ends = max(last.ends, line.ends, last.ends + seconds)
            self._lines[-1] = _Played(last.words | line.words, last.started, ends)
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

    def heard(self, pcm: bytes, arrived_at: float) -> None:
        """Microphone audio as it reached the partner (its last sample at `arrived_at`)."""
        self._heard.add(pcm, arrived_at - len(pcm) / 32000)

    def resembles_playback(self, since: float, until: float | None = None) -> float:
        """How closely the microphone's loudness since `since` follows the played audio's, some delay later: the best
        correlation over delays up to `MAX_ECHO_DELAY_S` (0 when nothing was played then)."""
        until = self._clock() if until is None else until
        times, heard = self._heard.between(since, until)
        played_times, played = self._played.between(since - MAX_ECHO_DELAY_S, until)
        if times.size < 10 or played_times.size < 10 or np.ptp(heard) < 6.0:
            return 0.0
        best = 0.0
        for delay in np.arange(0.0, MAX_ECHO_DELAY_S + 1e-9, FRAME_S):
            # Silence between played sentences is no sample of the line's shape: gaps read as quiet.
            reference = np.interp(times - delay, played_times, played, left=-80.0, right=-80.0)
            # Only the frames where the seller was sounding: before and after the line, the microphone going from
            # quiet to speech correlates with ANY line starting then, so a trainee who talks over the seller's first
            # words would read as echo. An echo follows the line's syllables inside it.
            sounding = reference > -70.0
            if sounding.sum() < MIN_SHAPE_FRAMES:
                continue
            inside_heard, inside_reference = heard[sounding], reference[sounding]
            if np.ptp(inside_reference) < 6.0 or np.ptp(inside_heard) < 6.0:
                continue
            best = max(best, float(np.corrcoef(inside_heard, inside_reference)[0, 1]))
        return best

    def is_echo(self, text: str, *, final: bool = False, since: float | None = None) -> bool | None:
        """Whether a suspect turn is the seller's echo: its loudness follows the played audio's (`since` the turn
        began), or its words are mostly the seller's recent words (counting the echo when so); None when too few
        words were heard to tell: the next decode of the turn decides. Little words ("the", "a", "have") are in every
        line, so only the others count; a final decode with fewer than two of them is judged on all its words. A
        tentative decode clears a turn as the trainee's only on `MIN_WORDS_TO_CLEAR` of them."""
        if since is not None and self.resembles_playback(since) >= ECHO_SHAPE:
            self.echo_turns += 1
            return True
        heard = words_of(text)
        content = [word for word in heard if word not in _LITTLE_WORDS]
        if len(content) < 2 and not final:
            return None
        counted = content if len(content) >= 2 else heard
        if not counted:
            return False
        said = frozenset().union(*(line.words for line in self._lines)) if self._lines else frozenset()
        share = sum(word in said for word in counted) / len(counted)
        if share >= ECHO_WORD_SHARE:
            self.echo_turns += 1
            return True
        if len(content) < MIN_WORDS_TO_CLEAR and not final:
            return None  # two garbled words of an echo ("As far as you") are no proof of the trainee: hear more
        return False

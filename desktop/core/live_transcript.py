"""The in-call transcript: tentative lines per speaker, final lines with sequence numbers, and corrections.

The call engine feeds this model what the speech services report. Partial (tentative) text for a speaker is
replaced, never appended, until the final line arrives; final lines get increasing sequence numbers; an agent line
the trainee cut off is shortened to what was actually heard. Each change returns a small immutable event so the
caller can persist it (every final line is written before the screen shows it) and hand it across threads.

Pure Python and single-threaded by design: the call thread owns one instance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from desktop.core.transcript import Speaker, TranscriptLine

# The seller and the practice coach are voiced by the agent; only their lines can be cut off by the trainee.
AGENT_SPEAKERS = frozenset({Speaker.SELLER, Speaker.COACH})


@dataclass(frozen=True)
class LinePartial:
    """Tentative text for a speaker; it replaces the previous partial of that speaker and has no seq yet."""

    speaker: Speaker
    text: str
    offset_ms: int = 0


@dataclass(frozen=True)
class LineFinalized:
    """A line became final. The live transcript yields it to be stored; the call reports it once it is stored."""

    line: TranscriptLine


@dataclass(frozen=True)
class LineCorrected:
    """A final agent line was cut to what the trainee heard; `line` keeps its seq and replaces the stored one."""

    line: TranscriptLine
    previous_text: str


def _clean(text: str) -> str:
    # Speech services pad and double-space; comparisons and storage both want one canonical form.
    return " ".join(text.split())


class LiveTranscript:
    """Final lines ordered by seq plus at most one partial line per speaker."""

    def __init__(self, lines: Iterable[TranscriptLine] = (), *, first_seq: int = 1) -> None:
        # Starting from stored lines lets an interrupted call resume without reusing a seq number.
        self._lines: list[TranscriptLine] = sorted(lines, key=lambda line: line.seq)
        seqs = [line.seq for line in self._lines]
        if len(set(seqs)) != len(seqs):
            raise ValueError("transcript lines must have unique seq numbers")
        self._next_seq = max([first_seq, *(seq + 1 for seq in seqs)])
        self._index = {line.seq: i for i, line in enumerate(self._lines)}
        self._partials: dict[Speaker, LinePartial] = {}

    # -- reading -------------------------------------------------------------------------------------------

    @property
    def lines(self) -> tuple[TranscriptLine, ...]:
        return tuple(self._lines)

    @property
    def partials(self) -> dict[Speaker, LinePartial]:
        return dict(self._partials)

    @property
    def next_seq(self) -> int:
        return self._next_seq

    def partial_of(self, speaker: Speaker) -> LinePartial | None:
        return self._partials.get(speaker)

    def line(self, seq: int) -> TranscriptLine:
        return self._lines[self._index[seq]]

    def last_line(self, speaker: Speaker | None = None) -> TranscriptLine | None:
        for line in reversed(self._lines):
            if speaker is None or line.speaker == speaker:
                return line
        return None

    def __len__(self) -> int:
        return len(self._lines)

    # -- writing -------------------------------------------------------------------------------------------

    def partial(self, speaker: Speaker, text: str, offset_ms: int | None = None) -> LinePartial:
        """Replace the speaker's tentative line; the offset of the first partial sticks if none is given."""
        previous = self._partials.get(speaker)
        if offset_ms is None:
            offset_ms = previous.offset_ms if previous else 0
        event = LinePartial(speaker, _clean(text), int(offset_ms))
        self._partials[speaker] = event
        return event

    def clear_partial(self, speaker: Speaker) -> None:
        self._partials.pop(speaker, None)

    def finalize(
        self,
        speaker: Speaker,
        text: str,
        *,
        offset_ms: int | None = None,
        duration_ms: int = 0,
        interrupted: bool = False,
    ) -> LineFinalized | None:
        """Make the speaker's line final with the next seq, dropping its partial.

        Returns None for an empty final (speech services emit those for noise): nothing is stored, but the partial
        is still dropped so the screen stops showing it.
        """
        partial = self._partials.pop(speaker, None)
        cleaned = _clean(text)
        if not cleaned:
            return None
        if offset_ms is None:
            offset_ms = partial.offset_ms if partial else 0
        line = TranscriptLine(
            seq=self._next_seq,
            speaker=speaker,
            text=cleaned,
            offset_ms=int(offset_ms),
            duration_ms=max(0, int(duration_ms)),
            interrupted=interrupted,
        )
        self._next_seq += 1
        self._index[line.seq] = len(self._lines)
        self._lines.append(line)
        return LineFinalized(line)

    def correct_agent_line(
        self, seq_or_last: int | None, heard_text: str, *, duration_ms: int | None = None
    ) -> LineCorrected | None:
        """Cut an agent line to what the trainee heard before interrupting it.

        seq_or_last: the seq of the agent line, or None for the latest seller/coach line.
        If the heard text is a prefix of the line (ignoring case and spacing) the line is cut to it; otherwise the
        heard text replaces the line, because the agent's own correction is the better record. Either way the line is
        marked interrupted. Without an explicit duration a cut line's duration shrinks in proportion to the text
        kept, since the agent only reports timing per message and the unheard tail was never played.
        Returns None when there is no agent line yet, or when nothing would change.
        """
        if seq_or_last is None:
            target = next((ln for ln in reversed(self._lines) if ln.speaker in AGENT_SPEAKERS), None)
            if target is None:
                return None
        else:
            if seq_or_last not in self._index:
                raise KeyError(f"no final line with seq {seq_or_last}")
            target = self.line(seq_or_last)
            if target.speaker not in AGENT_SPEAKERS:
                raise ValueError(f"line {seq_or_last} is the trainee's; only agent lines can be corrected")

        heard = _clean(heard_text)
        full = target.text
        if heard.lower() == full.lower():
            return None
        if full.lower().startswith(heard.lower()):
            # Keep the stored casing; the correction may differ only in case from what was transcribed.
            new_text = full[: len(heard)]
            if duration_ms is None:
                fraction = len(new_text) / len(full) if full else 0.0
                duration_ms = int(round(target.duration_ms * fraction))
        else:
            new_text = heard
        if duration_ms is None:
            duration_ms = target.duration_ms

        corrected = replace(target, text=new_text, duration_ms=max(0, int(duration_ms)), interrupted=True)
        self._lines[self._index[target.seq]] = corrected
        return LineCorrected(corrected, previous_text=full)

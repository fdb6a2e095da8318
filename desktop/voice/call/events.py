"""What a call tells its listener: small immutable events, safe to hand across threads (the GUI adapter re-emits
them as queued Qt signals; the headless command prints them).

Events arrive on the call's control thread, in order. A listener must return quickly and never block.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from desktop.core.limits import TimerState
from desktop.core.live_transcript import LineCorrected, LineFinalized, LinePartial
from desktop.core.vocabulary import EndReason, Status


class CallState(enum.Enum):
    DIALING = "dialing"  # session stored, connecting to the agent
    CONNECTED = "connected"  # the agent answered (conversation metadata arrived)
    ENDING = "ending"  # hanging up: the last audio drains, devices close
    ENDED = "ended"


@dataclass(frozen=True)
class StateChanged:
    state: CallState


@dataclass(frozen=True)
class SessionStarted:
    session_id: int
    client_session_id: str


@dataclass(frozen=True)
class Connected:
    conversation_id: str
    input_rate: int
    output_rate: int


@dataclass(frozen=True)
class PartialLine:
    partial: LinePartial


@dataclass(frozen=True)
class AgentSpeaking:
    speaking: bool


@dataclass(frozen=True)
class TimerTick:
    state: TimerState


@dataclass(frozen=True)
class TimeWarning:
    remaining_s: float


@dataclass(frozen=True)
class CallProblem:
    """Something went wrong but the call goes on (a dropped audio device, a failed write that was retried)."""

    message: str


@dataclass(frozen=True)
class CallOutcome:
    """How the call ended. `message` is plain words for the trainee; empty for an ordinary hang-up."""

    session_id: int | None
    client_session_id: str
    end_reason: EndReason
    status: str  # completed / interrupted / failed, as stored
    message: str
    conversation_id: str
    line_count: int
    duration_s: float
    recording_path: str = ""
    code: int | None = None

    @property
    def is_error(self) -> bool:
        return self.status == Status.FAILED or self.end_reason in (EndReason.CONNECTION_LOST, EndReason.ERROR)


@dataclass(frozen=True)
class CallEnded:
    outcome: CallOutcome


CallEvent = (
    StateChanged
    | SessionStarted
    | Connected
    | PartialLine
    | LineFinalized
    | LineCorrected
    | AgentSpeaking
    | TimerTick
    | TimeWarning
    | CallProblem
    | CallEnded
)

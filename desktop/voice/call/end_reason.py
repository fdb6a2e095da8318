"""Why a call ended and how its session is marked, decided from how the agent connection closed and whether the call
had already begun to hang up. A plain table, kept apart from `call.py` so it reads at a glance."""

from __future__ import annotations

from desktop.core.vocabulary import EndReason, Status
from desktop.voice.agent.connection_end import ConnectionEnd, EndKind


def session_end(
    end: ConnectionEnd, hangup: tuple[EndReason, str] | None, connected: bool
) -> tuple[EndReason, str, str]:
    """(end reason, session status, plain words for the trainee). `hangup`: the reason and words of a hang-up that
    came first (the trainee, the time limit, a finished drill, a fault). A call that never connected has failed."""
    if hangup is not None:
        reason, message = hangup
        status = Status.COMPLETED if reason is not EndReason.ERROR else Status.INTERRUPTED
    elif end.kind is EndKind.AGENT_ENDED:
        reason, status, message = EndReason.AGENT_HANGUP, Status.COMPLETED, ""
    elif end.kind is EndKind.USER_CLOSED:
        reason, status, message = EndReason.USER_HANGUP, Status.COMPLETED, ""
    elif end.kind is EndKind.CONNECTION_LOST:
        reason, status, message = EndReason.CONNECTION_LOST, Status.INTERRUPTED, end.message
    else:  # SERVER_ERROR, CONNECT_FAILED
        reason, status, message = EndReason.ERROR, Status.INTERRUPTED, end.message
    if not connected:
        status = Status.FAILED
    return reason, status, message

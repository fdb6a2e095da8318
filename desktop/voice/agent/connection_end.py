"""How an agent connection ended, in plain words for the trainee and technical detail for the log: the trainee hung
up, the agent ended the call, the socket died, the agent closed with an error, or the call never started (and at
which step of the opening it stalled). Pure: `AgentConnection` reports one `ConnectionEnd` per call.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from desktop.voice.agent.endpoints import server_error_words
from desktop.voice.agent.messages import ServerError

USER_CLOSE_REASON = "User ended conversation"


class EndKind(enum.Enum):
    AGENT_ENDED = "agent_ended"  # the agent closed with 1000 (end_call, max duration)
    USER_CLOSED = "user_closed"  # we called close()
    CONNECTION_LOST = "connection_lost"  # the socket died without a close frame
    SERVER_ERROR = "server_error"  # the agent closed with an error code (1002, 1008, 1011, 4xxx...)
    CONNECT_FAILED = "connect_failed"  # never got as far as an open socket


@dataclass(frozen=True)
class ConnectionEnd:
    """How a connection ended. `message` is plain words for the trainee; `detail` is technical, for the log."""

    kind: EndKind
    message: str
    code: int | None = None
    reason: str = ""
    detail: str = ""

    @property
    def is_error(self) -> bool:
        return self.kind not in (EndKind.AGENT_ENDED, EndKind.USER_CLOSED)


def user_closed() -> ConnectionEnd:
    return ConnectionEnd(EndKind.USER_CLOSED, "You ended the call.", code=1000, reason=USER_CLOSE_REASON)


def opening_timed_out(seconds: float, step: str) -> ConnectionEnd:
    """The opening (signed URL, socket, the agent's conversation metadata) took longer than `seconds`; `step` is the
    one it was waiting on: "signed_url", "connect" or "metadata"."""
    shown = f"{seconds:g} s"
    words = {
        "signed_url": f"ElevenLabs did not send the signed address of the call within {shown}. "
        "Check your internet connection and try again.",
        "connect": f"The agent server did not answer within {shown}. Check your internet connection.",
        "metadata": f"The agent did not start the conversation within {shown}. It may be busy or set up "
        "wrongly; try again in a moment.",
    }
    return ConnectionEnd(EndKind.CONNECT_FAILED, words[step], detail=f"opening timed out at {step}")


def end_from_close_frame(
    rcvd: Any, *, opened: bool, server_error: ServerError | None, detail: str = ""
) -> ConnectionEnd:
    """The end a close frame from the agent means (`rcvd` None: the socket died without one). `opened`: the agent's
    conversation metadata had arrived; `server_error`: the last error message it sent before closing."""
    if rcvd is None:
        return ConnectionEnd(
            EndKind.CONNECTION_LOST,
            "The connection to the agent was lost. Check your internet connection.",
            detail=detail or "no close frame received",
        )
    code, reason = int(rcvd.code), rcvd.reason or ""
    error = server_error
    if not opened and code == 1000 and (error is None or error.is_normal_end):
        # A close before the metadata, even a "normal" 1000, means no conversation ever began: a failure to
        # start, with words, not an agent that ended a call the trainee never had.
        said = f": {reason}" if reason else ""
        return ConnectionEnd(
            EndKind.CONNECT_FAILED,
            f"The agent closed the connection before the conversation started (code {code}{said}). "
            "Check the agent id in Settings, or try again in a moment.",
            code=code,
            reason=reason,
            detail=detail,
        )
    if code == 1000 and (error is None or error.is_normal_end):
        return ConnectionEnd(EndKind.AGENT_ENDED, "The agent ended the call.", code=code, reason=reason)
    text = (error.message if error is not None and error.message else "") or reason
    return ConnectionEnd(EndKind.SERVER_ERROR, server_error_words(code, text), code=code, reason=text, detail=detail)

"""The words a session is described by, in one place: its status, why it ended, its mode and kind. The values are the
sync contract's (`docs/sync-api.yaml`); the store, the call engine, the screens and the commands all use these names
instead of bare strings."""

from __future__ import annotations

import enum


class Status:
    """A session's status. Plain strings, so they go to SQLite and JSON as they are."""

    ACTIVE = "active"  # a call in progress (or one a dead process left behind, until recovery)
    COMPLETED = "completed"
    INTERRUPTED = "interrupted"  # cut short: a dropped connection, an error, a crash
    FAILED = "failed"  # never connected


ENDED_STATUSES = (Status.COMPLETED, Status.INTERRUPTED, Status.FAILED)


class EndReason(str, enum.Enum):
    """Why a session ended, as the sync contract names it."""

    USER_HANGUP = "user_hangup"
    AGENT_HANGUP = "agent_hangup"  # end_call, close 1000, or a drill that has had all its exchanges
    TIME_LIMIT = "time_limit"
    CONNECTION_LOST = "connection_lost"
    ERROR = "error"  # a server error code, a device failure, or the call never connected
    APP_EXIT = "app_exit"  # the app closed mid-call, or crash recovery found the call


END_REASONS = tuple(reason.value for reason in EndReason)


class Mode:
    VOICE = "voice"
    TEXT = "text"  # typed


MODES = (Mode.VOICE, Mode.TEXT)


class Kind:
    ROLEPLAY = "roleplay"  # a practice call with a seller
    COACH = "coach"  # a debrief with the coach: never graded


KINDS = (Kind.ROLEPLAY, Kind.COACH)
GRADED_KINDS = (Kind.ROLEPLAY,)

"""Usage limits: how many practice calls a day, how long each may run, and the call timer that enforces it.

Pure and clock-free: callers pass elapsed seconds in (from a monotonic clock they own), so the timer behaves the
same in the GUI, headless calls and tests. A None limit means unlimited.
"""

from __future__ import annotations

from dataclasses import dataclass

# The countdown appears, and the one warning fires, this long before the limit.
WARNING_BEFORE_S = 120.0


@dataclass(frozen=True)
class UsageLimits:
    max_sessions_per_day: int | None = None
    max_session_minutes: int | None = 10

    def __post_init__(self) -> None:
        if self.max_sessions_per_day is not None and self.max_sessions_per_day < 0:
            raise ValueError("max_sessions_per_day cannot be negative")
        if self.max_session_minutes is not None and self.max_session_minutes <= 0:
            raise ValueError("max_session_minutes must be positive, or None for no limit")

    @property
    def max_session_seconds(self) -> float | None:
        return None if self.max_session_minutes is None else self.max_session_minutes * 60.0


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    message: str = ""


def can_start_session(limits: UsageLimits, sessions_today: int) -> Verdict:
    """Whether another practice call may start today, with a message the user can read either way."""
    cap = limits.max_sessions_per_day
    if cap is None:
        return Verdict(True, "")
    left = cap - max(0, sessions_today)
    if left <= 0:
        calls = "call" if cap == 1 else "calls"
        return Verdict(False, f"You have used all {cap} practice {calls} for today. The limit resets at midnight.")
    return Verdict(True, f"{left} of {cap} practice calls left today.")


@dataclass(frozen=True)
class TimerState:
    """What the call screen shows at one moment, and whether the call must end."""

    elapsed_s: float
    remaining_s: float | None  # None when unlimited
    show_countdown: bool  # only in the last WARNING_BEFORE_S seconds
    warning_due: bool  # true on the one tick that crosses into the last two minutes
    time_up: bool


@dataclass(frozen=True)
class CallTimerPolicy:
    """The rules of the call timer as a pure function of elapsed time.

    The warning is due when the remaining time first drops to the warning mark; a caller that has already warned
    says so with `warned`. Calls shorter than the warning window get no warning (the countdown shows from the
    start instead), since "two minutes left" would be false.
    """

    limit_s: float | None
    warning_s: float = WARNING_BEFORE_S

    @classmethod
    def from_limits(cls, limits: UsageLimits) -> CallTimerPolicy:
        return cls(limits.max_session_seconds)

    def state(self, elapsed_s: float, *, warned: bool = False) -> TimerState:
        elapsed = max(0.0, float(elapsed_s))
        if self.limit_s is None:
            return TimerState(elapsed, None, False, False, False)
        remaining = max(0.0, self.limit_s - elapsed)
        time_up = elapsed >= self.limit_s
        in_window = remaining <= self.warning_s
        warning_due = in_window and not warned and not time_up and self.limit_s > self.warning_s
        return TimerState(elapsed, remaining, in_window, warning_due, time_up)


class CallTimer:
    """Tracks one call: remembers the warning so it fires exactly once, and never runs backwards."""

    def __init__(self, policy: CallTimerPolicy) -> None:
        self.policy = policy
        self.warned = False
        self._elapsed = 0.0

    @classmethod
    def from_limits(cls, limits: UsageLimits) -> CallTimer:
        return cls(CallTimerPolicy.from_limits(limits))

    def tick(self, elapsed_s: float) -> TimerState:
        # A clock that steps back (or late ticks arriving out of order) must not re-arm the warning.
        self._elapsed = max(self._elapsed, float(elapsed_s))
        state = self.policy.state(self._elapsed, warned=self.warned)
        if state.warning_due or state.time_up:
            # Once time is up a warning would come too late; treat it as spent either way.
            self.warned = True
        return state

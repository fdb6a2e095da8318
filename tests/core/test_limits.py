"""Usage limits and the call timer: daily sessions, one warning at two minutes left, countdown, automatic end."""

from __future__ import annotations

import pytest

from desktop.core.clock import format_clock
from desktop.core.limits import (
    CallTimer,
    CallTimerPolicy,
    TimerState,
    UsageLimits,
    Verdict,
    can_start_session,
)


def test_sessions_per_day() -> None:
    assert can_start_session(UsageLimits(), 500) == Verdict(True, "")
    three = UsageLimits(max_sessions_per_day=3)
    assert can_start_session(three, 0).allowed
    last = can_start_session(three, 2)
    assert last.allowed and "1 of 3" in last.message
    used_up = can_start_session(three, 3)
    assert not used_up.allowed and "3 practice calls" in used_up.message
    assert not can_start_session(three, 7).allowed
    assert not can_start_session(UsageLimits(max_sessions_per_day=0), 0).allowed


def test_limits_reject_nonsense() -> None:
    with pytest.raises(ValueError):
        UsageLimits(max_sessions_per_day=-1)
    with pytest.raises(ValueError):
        UsageLimits(max_session_minutes=0)
    assert UsageLimits().max_session_seconds == 600
    assert UsageLimits(max_session_minutes=None).max_session_seconds is None


def test_ticking_every_second_warns_once_at_the_two_minute_mark_and_ends_at_the_limit() -> None:
    timer = CallTimer.from_limits(UsageLimits(max_session_minutes=10))
    states = {second: timer.tick(second) for second in range(0, 611)}
    assert [s for s, st in states.items() if st.warning_due] == [480]
    assert [s for s, st in states.items() if st.show_countdown] == list(range(480, 611))
    assert min(s for s, st in states.items() if st.time_up) == 600
    assert states[479] == TimerState(479.0, 121.0, False, False, False)
    assert states[600].remaining_s == 0 and states[610].remaining_s == 0


def test_coarse_ticks_still_warn_exactly_once() -> None:
    timer = CallTimer(CallTimerPolicy(600))
    assert not timer.tick(470).warning_due
    assert timer.tick(490.5).warning_due  # crossed the mark between ticks
    assert not timer.tick(495).warning_due
    assert not timer.tick(480).warning_due  # a clock that steps back does not re-arm it
    assert timer.tick(480).elapsed_s == 495


def test_jumping_past_the_limit_ends_the_call_without_a_late_warning() -> None:
    timer = CallTimer(CallTimerPolicy(600))
    state = timer.tick(601)
    assert state.time_up and not state.warning_due
    assert not any(timer.tick(s).warning_due for s in (602, 700))


def test_unlimited_calls_never_count_down_or_end() -> None:
    timer = CallTimer.from_limits(UsageLimits(max_session_minutes=None))
    for second in (0, 119, 600, 10_000):
        state = timer.tick(second)
        assert state.remaining_s is None
        assert not (state.show_countdown or state.warning_due or state.time_up)


def test_a_limit_shorter_than_the_warning_window_counts_down_from_the_start() -> None:
    policy = CallTimerPolicy(90)
    start = policy.state(0)
    assert start.show_countdown and not start.warning_due and start.remaining_s == 90
    assert policy.state(90).time_up


def test_policy_is_pure_and_the_caller_says_whether_it_warned() -> None:
    policy = CallTimerPolicy(300)
    assert policy.state(200).warning_due
    assert policy.state(200) == policy.state(200)
    assert not policy.state(200, warned=True).warning_due
    assert policy.state(-5).elapsed_s == 0


@pytest.mark.parametrize(
    ("seconds", "kwargs", "text"),
    [
        (0, {}, "00:00"),
        (59.9, {}, "00:59"),
        (119.2, {"round_up": True}, "02:00"),
        (600, {}, "10:00"),
        (3599, {}, "59:59"),
        (3600, {}, "1:00:00"),
        (3725, {}, "1:02:05"),
        (-3, {}, "00:00"),
    ],
)
def test_format_clock(seconds: float, kwargs: dict, text: str) -> None:
    assert format_clock(seconds, **kwargs) == text

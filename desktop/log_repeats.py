"""A log filter that keeps a flood of one message from filling the log. A Qt warning repeated thousands of times a
second once pushed every earlier line out through rotation; now a message is logged a few times a minute, and the
next copy after the window says how many were left out."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

MAX_KEYS = 512  # distinct messages tracked at once; the oldest are forgotten first


class RepeatLimiter(logging.Filter):
    """At most `per_window` records with the same logger, level and message in `window_s` seconds."""

    def __init__(
        self, per_window: int = 5, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.per_window = per_window
        self.window_s = window_s
        self._clock = clock
        self._seen: dict[tuple[str, int, str], list[float | int]] = {}  # key -> [window start, count, left out]

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a record that cannot be formatted is the handler's to report
            return True
        key = (record.name, record.levelno, text)
        now = self._clock()
        seen = self._seen.get(key)
        if seen is None or now - seen[0] >= self.window_s:
            left_out = int(seen[2]) if seen is not None else 0
            self._remember(key, [now, 1, 0])
            if left_out:
                record.msg = f"{text} ({left_out} more like it left out in the last {self.window_s:g} s)"
                record.args = None
            return True
        seen[1] = int(seen[1]) + 1
        if seen[1] <= self.per_window:
            return True
        seen[2] = int(seen[2]) + 1
        return False

    def _remember(self, key: tuple[str, int, str], value: list[float | int]) -> None:
        self._seen.pop(key, None)
        self._seen[key] = value
        while len(self._seen) > MAX_KEYS:
            self._seen.pop(next(iter(self._seen)))

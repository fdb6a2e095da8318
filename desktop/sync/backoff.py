"""When to try again: exponential backoff with jitter for failures, and how long a server's Retry-After may hold
sync back. Injectable, so tests run the same logic with millisecond delays."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RetryPolicy:
    first_delay_s: float = 2.0
    factor: float = 2.0
    max_delay_s: float = 300.0
    # Each delay is spread over [1 - jitter, 1 + jitter] of its nominal value, so many clients that failed
    # together (a backend restart) do not all come back in the same second.
    jitter: float = 0.5
    # A Retry-After beyond this is treated as a mistake rather than obeyed for days.
    max_retry_after_s: float = 3600.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.first_delay_s <= 0 or self.max_delay_s < self.first_delay_s or self.factor < 1:
            raise ValueError("backoff needs 0 < first_delay_s <= max_delay_s and factor >= 1")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")

    def delay(self, failures: int) -> float:
        """Seconds to wait after `failures` failures in a row (1 = the first failure)."""
        exponent = max(0, failures - 1)
        # Past 64 doublings the cap has long been reached; stopping there keeps a days-long outage from overflowing.
        nominal = (
            self.max_delay_s if exponent > 64 else min(self.max_delay_s, self.first_delay_s * self.factor**exponent)
        )
        spread = 1 + self.jitter * (2 * self.rng.random() - 1)
        return min(self.max_delay_s, nominal * spread)

    def retry_after(self, seconds: float | None, failures: int) -> float:
        """What a 429 asks for, within reason; the usual backoff when it said nothing readable."""
        if seconds is None:
            return self.delay(failures)
        return min(max(0.0, seconds), self.max_retry_after_s)

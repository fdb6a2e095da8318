"""The partner's side of the protocol's keep-alive: a `ping` every few seconds carrying the last round trip, `pong`s
matched to them, and a call dropped (1002) when the app stops answering, as the service does."""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from desktop.partner.record import ConversationRecord, PartnerOptions

log = logging.getLogger(__name__)

MAX_OPEN_PINGS = 16  # unanswered pings remembered; a client that never answers cannot grow the set


class Pinger:
    def __init__(
        self,
        options: PartnerOptions,
        send: Callable[[str, str, dict[str, Any]], Awaitable[None]],
        fail: Callable[[int, str, str], Awaitable[None]],
        record: ConversationRecord,
        changed: threading.Condition,
    ) -> None:
        self.options = options
        self._send = send
        self._fail = fail
        self._record = record
        self._changed = changed
        self._ids = itertools.count(1)
        self._open: dict[int, float] = {}  # ping id -> monotonic time sent
        self._rtt_ms: int | None = None
        self._missed = 0

    def pong(self, event_id: object) -> None:
        sent = self._open.pop(event_id, None) if isinstance(event_id, int) else None
        if sent is None:
            log.debug("pong for an unknown ping %r", event_id)
            return
        self._rtt_ms = int((time.monotonic() - sent) * 1000)
        self._missed = 0
        with self._changed:
            self._record.pongs += 1
            self._changed.notify_all()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.options.ping_interval)
            if self._open:
                self._missed += 1
                if self.options.max_missed_pongs and self._missed >= self.options.max_missed_pongs:
                    log.warning("no pong for %d pings; dropping the call", self._missed)
                    await self._fail(1002, "ping_timeout", "The app stopped answering pings.")
                    return
            ping_id = next(self._ids)
            self._open[ping_id] = time.monotonic()
            while len(self._open) > MAX_OPEN_PINGS:
                self._open.pop(next(iter(self._open)))
            await self._send("ping", "ping_event", {"event_id": ping_id, "ping_ms": self._rtt_ms})
            with self._changed:
                self._record.pings += 1

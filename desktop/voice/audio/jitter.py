"""The agent audio waiting to be played, with the protocol's interruption rule. Thread-safe; nothing here blocks.

The receive side pushes whole chunks tagged with their turn's `event_id`; the speaker's device callback reads exactly
the bytes it needs. Playback starts as soon as there is audio: the agent sends a turn faster than real time, so the
queue itself absorbs network jitter, and a fixed pre-buffer would only add its length to every turn's latency.

Interruption (`interrupt(event_id)`) drops everything queued at once and from then on refuses audio whose event id is
strictly lower than the interruption's; equal or higher plays (the reply to the barge-in can carry the same id).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class ChunkStart:
    """The first byte of a pushed chunk was read at `offset` bytes into a `read()` result."""

    offset: int
    event_id: int


class JitterBuffer:
    def __init__(self, bytes_per_second: int, max_seconds: float = 300.0) -> None:
        self.bytes_per_second = bytes_per_second
        self._max_bytes = int(bytes_per_second * max_seconds)
        self._lock = threading.Lock()
        self._chunks: deque[tuple[bytes, int]] = deque()
        self._head_offset = 0  # bytes of the first chunk already read
        self._queued = 0
        self._min_event_id: int | None = None
        self.dropped_stale = 0  # chunks refused because an interruption outranks them
        self.dropped_overflow = 0

    @property
    def lock(self) -> threading.Lock:
        """Held while the buffer changes; the speaker takes it to make "empty" decisions atomic with pushes."""
        return self._lock

    @property
    def queued_bytes(self) -> int:
        return self._queued

    @property
    def queued_seconds(self) -> float:
        return self._queued / self.bytes_per_second

    @property
    def interrupted_before(self) -> int | None:
        """Audio with an event id below this is refused (None until the first interruption)."""
        return self._min_event_id

    def is_stale(self, event_id: int) -> bool:
        return self._min_event_id is not None and event_id < self._min_event_id

    def push(self, pcm: bytes, event_id: int) -> bool:
        """Queue a chunk; False when it was refused (older than an interruption, or the buffer is full)."""
        pcm = pcm[: len(pcm) - len(pcm) % 2]
        if not pcm:
            return False
        with self._lock:
            return self.push_locked(pcm, event_id)

    def push_locked(self, pcm: bytes, event_id: int) -> bool:
        """push() for a caller already holding `lock`."""
        if self.is_stale(event_id):
            self.dropped_stale += 1
            return False
        if self._queued + len(pcm) > self._max_bytes:
            self.dropped_overflow += 1
            return False
        self._chunks.append((pcm, event_id))
        self._queued += len(pcm)
        return True

    def interrupt(self, event_id: int) -> int:
        """Drop everything queued; refuse later audio older than `event_id`. Returns the bytes dropped."""
        with self._lock:
            dropped = self._queued
            self._chunks.clear()
            self._head_offset = 0
            self._queued = 0
            if self._min_event_id is None or event_id > self._min_event_id:
                self._min_event_id = event_id
            return dropped

    def clear(self) -> int:
        with self._lock:
            dropped = self._queued
            self._chunks.clear()
            self._head_offset = 0
            self._queued = 0
            return dropped

    def read_locked(self, nbytes: int) -> tuple[bytes, list[ChunkStart]]:
        """Up to `nbytes` of queued audio (fewer when the queue runs short) and where chunks started in it.
        The caller holds `lock`."""
        parts: list[bytes] = []
        starts: list[ChunkStart] = []
        taken = 0
        while taken < nbytes and self._chunks:
            pcm, event_id = self._chunks[0]
            if self._head_offset == 0:
                starts.append(ChunkStart(taken, event_id))
            piece = pcm[self._head_offset : self._head_offset + nbytes - taken]
            parts.append(piece)
            taken += len(piece)
            self._head_offset += len(piece)
            if self._head_offset >= len(pcm):
                self._chunks.popleft()
                self._head_offset = 0
        self._queued -= taken
        return b"".join(parts), starts

    def read(self, nbytes: int) -> tuple[bytes, list[ChunkStart]]:
        with self._lock:
            return self.read_locked(nbytes)

"""A per-call event log for diagnosing a bad call: one JSON line per event with its type, time and size.

Never payloads, never secrets: no text, no audio, no URLs (a signed URL carries a credential). The last line is a
summary that shows at a glance whether one conversation id held for the whole call and how many of each event
arrived. The file sits in the logs folder, named by the session's client id, so it travels with the session.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)


def call_log_path(logs_dir: Path, client_session_id: str) -> Path:
    return logs_dir / "calls" / f"{client_session_id}.jsonl"


class CallEventLog:
    """Thread-safe; written as it goes (line-buffered), so a crash keeps everything up to the last event."""

    def __init__(self, path: Path | None, clock=time.monotonic) -> None:
        self.path = path
        self._clock = clock
        self._t0 = clock()
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._bytes: Counter[str] = Counter()
        self._conversation_ids: list[str] = []
        self._file: IO[str] | None = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._file = path.open("a", encoding="utf-8", buffering=1)
            except OSError:
                log.warning("cannot write the call event log at %s", path, exc_info=True)

    def event(self, kind: str, /, size: int | None = None, **fields: Any) -> None:
        """Record one event. `fields` must be small and non-secret (ids, codes, counts)."""
        with self._lock:
            self._counts[kind] += 1
            if size is not None:
                self._bytes[kind] += size
            if kind == "audio":  # too many to write one by one; the summary has their count and bytes
                return
            self._write({"t": round(self._clock() - self._t0, 3), "type": kind, "size": size, **fields})

    def conversation(self, conversation_id: str) -> None:
        with self._lock:
            if conversation_id and conversation_id not in self._conversation_ids:
                self._conversation_ids.append(conversation_id)
        self.event("conversation_id", conversation_id=conversation_id)

    @property
    def conversation_ids(self) -> list[str]:
        with self._lock:
            return list(self._conversation_ids)

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def close(self, **summary: Any) -> None:
        with self._lock:
            self._write(
                {
                    "t": round(self._clock() - self._t0, 3),
                    "type": "summary",
                    "conversation_ids": self._conversation_ids,
                    "one_conversation": len(self._conversation_ids) == 1,
                    "counts": dict(self._counts),
                    "bytes": dict(self._bytes),
                    **summary,
                }
            )
            if self._file is not None:
                self._file.close()
                self._file = None

    def _write(self, record: dict[str, Any]) -> None:
        if self._file is None:
            return
        try:
            self._file.write(json.dumps({k: v for k, v in record.items() if v is not None}) + "\n")
        except (OSError, ValueError):
            log.warning("cannot append to the call event log", exc_info=True)
            self._file = None


def read_call_log(path: Path) -> list[dict[str, Any]]:
    """The events of one call; a line cut off by a crash is skipped."""
    events = []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    for raw in text.splitlines():
        try:
            events.append(json.loads(raw))
        except ValueError:
            continue
    return events

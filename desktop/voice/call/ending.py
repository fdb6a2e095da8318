"""The last steps of a call: release its devices and recording, then store how it ended with its analytics.
Both are written never to raise: a call must always reach its end, whatever a device or the disk does."""

from __future__ import annotations

import logging

from desktop.core.metrics import compute_metrics
from desktop.core.transcript import TranscriptLine
from desktop.core.vocabulary import EndReason
from desktop.store.sessions import SessionRepository
from desktop.voice.call.setup import AudioPorts, CallSetup

log = logging.getLogger(__name__)


def close_ports(ports: AudioPorts | None) -> str:
    """Stops the microphone and speaker and finishes the recording; returns the recording's path ("" if none)."""
    if ports is None:
        return ""
    for step in (ports.microphone.stop, ports.speaker.stop):
        try:
            step()
        except Exception:
            log.warning("closing an audio device failed", exc_info=True)
    path = ""
    if ports.recorder is not None:
        try:
            ports.recorder.close()
            path = str(ports.recorder.path)
        except Exception:
            log.warning("closing the recording failed", exc_info=True)
    try:
        ports.close()
    except Exception:
        log.warning("releasing the audio system failed", exc_info=True)
    return path


def store_end(
    repo: SessionRepository,
    session_id: int,
    setup: CallSetup,
    reason: EndReason,
    status: str,
    message: str,
    lines: list[TranscriptLine],
    duration_s: float,
    recording_path: str,
) -> None:
    """The measured line timings, the analytics and the end of the session, through the repository."""
    metrics = None
    if lines:
        metrics = compute_metrics(
            lines,
            objection_patterns=tuple(setup.persona.objection_patterns),
            voice=setup.mode == "voice",
            call_length_s=duration_s,
        )
    try:
        if setup.mode == "voice":
            repo.set_line_timings(session_id, {ln.seq: (ln.offset_ms, ln.duration_ms) for ln in lines})
        repo.end_session(
            session_id,
            end_reason=reason.value,
            status=status,
            metrics=metrics,
            error_message=message,
            recording_path=recording_path,
        )
    except Exception:
        # The lines are stored; recovery at next start-up marks the session interrupted and grades it.
        log.exception("could not store the end of session %s", session_id)

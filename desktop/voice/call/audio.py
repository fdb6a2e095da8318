"""The audio side of one voice call: the microphone and speaker (`AudioPorts`), opened once the agent has named its
sample rates and closed with the call.

The socket thread plays and cuts the agent's audio through it directly, since that is the latency-critical path; the
call's control thread opens, mutes, follows who is speaking, reads the trainee's speech segments, lets a goodbye
finish and closes. A text call never opens it, and every other method is then a harmless no-op.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from desktop.voice.call.ending import close_ports
from desktop.voice.call.setup import AudioFactory, AudioPorts

log = logging.getLogger(__name__)

MAX_DRAIN_S = 15.0  # the longest goodbye we wait for before closing the speaker


class CallAudio:
    def __init__(
        self,
        factory: AudioFactory | None,
        on_mic_chunk: Callable[[bytes, float], None],
        on_error: Callable[[str], None],
    ) -> None:
        """`factory` is None for a text call, which never opens the devices."""
        self._factory = factory
        self._on_mic_chunk = on_mic_chunk
        self._on_error = on_error
        self._ports: AudioPorts | None = None  # the socket thread reads it, so it is only ever set in one assignment
        self._agent_speaking = False

    # --- socket thread ---------------------------------------------------------------------------------------------

    def play(self, pcm: bytes, event_id: int) -> None:
        ports = self._ports
        if ports is not None:
            ports.speaker.play(pcm, event_id)

    def interrupt(self, event_id: int) -> None:
        ports = self._ports
        if ports is not None:
            ports.speaker.interrupt(event_id)

    # --- control thread --------------------------------------------------------------------------------------------

    def open(self, input_rate: int, output_rate: int, t0: float) -> str:
        """Opens and starts both devices; "" when they run, else plain words for the trainee. Whatever did open is
        closed with the call."""
        assert self._factory is not None
        ports = None
        try:
            ports = self._factory(input_rate, output_rate, self._on_mic_chunk, self._on_error, t0)
            ports.speaker.start()
            ports.microphone.start()
        except Exception as exc:  # AudioDeviceError carries plain words; anything else gets generic ones
            log.warning("audio devices failed to open: %s", exc)
            self._ports = ports
            return getattr(exc, "message", "") or str(exc) or "The microphone or speaker could not be opened."
        self._ports = ports
        return ""

    @property
    def recording_path(self) -> str | None:
        ports = self._ports
        return str(ports.recorder.path) if ports is not None and ports.recorder is not None else None

    def set_muted(self, muted: bool) -> None:
        if self._ports is not None:
            self._ports.microphone.muted = muted

    def agent_speaking_changed(self) -> bool | None:
        """Whether the agent is heard now, when that changed since the last look (the microphone is told, so it
        can tell the trainee's voice from the agent's echo); None when nothing changed."""
        ports = self._ports
        if ports is None:
            return None
        speaking = ports.speaker.is_speaking
        if speaking == self._agent_speaking:
            return None
        self._agent_speaking = speaking
        ports.microphone.set_agent_speaking(speaking)
        return speaking

    def speech_segments(self) -> list[tuple[float, float]]:
        if self._ports is None:
            return []
        try:  # (start, end) pairs or SpeechSegment-like objects, in seconds since the call connected
            return [
                (seg.start, seg.end) if hasattr(seg, "start") else (seg[0], seg[1])
                for seg in self._ports.microphone.speech_segments()
            ]
        except Exception:
            log.debug("no speech segments", exc_info=True)
            return []

    def drain(self) -> None:
        """Lets the agent's last words finish playing before the speaker closes."""
        ports = self._ports
        if ports is not None and not ports.speaker.drain(MAX_DRAIN_S):
            log.warning("the agent's last words did not finish playing within %.0f s", MAX_DRAIN_S)

    def close(self) -> str:
        """Stops the devices and finishes the recording; returns the recording's path ("" if none)."""
        ports, self._ports = self._ports, None
        return close_ports(ports)

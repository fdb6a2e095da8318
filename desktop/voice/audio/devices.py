"""Sound devices through PortAudio: listing and choosing microphones and speakers by name, opening and watching one
stream, and the plain-words error a call reports when a device is missing, will not open, or stops mid-call. Qt-free.

Only the default host API's devices are listed: Windows shows every device once per host API (MME, DirectSound,
WASAPI...), and the default one is the one that works everywhere. Names are what the user picks in Settings.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pyaudio

from desktop.voice.audio.native_quiet import quiet_native_audio_libraries

log = logging.getLogger(__name__)

# Tried in order when a device cannot run at the rate the agent negotiated; the stream is then resampled.
COMMON_RATES = (48000, 44100, 32000, 24000, 22050, 16000, 8000)

NO_MICROPHONE = "No microphone found. Plug one in or pick another in Settings."
NO_SPEAKER = "No speaker or headphones found. Plug some in or pick another in Settings."
# PortAudio's Pa_Initialize and Pa_Terminate are not thread-safe: a session opening on one thread while another
# closes can list no devices, or abort the process on an assertion. Every session starts and ends under this lock.
_LIFECYCLE = threading.Lock()
STALL_TIMEOUT = 3.0  # no callback for this long means the device has stopped (a stream's start can pause ~2 s)
_WATCH_INTERVAL = 0.25


class AudioDeviceError(Exception):
    """A microphone or speaker problem, in words for the trainee; `detail` is technical, for the log."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


ErrorListener = Callable[[AudioDeviceError], None]


@dataclass(frozen=True)
class AudioDevice:
    index: int
    name: str
    max_input_channels: int
    max_output_channels: int
    default_rate: int
    is_default: bool = False

    @property
    def is_input(self) -> bool:
        return self.max_input_channels > 0

    @property
    def is_output(self) -> bool:
        return self.max_output_channels > 0


@contextlib.contextmanager
def portaudio() -> Iterator[pyaudio.PyAudio]:
    """A PortAudio session, terminated at the end. Devices plugged in later show up in the next session."""
    pa = open_portaudio()
    try:
        yield pa
    finally:
        close_portaudio(pa)


def open_portaudio() -> pyaudio.PyAudio:
    quiet_native_audio_libraries()
    try:
        with _LIFECYCLE:
            return pyaudio.PyAudio()
    except Exception as exc:  # PortAudio itself failed to start: no sound system at all
        raise AudioDeviceError(
            "The sound system could not be started. Check that your computer's audio is working, then try again.",
            detail=repr(exc),
        ) from exc


def close_portaudio(pa: pyaudio.PyAudio) -> None:
    """Ends a session from `open_portaudio`, never while another is starting or ending."""
    with _LIFECYCLE:
        pa.terminate()


def _default_index(pa: pyaudio.PyAudio, is_input: bool) -> int | None:
    try:
        info = pa.get_default_input_device_info() if is_input else pa.get_default_output_device_info()
    except OSError:  # PortAudio reports "no default device" as IOError
        return None
    return int(info["index"])


def _device(info: dict[str, Any], default_index: int | None) -> AudioDevice:
    return AudioDevice(
        index=int(info["index"]),
        name=str(info["name"]),
        max_input_channels=int(info["maxInputChannels"]),
        max_output_channels=int(info["maxOutputChannels"]),
        default_rate=int(info["defaultSampleRate"]),
        is_default=int(info["index"]) == default_index,
    )


def list_devices(pa: pyaudio.PyAudio, is_input: bool) -> list[AudioDevice]:
    """Input (or output) devices of the default host API, the system default first."""
    default_index = _default_index(pa, is_input)
    try:
        host_api = int(pa.get_default_host_api_info()["index"])
    except OSError:
        return []
    found = []
    for index in range(pa.get_device_count()):
        info = pa.get_device_info_by_index(index)
        if int(info["hostApi"]) != host_api:
            continue
        device = _device(info, default_index)
        if device.is_input if is_input else device.is_output:
            found.append(device)
    found.sort(key=lambda device: not device.is_default)
    return found


def list_input_devices(pa: pyaudio.PyAudio | None = None) -> list[AudioDevice]:
    if pa is None:
        with portaudio() as session:
            return list_devices(session, is_input=True)
    return list_devices(pa, is_input=True)


def list_output_devices(pa: pyaudio.PyAudio | None = None) -> list[AudioDevice]:
    if pa is None:
        with portaudio() as session:
            return list_devices(session, is_input=False)
    return list_devices(pa, is_input=False)


def find_device(pa: pyaudio.PyAudio, name: str | None, is_input: bool) -> AudioDevice:
    """The device called `name` (exact, then ignoring case), or the system default when `name` is empty."""
    devices = list_devices(pa, is_input)
    missing = NO_MICROPHONE if is_input else NO_SPEAKER
    if not devices:
        raise AudioDeviceError(missing, detail="PortAudio lists no devices of this kind")
    if not name:
        return devices[0]
    for matches in (lambda d: d.name == name, lambda d: d.name.casefold() == name.casefold()):
        for device in devices:
            if matches(device):
                return device
    kind = "microphone" if is_input else "speaker"
    raise AudioDeviceError(
        f"The {kind} “{name}” is not connected. Plug it in or pick another in Settings.",
        detail=f"known {kind}s: {[d.name for d in devices]}",
    )


def supports_rate(pa: pyaudio.PyAudio, device: AudioDevice, rate: int, is_input: bool) -> bool:
    try:
        if is_input:
            return bool(
                pa.is_format_supported(rate, input_device=device.index, input_channels=1, input_format=pyaudio.paInt16)
            )
        return bool(
            pa.is_format_supported(rate, output_device=device.index, output_channels=1, output_format=pyaudio.paInt16)
        )
    except ValueError:  # PyAudio raises instead of returning False
        return False


def choose_rate(pa: pyaudio.PyAudio, device: AudioDevice, wanted: int, is_input: bool) -> int:
    """`wanted` when the device runs at it, else the device's own rate or a common one (then resampled)."""
    for rate in (wanted, device.default_rate, *COMMON_RATES):
        if rate > 0 and supports_rate(pa, device, rate, is_input):
            if rate != wanted:
                log.info("%s cannot run at %d Hz; using %d Hz and resampling", device.name, wanted, rate)
            return rate
    kind = "microphone" if is_input else "speaker"
    raise AudioDeviceError(
        f"The {kind} “{device.name}” cannot play or record speech. Pick another in Settings.",
        detail=f"no supported mono PCM16 rate among {wanted}, {device.default_rate}, {COMMON_RATES}",
    )


def stream_time_to_monotonic(stream_time: float, time_info: Mapping[str, float], now: float) -> float | None:
    """Convert a PortAudio stream time to time.monotonic(); None when the host API gave no usable time."""
    current = time_info.get("current_time", 0.0)
    if not stream_time or not current or abs(stream_time - current) > 5.0:
        return None
    return now + (stream_time - current)


class DeviceStream:
    """Opens one PortAudio callback stream, watches that it keeps running (reporting a stop once, through
    `on_error`), and closes it. The microphone and speaker build on it."""

    kind = "device"

    def __init__(
        self,
        device: str | None,
        on_error: ErrorListener | None,
        pa: pyaudio.PyAudio | None,
        stall_timeout: float,
    ) -> None:
        self.device_name = device
        self._on_error = on_error
        self._pa = pa
        self._owns_pa = pa is None
        self._stall_timeout = stall_timeout
        self._stream: Any = None
        self._watchdog: threading.Thread | None = None
        self._stopping = threading.Event()
        self._error_reported = False
        self._last_callback = 0.0
        self._callback_error: BaseException | None = None
        self.device: AudioDevice | None = None
        self.device_rate = 0
        self.started_at = 0.0

    @property
    def is_running(self) -> bool:
        return self._stream is not None and not self._stopping.is_set()

    @property
    def error_reported(self) -> bool:
        return self._error_reported

    def _open(self, is_input: bool, wanted_rate: int, period_ms: float, callback: Callable[..., Any]) -> None:
        if self._stream is not None or self._stopping.is_set():
            raise RuntimeError(f"a {self.kind} can be started once")
        if self._pa is None:
            self._pa = open_portaudio()
        try:
            self.device = find_device(self._pa, self.device_name, is_input)
            self.device_rate = choose_rate(self._pa, self.device, wanted_rate, is_input)
            frames = max(1, int(round(self.device_rate * period_ms / 1000)))
            self.started_at = time.monotonic()
            self._last_callback = self.started_at
            self._before_open()
            options = {"input": True} if is_input else {"output": True}
            self._stream = self._pa.open(
                format=pyaudio.paInt16,
                channels=1,
                rate=self.device_rate,
                frames_per_buffer=frames,
                input_device_index=self.device.index if is_input else None,
                output_device_index=None if is_input else self.device.index,
                stream_callback=callback,
                start=True,
                **options,
            )
        except AudioDeviceError:
            self._release_pa()
            raise
        except (OSError, ValueError) as exc:
            self._release_pa()
            name = self.device.name if self.device else (self.device_name or "default")
            raise AudioDeviceError(
                f"The {self.kind} “{name}” could not be opened. It may be in use by another app: close that app or "
                "pick another device in Settings.",
                detail=repr(exc),
            ) from exc
        self._watchdog = threading.Thread(target=self._watch, name=f"{self.kind}-watchdog", daemon=True)
        self._watchdog.start()

    def _before_open(self) -> None:
        """Set up what the callback needs once the device rate is known."""

    def _watch(self) -> None:
        while not self._stopping.wait(_WATCH_INTERVAL):
            stream = self._stream
            if stream is None:
                return
            try:
                active = stream.is_active()
            except OSError:
                active = False
            if not active:
                detail = f"stream no longer active; callback error: {self._callback_error!r}"
                self._report(detail)
                return
            if time.monotonic() - self._last_callback > self._stall_timeout:
                self._report(f"no audio callback for {self._stall_timeout:.1f} s")
                return

    def _report(self, detail: str) -> None:
        if self._error_reported or self._stopping.is_set():
            return
        self._error_reported = True
        name = self.device.name if self.device else "default"
        error = AudioDeviceError(self._stopped_message(), detail=f"{self.kind} {name!r}: {detail}")
        log.warning("%s stopped working: %s", self.kind, error.detail)
        if self._on_error is not None:
            try:
                self._on_error(error)
            except Exception:
                log.exception("%s on_error listener failed", self.kind)

    def _stopped_message(self) -> str:
        return f"The {self.kind} stopped working. Check that it is plugged in, or pick another in Settings."

    def stop(self, timeout: float = 2.0) -> bool:
        """Close the stream and end the watchdog within `timeout`. True when everything closed in time."""
        self._stopping.set()
        stream, self._stream = self._stream, None
        closer = threading.Thread(target=self._close, args=(stream,), name=f"{self.kind}-close", daemon=True)
        closer.start()
        deadline = time.monotonic() + timeout
        closer.join(timeout)
        if self._watchdog is not None:
            self._watchdog.join(max(0.0, deadline - time.monotonic()))
        finished = not closer.is_alive() and not (self._watchdog is not None and self._watchdog.is_alive())
        if not finished:
            log.warning("the %s did not close within %.1f s", self.kind, timeout)
        return finished

    def _close(self, stream: Any) -> None:
        if stream is not None:
            try:
                stream.close()  # discards what is still buffered, like Pa_AbortStream
            except Exception:
                log.debug("closing the %s stream failed", self.kind, exc_info=True)
        self._release_pa()

    def _release_pa(self) -> None:
        if self._owns_pa and self._pa is not None:
            pa, self._pa = self._pa, None
            try:
                close_portaudio(pa)
            except Exception:
                log.debug("terminating PortAudio failed", exc_info=True)

"""A private PulseAudio server with a virtual microphone and speaker, for tests and benchmarks on headless machines.

`PulseServer` is a plain class (the benchmarks use it directly): it runs `pulseaudio` in a temp dir with two null sinks
(`virt_speaker`, `virt_mic_feed`) and a `virt_mic` source remapped from the feed's monitor, so that PortAudio's
default devices are real-time virtual ones. Audio played into `virt_mic_feed` is what the app's microphone captures;
what the app plays is heard on `virt_speaker.monitor`. It stops exactly the process it started.

The session-scoped `pulse` fixture starts one server and exports PULSE_SERVER / PULSE_COOKIE / PULSE_RUNTIME_PATH
for the test process. It fails (never skips) when PulseAudio is missing: `make system-deps` installs it.
"""

from __future__ import annotations

import bisect
import contextlib
import ctypes
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.pcm import RATE, write_wav

SPEAKER_SINK = "virt_speaker"
MIC_FEED_SINK = "virt_mic_feed"
MIC_SOURCE = "virt_mic"
REQUIRED_TOOLS = ("pulseaudio", "pactl", "pacmd", "paplay", "parecord", "parec")
_ENV_NAMES = ("PULSE_SERVER", "PULSE_COOKIE", "PULSE_RUNTIME_PATH")
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> None:
    """In the child: ask Linux to end it when the process that started it dies, so a killed test run leaves no
    server behind. (The signal comes when the starting *thread* ends: start servers from a long-lived thread.)"""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _exit_watch(pid: int) -> int | None:
    """A descriptor that becomes readable when the process ends (Linux 5.3+), or None where there is none."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _received_ready(ready: socket.socket) -> bool:
    try:
        return b"READY=1" in ready.recv(4096)
    except BlockingIOError:  # nothing yet
        return False


class PulseUnavailable(RuntimeError):
    """PulseAudio is not installed or would not start."""


class PulseServer:
    """One private `pulseaudio` process. Use as a context manager, or start() / stop()."""

    def __init__(self, root: Path | None = None, start_timeout: float = 10.0) -> None:
        self._own_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix="roleplay-pulse-")) if root is None else root
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.socket = self.root / "native"
        self.env = {
            "PULSE_SERVER": f"unix:{self.socket}",
            "PULSE_COOKIE": str(self.root / "cookie"),
            "PULSE_RUNTIME_PATH": str(self.root / "runtime"),
        }

    # --- lifecycle ----------------------------------------------------------------------------------------------------

    def start(self) -> PulseServer:
        missing = [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]
        if missing:
            raise PulseUnavailable(
                f"PulseAudio is needed for the real audio tests, but these programs are missing: {', '.join(missing)}. "
                "Run `make system-deps` (it installs pulseaudio and pulseaudio-utils)."
            )
        for sub in ("home", "runtime"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        config = self.root / "virtual-devices.pa"
        config.write_text(self._config_text())
        log = (self.root / "pulseaudio.log").open("wb")
        ready = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        ready.bind(str(self.root / "ready"))
        ready.setblocking(False)
        env = {
            **os.environ,
            "HOME": str(self.root / "home"),
            "PULSE_RUNTIME_PATH": self.env["PULSE_RUNTIME_PATH"],
            "NOTIFY_SOCKET": str(self.root / "ready"),
        }
        self.process = subprocess.Popen(
            ["pulseaudio", "-n", "-F", str(config), "--daemonize=no", "--exit-idle-time=-1", "--log-target=stderr"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        log.close()
        with ready:
            self._wait_ready(ready)
        self._warm_up()
        return self

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PulseServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _config_text(self) -> str:
        sink = f"rate={RATE} channels=1"
        return "\n".join(
            [
                f"load-module module-native-protocol-unix auth-anonymous=1 socket={self.socket}",
                f"load-module module-cli-protocol-unix socket={self.root / 'runtime' / 'cli'}",
                f"load-module module-null-sink sink_name={SPEAKER_SINK} {sink}",
                f"load-module module-null-sink sink_name={MIC_FEED_SINK} {sink}",
                f"load-module module-remap-source source_name={MIC_SOURCE} master={MIC_FEED_SINK}.monitor",
                # An idle null sink sleeps in 2 s blocks, so the first stream to join it stalls for up to 2 s and the
                # mic runs at half speed meanwhile. A silent low-latency loopback into each sink keeps them ticking
                # every few ms, as a real sound card does; it adds only zeros to what they carry.
                *self._keepalive(SPEAKER_SINK),
                *self._keepalive(MIC_FEED_SINK),
                f"set-default-sink {SPEAKER_SINK}",
                f"set-default-source {MIC_SOURCE}",
                "",
            ]
        )

    @staticmethod
    def _keepalive(sink: str) -> list[str]:
        return [
            f"load-module module-null-source source_name=silence_for_{sink} rate={RATE} channels=1",
            f"load-module module-loopback source=silence_for_{sink} sink={sink} latency_msec=10"
            " source_dont_move=true sink_dont_move=true",
        ]

    def _wait_ready(self, ready: socket.socket) -> None:
        """Wait for the server's systemd-style "READY=1" (sent once its config is loaded), or for it to exit."""
        assert self.process is not None
        deadline = time.monotonic() + self.start_timeout
        exited = _exit_watch(self.process.pid)
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(ready, selectors.EVENT_READ)
                if exited is not None:
                    selector.register(exited, selectors.EVENT_READ)
                while not _received_ready(ready):
                    if self.process.poll() is not None:
                        raise PulseUnavailable(f"pulseaudio exited with {self.process.returncode}: {self.log_tail()}")
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or not selector.select(remaining):
                        self.stop()
                        raise PulseUnavailable(f"pulseaudio did not start within {self.start_timeout} s")
        finally:
            if exited is not None:
                os.close(exited)
        if f"Default Source: {MIC_SOURCE}" not in self.pactl("info"):
            self.stop()
            raise PulseUnavailable(f"pulseaudio started without the virtual devices: {self.log_tail()}")

    def _warm_up(self) -> None:
        """Play a moment of silence into both sinks and wait for it: the keep-alive loopbacks settle during their
        first ~2 s, and a sink stalls meanwhile. After this the devices run in real time from the first sample."""
        silence = write_wav(self.root / "warm-up.wav", np.zeros(RATE // 5, dtype="<i2"))
        players = [
            subprocess.Popen(
                ["paplay", "--latency-msec=20", f"--device={sink}", str(silence)],
                env=self.client_env(),
            )
            for sink in (SPEAKER_SINK, MIC_FEED_SINK)
        ]
        for player in players:
            if player.wait(self.start_timeout) != 0:
                raise PulseUnavailable(f"paplay could not reach the new PulseAudio server: {self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        path = self.root / "pulseaudio.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    # --- environment --------------------------------------------------------------------------------------------------

    def client_env(self) -> dict[str, str]:
        return {**os.environ, **self.env}

    def export(self) -> dict[str, str | None]:
        """Point this process's PortAudio/libpulse at the server. Returns the previous values for `restore`."""
        previous = {name: os.environ.get(name) for name in _ENV_NAMES}
        os.environ.update(self.env)
        return previous

    @staticmethod
    def restore(previous: dict[str, str | None]) -> None:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def pactl(self, *args: str) -> str:
        done = subprocess.run(["pactl", *args], env=self.client_env(), capture_output=True, text=True, check=True)
        return done.stdout

    def pacmd(self, *args: str) -> str:
        done = subprocess.run(["pacmd", *args], env=self.client_env(), capture_output=True, text=True, check=True)
        return done.stdout

    # --- the virtual microphone ---------------------------------------------------------------------------------------

    def play_into_mic(self, wav_path: Path | str) -> None:
        """Play a WAV into the virtual microphone in real time; returns when it has been played.

        The player keeps 200 ms buffered: with less, a loaded CI machine starves it and the "trainee" stutters, which
        tests the player, not the app's capture path."""
        subprocess.run(
            ["paplay", "--latency-msec=200", f"--device={MIC_FEED_SINK}", str(wav_path)],
            env=self.client_env(),
            check=True,
            timeout=600,
        )

    def start_playing_into_mic(self, wav_path: Path | str) -> subprocess.Popen[bytes]:
        """Like play_into_mic without waiting: the caller waits on (or terminates) the returned process."""
        return subprocess.Popen(
            ["paplay", "--latency-msec=20", f"--device={MIC_FEED_SINK}", str(wav_path)], env=self.client_env()
        )

    # --- the virtual speaker ------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def record_speaker(self, path: Path | str) -> Iterator[Path]:
        """Record what is played on the virtual speaker into a 16 kHz mono WAV while the block runs.

        It records with `parec` (parecord's raw mode) at low latency and, on leaving the block, waits until everything
        the speaker rendered up to that moment has arrived before writing the file, so the tail is never cut."""
        path = Path(path)
        with self.monitor_speaker() as monitor:
            yield path
            monitor.wait_until(time.monotonic())
            write_wav(path, monitor.samples())

    @contextlib.contextmanager
    def monitor_speaker(self, latency_ms: int = 5) -> Iterator[SpeakerMonitor]:
        """Capture the virtual speaker with a time.monotonic() timestamp for every sample (see SpeakerMonitor)."""
        monitor = SpeakerMonitor(self, latency_ms)
        monitor.start()
        try:
            yield monitor
        finally:
            monitor.stop()

    # --- faults -------------------------------------------------------------------------------------------------------

    def streams_of_process(self, pid: int) -> list[tuple[str, str]]:
        """The ("sink-input" | "source-output", index) streams a client process has open."""
        found = []
        for kind, listing in (("sink-input", "sink-inputs"), ("source-output", "source-outputs")):
            for stream in json.loads(self.pactl("-f", "json", "list", listing) or "[]"):
                if str(stream.get("properties", {}).get("application.process.id")) == str(pid):
                    found.append((kind, str(stream["index"])))
        return found

    def kill_streams_of_process(self, pid: int) -> int:
        """Cut every stream of a process, as when its sound device is unplugged. Returns how many were cut."""
        streams = self.streams_of_process(pid)
        for kind, index in streams:
            self.pacmd(f"kill-{kind}", index)
        return len(streams)

    def suspend(self, device: str, suspended: bool = True) -> None:
        """Suspend a sink or source: its streams stop moving, as when a device hangs."""
        kind = "source" if device == MIC_SOURCE or device.endswith(".monitor") else "sink"
        self.pactl(f"suspend-{kind}", device, "1" if suspended else "0")


class SpeakerMonitor:
    """Raw capture of `virt_speaker.monitor` through `parec` at low latency, timestamped on arrival.

    The sink renders a few ms at a time and parec passes each piece on as it comes. A piece's "offset" is its arrival
    time minus the samples before it / RATE; the smallest offset nearby (within `RULER_SPAN` seconds of audio) belongs
    to the piece that reached us fastest after the sink rendered its first sample, and anchors the timeline there:
    `time_of(index) = local smallest offset + index / RATE`. Samples are so timed as if played out steadily from their
    render, late by at most that fastest hand-over (well under 1 ms here). The anchor is local because over a minute
    the monitor's sample count and the clock drift apart by a few ms (rewinds after an underrun, clock skew). Reading
    whole pieces matters: a piece cut in two would make its second half look early.
    """

    RULER_SPAN = 2.0

    def __init__(self, server: PulseServer, latency_ms: int) -> None:
        self._server = server
        self._latency_ms = latency_ms
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition()
        self._blocks: list[bytes] = []
        self._samples = 0
        self._piece_starts: list[int] = []  # sample index of each piece's first sample
        self._piece_offsets: list[float] = []
        self._started = threading.Event()

    def start(self) -> None:
        self._process = subprocess.Popen(
            [
                "parec",
                f"--device={SPEAKER_SINK}.monitor",
                f"--latency-msec={self._latency_ms}",
                f"--rate={RATE}",
                "--channels=1",
                "--format=s16le",
                "--raw",
            ],
            env=self._server.client_env(),
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        self._thread = threading.Thread(target=self._read, name="speaker-monitor", daemon=True)
        self._thread.start()
        if not self._started.wait(10):
            self.stop()
            raise PulseUnavailable("parec delivered no audio from the virtual speaker within 10 s")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        if self._thread is not None:
            self._thread.join(5)

    def _read(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        pending = b""
        fd = process.stdout.fileno()
        while True:
            piece = os.read(fd, 1 << 16)  # everything parec has written so far, in one go
            if not piece:
                break
            now = time.monotonic()
            pending += piece
            usable = len(pending) - len(pending) % 2
            data, pending = pending[:usable], pending[usable:]
            with self._cond:
                self._piece_starts.append(self._samples)
                self._piece_offsets.append(now - self._samples / RATE)
                self._blocks.append(data)
                self._samples += len(data) // 2
                self._cond.notify_all()
            self._started.set()

    def _anchor(self, index: int) -> float:
        with self._cond:
            span = int(self.RULER_SPAN * RATE)
            low = bisect.bisect_left(self._piece_starts, index - span)
            high = bisect.bisect_right(self._piece_starts, index + span)
            nearby = self._piece_offsets[low:high] or self._piece_offsets
            return min(nearby)

    def time_of(self, index: int) -> float:
        """When sample `index` came out of the speaker, as time.monotonic()."""
        return self._anchor(index) + index / RATE

    def index_at(self, when: float) -> int:
        """The sample that came out of the speaker at monotonic time `when`."""
        with self._cond:
            first_guess = int((when - min(self._piece_offsets)) * RATE)
        return max(0, int(round((when - self._anchor(first_guess)) * RATE)))

    def wait_until(self, when: float, timeout: float = 5.0) -> bool:
        """Wait until samples rendered up to the monotonic time `when` have arrived."""
        with self._cond:
            return self._cond.wait_for(lambda: self._samples and self.time_of(self._samples) >= when, timeout)

    def samples(self) -> np.ndarray:
        with self._cond:
            return np.frombuffer(b"".join(self._blocks), dtype="<i2").copy()


# --- the pytest fixture -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pulse() -> Iterator[PulseServer]:
    """A running private PulseAudio whose virtual devices are this process's default mic and speaker."""
    server = PulseServer()
    problem = ""
    try:
        server.start()
    except PulseUnavailable as exc:
        server.stop()
        problem = str(exc)
    if problem:
        pytest.fail(problem, pytrace=False)
    previous = server.export()
    try:
        yield server
    finally:
        server.restore(previous)
        server.stop()

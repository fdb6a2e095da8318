"""Call audio latency through real PortAudio and a private PulseAudio (virtual mic and speaker), against the fake agent
server on loopback, for our audio path and for a re-implementation of the ElevenLabs Python SDK's default set-up
(benchmarks/sdk_baseline.py), measured in the same run over the same transport (AgentConnection).

- capture -> send: a mic chunk's first sample at the ADC (PortAudio's time info) to its `user_audio_chunk` frame
  arriving at the server on loopback.
- receive -> speaker: a turn's first agent audio chunk arriving at the client to its first sample coming out of the
  virtual speaker, found in a timestamped recording of the speaker's monitor (the same ruler for both set-ups).
- interruption -> silence: the `interruption` message arriving at the client to the last sample of the interrupted
  turn coming out of the speaker (late audio of that turn, sent after the interruption, must not play).

Each turn: the agent sends 1.2 s of tone in 250 ms chunks at once (faster than real time, as the service does),
interrupts 0.5 s later, sends 250 ms of late audio of the old turn, and the next turn starts 1.3 s after the first.

Targets: p95 under 60 / 60 / 50 ms, and at least 3x better than the SDK's figure where the SDK's is larger.
Run: .venv/bin/python benchmarks/latency.py [--turns 50] [--json benchmarks/results/latency.json]
"""

from __future__ import annotations

import argparse
import base64
import json
import platform
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import median, percentile  # noqa: E402
from benchmarks.sdk_baseline import SdkStyleAudio  # noqa: E402
from desktop.voice.agent.connection import AgentConnection, ConnectionConfig  # noqa: E402
from desktop.voice.agent.messages import AudioChunk, Interruption, ServerMessage  # noqa: E402
from desktop.voice.audio.streams import MicrophoneStream, SpeakerStream  # noqa: E402
from tests.fake_agent_server import FakeAgentServer  # noqa: E402
from tests.pcm import RATE, speech_like, write_wav  # noqa: E402
from tests.pulse import PulseServer, SpeakerMonitor  # noqa: E402

TARGET_P95_MS = {"capture_to_send": 60.0, "receive_to_speaker": 60.0, "interruption_to_silence": 50.0}
REQUIRED_RATIO = 3.0
TURN_AUDIO_S = 1.2
AGENT_CHUNK_S = 0.25
INTERRUPT_AFTER_S = 0.5
TURN_PERIOD_S = 1.3
WARM_UP_S = 1.0
LOUD = 2000  # the agent's tone peaks at 12000; silence and the mic's echo-free speaker are near 0


class AudioUnderTest(Protocol):
    name: str

    def start(self, on_captured: Callable[[bytes, float], None]) -> None: ...
    def play(self, pcm: bytes, event_id: int) -> None: ...
    def interrupt(self, event_id: int) -> None: ...
    def stop(self) -> None: ...


class OurAudio:
    name = "ours"

    def __init__(self) -> None:
        self.first_sample: dict[int, float] = {}  # PortAudio's own DAC-time estimate, a cross-check
        self.speaker = SpeakerStream(on_first_sample=self.first_sample.__setitem__)
        self.mic: MicrophoneStream | None = None

    def start(self, on_captured: Callable[[bytes, float], None]) -> None:
        self.speaker.start()
        self.mic = MicrophoneStream(on_captured)
        self.mic.start()

    def play(self, pcm: bytes, event_id: int) -> None:
        self.speaker.play(pcm, event_id)

    def interrupt(self, event_id: int) -> None:
        self.speaker.interrupt(event_id)

    def stop(self) -> None:
        assert self.mic is not None
        self.mic.stop()
        self.speaker.stop()


class SdkAudio:
    name = "sdk"

    def __init__(self) -> None:
        self.audio = SdkStyleAudio()

    def start(self, on_captured: Callable[[bytes, float], None]) -> None:
        self.audio.start(on_captured)

    def play(self, pcm: bytes, event_id: int) -> None:
        self.audio.play(pcm, event_id)

    def interrupt(self, event_id: int) -> None:
        self.audio.on_interruption(event_id)

    def stop(self) -> None:
        self.audio.stop()


class TimedServer(FakeAgentServer):
    """The fake agent server, noting when each mic frame arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.audio_arrivals: list[float] = []

    async def _on_frame(self, conn: Any, frame: dict[str, Any]) -> None:
        if "user_audio_chunk" in frame:
            self.audio_arrivals.append(time.monotonic())
            return  # not kept: thousands of frames of base64 would only cost memory
        await super()._on_frame(conn, frame)


@dataclass
class Run:
    captured: list[float] = field(default_factory=list)  # capture time of each chunk handed to the connection
    first_audio_at: dict[int, float] = field(default_factory=dict)  # client arrival of each turn's first chunk
    interrupt_at: dict[int, float] = field(default_factory=dict)  # client arrival, keyed by the interrupted turn
    turn_sent_at: dict[int, float] = field(default_factory=dict)


def audio_frame(pcm: bytes, event_id: int) -> dict[str, Any]:
    return {"type": "audio", "audio_event": {"audio_base_64": base64.b64encode(pcm).decode(), "event_id": event_id}}


def turn_tone(seconds: float, freq: float) -> bytes:
    t = np.arange(int(seconds * RATE)) / RATE
    return (np.cos(2 * np.pi * freq * t) * 12000).astype("<i2").tobytes()  # cos: loud from the first sample


def run_one(
    pulse: PulseServer, audio: AudioUnderTest, turns: int
) -> tuple[Run, list[float], np.ndarray, SpeakerMonitor]:
    run = Run()
    server = TimedServer().start()
    warmed = threading.Event()

    def on_message(message: ServerMessage) -> None:
        now = time.monotonic()
        if isinstance(message, AudioChunk):
            run.first_audio_at.setdefault(message.event_id, now)
            audio.play(message.pcm, message.event_id)
        elif isinstance(message, Interruption):
            run.interrupt_at[message.event_id - 1] = now
            audio.interrupt(message.event_id)

    connection = AgentConnection(on_message=on_message)
    connection.start(ConnectionConfig(agent_id="latency", api_url=server.http_url, max_queued_audio=1000))
    if not server.wait_connected(10):
        raise RuntimeError("the client did not connect to the fake server")
    started = time.monotonic()

    def on_captured(pcm: bytes, captured_at: float) -> None:
        if connection.send_audio(pcm):
            run.captured.append(captured_at)
        if captured_at - started > WARM_UP_S:
            warmed.set()

    try:
        with pulse.monitor_speaker() as monitor:
            audio.start(on_captured)
            if not warmed.wait(10):
                raise RuntimeError(f"{audio.name}: the microphone delivered nothing")
            chunk_bytes = int(AGENT_CHUNK_S * RATE) * 2
            schedule = time.monotonic() + 0.2
            for turn in range(turns):
                event_id = 2 * turn + 1  # the interruption takes event_id + 1; the next turn skips past it
                pause(schedule)
                run.turn_sent_at[event_id] = time.monotonic()
                pcm = turn_tone(TURN_AUDIO_S, 440.0)
                for offset in range(0, len(pcm), chunk_bytes):
                    server.send_json(audio_frame(pcm[offset : offset + chunk_bytes], event_id))
                pause(schedule + INTERRUPT_AFTER_S)
                server.send_json({"type": "interruption", "interruption_event": {"event_id": event_id + 1}})
                server.send_json(audio_frame(turn_tone(AGENT_CHUNK_S, 880.0), event_id))  # late, must not play
                schedule += TURN_PERIOD_S
            pause(schedule)
            monitor.wait_until(time.monotonic())
            heard = monitor.samples()
    finally:
        audio.stop()
        connection.close(2.0)
        server.stop()
    arrivals = server.audio_arrivals
    if connection.dropped_audio_chunks or len(arrivals) != len(run.captured):
        raise RuntimeError(
            f"{audio.name}: {len(run.captured)} chunks sent, {len(arrivals)} arrived, "
            f"{connection.dropped_audio_chunks} dropped: capture and arrival cannot be paired"
        )
    return run, arrivals, heard, monitor


def pause(until: float) -> None:
    """Pace the scripted agent (the scenario's own timing, not a wait for a result)."""
    delay = until - time.monotonic()
    if delay > 0:
        threading.Event().wait(delay)


def analyse(run: Run, arrivals: list[float], heard: np.ndarray, monitor: SpeakerMonitor) -> dict[str, Any]:
    capture = [
        (arrived - captured) * 1000
        for captured, arrived in zip(run.captured, arrivals, strict=True)
        if captured - run.captured[0] > WARM_UP_S
    ]
    loud = np.abs(heard.astype(np.int32)) > LOUD
    receive, silence, skipped = [], [], 0
    for event_id, arrived in sorted(run.first_audio_at.items()):
        interrupted = run.interrupt_at.get(event_id)
        start = monitor.index_at(arrived - 0.02)
        end = monitor.index_at(interrupted) if interrupted else len(heard)
        onset = np.flatnonzero(loud[start:end])
        if onset.size == 0 or interrupted is None:
            skipped += 1
            continue
        receive.append((monitor.time_of(start + int(onset[0])) - arrived) * 1000)
        next_turn = run.first_audio_at.get(event_id + 2, interrupted + TURN_PERIOD_S - INTERRUPT_AFTER_S)
        window = loud[monitor.index_at(interrupted - 0.05) : monitor.index_at(next_turn - 0.01)]
        if not window[: int(0.05 * RATE)].any():  # it was not playing when interrupted: nothing to measure
            skipped += 1
            continue
        last = monitor.index_at(interrupted - 0.05) + int(np.flatnonzero(window)[-1]) + 1
        silence.append((monitor.time_of(last) - interrupted) * 1000)
    return {
        "capture_to_send": summary(capture),
        "receive_to_speaker": summary(receive),
        "interruption_to_silence": summary(silence),
        "turns_skipped": skipped,
    }


def summary(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"n": 0}
    return {
        "n": len(samples),
        "median_ms": round(median(samples), 1),
        "p95_ms": round(percentile(samples, 0.95), 1),
        "p99_ms": round(percentile(samples, 0.99), 1),
        "max_ms": round(max(samples), 1),
    }


def verdicts(ours: dict[str, Any], sdk: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for metric, target in TARGET_P95_MS.items():
        mine, theirs = ours[metric]["p95_ms"], sdk[metric]["p95_ms"]
        sdk_is_larger = theirs > mine
        ratio = round(theirs / mine, 1) if sdk_is_larger and mine > 0 else None  # the 3x rule applies only then
        out[metric] = {
            "target_p95_ms": target,
            "meets_target": mine < target,
            "sdk_over_ours_p95": ratio,
            "meets_ratio": ratio is None or ratio >= REQUIRED_RATIO,
        }
    return out


def print_table(results: dict[str, Any]) -> None:
    ours, sdk, verdict = results["ours"], results["sdk"], results["verdict"]
    print(
        f"\n{'metric':<26}{'ours median':>12}{'ours p95':>10}{'sdk median':>12}{'sdk p95':>10}{'sdk/ours':>10}  target"
    )
    for metric in TARGET_P95_MS:
        a, b, v = ours[metric], sdk[metric], verdict[metric]
        ok = "ok" if v["meets_target"] and v["meets_ratio"] else "MISSED"
        ratio = f"{v['sdk_over_ours_p95']:.1f}x" if v["sdk_over_ours_p95"] is not None else "n/a"
        print(
            f"{metric:<26}{a['median_ms']:>12.1f}{a['p95_ms']:>10.1f}{b['median_ms']:>12.1f}{b['p95_ms']:>10.1f}"
            f"{ratio:>10}  p95<{v['target_p95_ms']:.0f}, >={REQUIRED_RATIO:.0f}x if SDK larger: {ok}"
        )
    print(
        "Speaker times are read from a timestamped recording of the virtual speaker's monitor (tests/pulse.py "
        "SpeakerMonitor); a figure near 0 means the first sample went out at once (an idle, underrun stream)."
    )
    estimate = ours.get("receive_to_speaker_portaudio_estimate")
    if estimate and estimate.get("n"):
        print(
            f"(ours, receive -> speaker by PortAudio's DAC time: median {estimate['median_ms']} ms, "
            f"p95 {estimate['p95_ms']} ms; the table uses the speaker's recorded monitor)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=50)
    parser.add_argument("--json", type=Path, default=Path(__file__).resolve().parent / "results" / "latency.json")
    args = parser.parse_args()
    if args.turns < 50:
        print("note: the issue asks for at least 50 turns", file=sys.stderr)
    results: dict[str, Any] = {
        "turns": args.turns,
        "agent_chunk_ms": AGENT_CHUNK_S * 1000,
        "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "method": "PulseAudio null sinks via ALSA's pulse plugin; speaker timed from its monitor source",
    }
    with PulseServer() as pulse:
        previous = pulse.export()
        try:
            speech = write_wav(pulse.root / "mic.wav", speech_like(args.turns * TURN_PERIOD_S * 2 + 10))
            player = pulse.start_playing_into_mic(speech)  # the trainee talks throughout, into the virtual mic
            try:
                for audio in (OurAudio(), SdkAudio()):
                    print(f"measuring {audio.name} over {args.turns} turns...", flush=True)
                    run, arrivals, heard, monitor = run_one(pulse, audio, args.turns)
                    results[audio.name] = analyse(run, arrivals, heard, monitor)
                    if isinstance(audio, OurAudio):
                        results["ours"]["receive_to_speaker_portaudio_estimate"] = summary(
                            [
                                (audio.first_sample[event_id] - arrived) * 1000
                                for event_id, arrived in run.first_audio_at.items()
                                if event_id in audio.first_sample
                            ]
                        )
            finally:
                player.terminate()
                player.wait(5)
        finally:
            pulse.restore(previous)
    results["verdict"] = verdicts(results["ours"], results["sdk"])
    print_table(results)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {args.json}")


if __name__ == "__main__":
    main()

"""Spoken turns with the practice partner through the virtual devices of a private PulseAudio: espeak-ng questions are
played into the virtual microphone, the app's own PortAudio streams and agent connection carry them to the partner
(run as `roleplay partner`, its own process), and the seller's voice comes out of the virtual speaker.

- reply: the end of the trainee's speech (last loud sample captured by the microphone) to the seller's first loud
  sample at the speaker (a timestamped recording of the speaker's monitor);
- first words: the start of the trainee's speech to the first `tentative_user_transcript` reaching the app;
- CPU: the partner process's CPU time over the run's wall time (100 % = one core of two);
- words: the WER of the final `user_transcript`s against what was said.

The same run measures the partner before this issue (commit 79a93a1: an energy detector, 700 ms of silence, no words)
from a temporary git worktree, for the ratio. `--echo` adds a loopback from the speaker to the microphone at -12 dB
(laptop speakers) and counts trainee lines that were the seller's own words.

Targets: reply p50 < 0.9 s and p95 < 1.3 s; first words p95 < 1.0 s.
Run: .venv/bin/python benchmarks/partner_latency.py [--turns 32] [--echo] [--no-baseline] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import median, percentile  # noqa: E402
from desktop.core.difficulty import Difficulty  # noqa: E402
from desktop.core.personas import load_builtin_personas  # noqa: E402
from desktop.core.prompts import build_agent_config  # noqa: E402
from desktop.core.scenarios import load_scenarios  # noqa: E402
from desktop.voice.agent.connection import AgentConnection, ConnectionConfig  # noqa: E402
from desktop.voice.agent.messages import (  # noqa: E402
    AgentResponse,
    AgentToolResponse,
    AudioChunk,
    Interruption,
    TentativeUserTranscript,
    UserTranscript,
)
from desktop.voice.audio.streams import MicrophoneStream, SpeakerStream  # noqa: E402
from tests.pcm import RATE, write_wav  # noqa: E402
from tests.pulse import MIC_FEED_SINK, SPEAKER_SINK, PulseServer  # noqa: E402
from tests.speech.spoken import TRAINEE_LINES, silence, speak, word_error_rate  # noqa: E402

BEFORE = "79a93a1"  # the last commit with the energy-only partner
LOUD = 1500


@dataclass
class Turn:
    said: str
    played_at: float = 0.0
    answered_at: float = 0.0
    heard: str = ""
    tentatives: list[float] = field(default_factory=list)


class Client:
    """The app's agent connection with real PortAudio streams on the virtual devices."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.cond = threading.Condition()
        self.messages: list[tuple[float, Any]] = []
        self.captured: list[tuple[float, bytes]] = []
        self.last_audio = 0.0
        self.ended = False
        self.call_from = 0  # index in `messages` of the current call's first message (the call is re-placed on end)
        self.speaker = SpeakerStream()
        self.mic = MicrophoneStream(self._captured)
        self.conn: AgentConnection | None = None

    def _captured(self, pcm: bytes, at: float) -> None:
        self.captured.append((at, pcm))
        if self.conn is not None:
            self.conn.send_audio(pcm)

    def _message(self, message: Any) -> None:
        now = time.monotonic()
        if isinstance(message, AudioChunk):
            self.speaker.play(message.pcm, message.event_id)
            self.last_audio = now
        elif isinstance(message, Interruption):
            self.speaker.interrupt(message.event_id)
        with self.cond:
            self.messages.append((now, message))
            if isinstance(message, AgentToolResponse):
                self.ended = True
            self.cond.notify_all()

    def _closed(self, _end: Any) -> None:
        with self.cond:
            self.ended = True
            self.cond.notify_all()

    def connect(self) -> None:
        persona = next(p for p in load_builtin_personas() if p.id == "rosa-delgado-bexar")
        scenario = next(s for s in load_scenarios() if s.id == "cold-call-first-contact")
        config = build_agent_config(persona, scenario, Difficulty.BEGINNER, "Sam")
        with self.cond:
            self.ended = False
            self.call_from = len(self.messages)  # the last call's greeting and lines are not this call's
        self.conn = AgentConnection(self._message, self._closed)
        self.conn.start(
            ConnectionConfig(
                agent_id="practice-partner",
                api_url=self.url,
                prompt=config.system_prompt,
                first_message=config.first_message,
                dynamic_variables=config.dynamic_variables,
                text_only=False,
                max_queued_audio=1000,
            )
        )
        self.wait(lambda: self.count(AgentResponse) >= 1, 20)

    def count(self, kind: type) -> int:
        return sum(isinstance(m, kind) for _, m in self.messages[self.call_from :])

    def wait(self, predicate, timeout: float) -> bool:
        with self.cond:
            return self.cond.wait_for(predicate, timeout)

    def quiet(self, seconds: float = 0.8, timeout: float = 30.0) -> None:
        """Until the seller's latest line has started playing, then stopped for `seconds`, and the speaker has played
        it all. (Its audio follows its `agent_response`: waiting only for a gap would end before the line began.)"""
        with self.cond:
            this_call = self.messages[self.call_from :]
            latest = max((m.event_id for _, m in this_call if isinstance(m, AgentResponse)), default=0)
        self.wait(
            lambda: any(isinstance(m, AudioChunk) and m.event_id >= latest for _, m in self.messages[self.call_from :]),
            10,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and time.monotonic() - self.last_audio < seconds:
            threading.Event().wait(0.05)  # polling the arrival clock: the seller streams at the pace it speaks
        self.speaker.drain(10.0)


def start_partner(cwd: Path, home: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", "partner", "--port", "0"],
        cwd=cwd,
        env={**env, "ROLEPLAY_HOME": str(home), "PYTHONPATH": str(cwd)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    if "listening on" not in first:
        process.kill()
        raise RuntimeError(f"the partner in {cwd} did not start: {first!r}")
    return process, first.split()[4]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(pulse: PulseServer, cwd: Path, turns: int, folder: Path, echo: bool) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="partner-bench-home-"))
    partner, url = start_partner(cwd, home, {**os.environ, **pulse.client_env()})
    client = Client(url)
    loopback = None
    if echo:
        loopback = pulse.pactl(
            "load-module", "module-loopback", f"source={SPEAKER_SINK}.monitor", f"sink={MIC_FEED_SINK}",
            "latency_msec=60",
        ).strip()  # fmt: skip
        for line in pulse.pactl("list", "short", "sink-inputs").splitlines():
            index, _sink, owner = line.split("\t")[:3]
            if owner == loopback:  # -12 dB: what laptop speakers leak into their microphone
                pulse.pactl("set-sink-input-volume", index, "25%")
    results: list[Turn] = []
    try:
        client.speaker.start()
        client.mic.start()
        with pulse.monitor_speaker() as monitor:
            client.connect()
            cpu_start, wall_start = cpu_seconds(partner.pid), time.monotonic()
            for index in range(turns):
                said = TRAINEE_LINES[index % len(TRAINEE_LINES)]
                if client.ended:
                    client.conn.close(2.0)
                    client.connect()
                client.quiet()
                wav = write_wav(folder / f"turn-{index}.wav", np.concatenate([speak(said, folder), silence(0.1)]))
                turn = Turn(said, played_at=time.monotonic())
                before = client.count(AgentResponse)
                pulse.play_into_mic(wav)
                client.wait(lambda b=before: client.count(AgentResponse) > b or client.ended, 20)
                turn.answered_at = time.monotonic()
                results.append(turn)
            client.quiet()
            cpu = cpu_seconds(partner.pid) - cpu_start
            wall = time.monotonic() - wall_start
            monitor.wait_until(time.monotonic())
            heard = monitor.samples()
            figures = analyse(client, results, heard, monitor)
    finally:
        if client.conn is not None:
            client.conn.close(2.0)
        client.mic.stop()
        client.speaker.stop()
        if loopback:
            pulse.pactl("unload-module", loopback)
        partner.terminate()
        partner.wait(10)
    figures["partner_cpu_percent_of_one_core"] = round(cpu / wall * 100, 1)
    return figures


def analyse(client: Client, turns: list[Turn], heard: np.ndarray, monitor: Any) -> dict[str, Any]:
    captured = [(at, np.abs(np.frombuffer(pcm, dtype="<i2").astype(np.int32))) for at, pcm in client.captured]
    loud_speaker = np.abs(heard.astype(np.int32)) > LOUD
    replies, first_words, rates, phantom = [], [], [], 0
    each: list[float | None] = []  # first words per turn, None where no tentative came before the reply
    finals = [(at, m) for at, m in client.messages if isinstance(m, UserTranscript)]
    seller_words = {w for _, m in client.messages if isinstance(m, AgentResponse) for w in m.text.lower().split()}
    for turn in turns:
        window = [(at, s) for at, s in captured if turn.played_at <= at <= turn.answered_at]
        loud_times = [
            at + int(np.flatnonzero(s > LOUD)[i]) / RATE for at, s in window for i in (0, -1) if (s > LOUD).any()
        ]
        if not loud_times:
            continue
        spoke_from, spoke_to = min(loud_times), max(loud_times)
        final = [m.text for at, m in finals if spoke_from <= at <= turn.answered_at]
        start = monitor.index_at(spoke_to)
        onset = np.flatnonzero(loud_speaker[start:])
        if onset.size and final:  # a turn the partner did not hear has no reply to time
            replies.append(monitor.time_of(start + int(onset[0])) - spoke_to)
        tentative = [at for at, m in client.messages if isinstance(m, TentativeUserTranscript) and at >= spoke_from]
        if tentative and tentative[0] <= turn.answered_at:
            first_words.append(tentative[0] - spoke_from)
        each.append(round(tentative[0] - spoke_from, 3) if tentative and tentative[0] <= turn.answered_at else None)
        if final:
            rates.append(word_error_rate(turn.said, final[-1]))
    for _, message in finals:
        words = message.text.lower().split()
        if words and sum(w in seller_words for w in words) / len(words) >= 0.8:
            phantom += 1  # the seller's own words stored as the trainee's
    return {
        "turns": len(turns),
        "reply_s": summary(replies),
        "first_words_s": summary(first_words),
        "first_words_each_s": each,
        "wer": round(sum(rates) / len(rates), 3) if rates else None,
        "trainee_lines": len(finals),
        "trainee_lines_that_were_the_seller": phantom,
    }


def summary(samples: list[float]) -> dict[str, Any]:
    if not samples:
        return {"n": 0}
    return {
        "n": len(samples),
        "p50": round(median(samples), 3),
        "p95": round(percentile(samples, 0.95), 3),
        "max": round(max(samples), 3),
    }


def before_worktree() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="partner-before-")) / "tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder), BEFORE], check=True,
                   capture_output=True)  # fmt: skip
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=32)
    parser.add_argument("--echo", action="store_true")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="partner-bench-"))
    results: dict[str, Any] = {}
    with PulseServer() as pulse:
        previous = pulse.export()
        try:
            results["now"] = run(pulse, ROOT, args.turns, folder, args.echo)
            if not args.no_baseline:
                tree = before_worktree()
                try:
                    results["before"] = run(pulse, tree, args.turns, folder, args.echo)
                finally:
                    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
        finally:
            PulseServer.restore(previous)
    if "before" in results:
        now, before = results["now"]["reply_s"], results["before"]["reply_s"]
        results["reply_ratio_before_over_now"] = {
            key: round(before[key] / now[key], 2) for key in ("p50", "p95") if now.get(key) and before.get(key)
        }
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""The real PortAudio path through a private PulseAudio's virtual mic and speaker (tests/pulse.py), with the agent
connection and the fake agent server on loopback: what the trainee says reaches the agent, what the agent says is
heard, interruptions silence the speaker, and device faults become plain-words errors."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from desktop.voice.agent.connection import AgentConnection, ConnectionConfig
from desktop.voice.agent.messages import AudioChunk, Interruption, ServerMessage
from desktop.voice.audio.devices import AudioDeviceError, list_input_devices, list_output_devices
from desktop.voice.audio.recorder import CallRecorder
from desktop.voice.audio.resample import pcm16_samples
from desktop.voice.audio.streams import MicrophoneStream, SpeakerStream
from tests.fake_agent_server import FakeAgentServer
from tests.pcm import RATE, best_correlation, read_wav, speech_like, write_wav
from tests.pulse import PulseServer

pytestmark = pytest.mark.timeout(120)


class Call:
    """An agent connection to the fake server whose audio goes to a speaker and whose interruptions interrupt it."""

    def __init__(self, server: FakeAgentServer, speaker: SpeakerStream | None = None) -> None:
        self.server = server
        self.speaker = speaker
        self.handled = 0  # audio and interruption messages passed to the speaker
        self._handled_changed = threading.Condition()
        self.connection = AgentConnection(on_message=self._on_message)
        self.connection.start(ConnectionConfig(agent_id="agent_audio", api_url=server.http_url))
        assert server.wait_connected(10)

    def _on_message(self, message: ServerMessage) -> None:
        if self.speaker is None:
            return
        if isinstance(message, AudioChunk):
            self.speaker.play(message.pcm, message.event_id)
        elif isinstance(message, Interruption):
            self.speaker.interrupt(message.event_id)
        else:
            return
        with self._handled_changed:
            self.handled += 1
            self._handled_changed.notify_all()

    def wait_handled(self, count: int, timeout: float = 10.0) -> bool:
        """Wait until the client has passed `count` audio/interruption messages to the speaker."""
        with self._handled_changed:
            return self._handled_changed.wait_for(lambda: self.handled >= count, timeout)

    def send_audio(self, pcm: bytes, event_id: int, chunk_seconds: float = 0.25) -> None:
        step = int(chunk_seconds * RATE) * 2
        for offset in range(0, len(pcm), step):
            encoded = base64.b64encode(pcm[offset : offset + step]).decode("ascii")
            self.server.send_json({"type": "audio", "audio_event": {"audio_base_64": encoded, "event_id": event_id}})

    def audio_frames(self) -> list[dict]:
        return [frame for frame in list(self.server.frames) if "user_audio_chunk" in frame]

    def received_pcm(self) -> bytes:
        return b"".join(base64.b64decode(frame["user_audio_chunk"]) for frame in self.audio_frames())


@pytest.fixture
def server() -> Iterator[FakeAgentServer]:
    with FakeAgentServer() as fake:
        yield fake


@pytest.fixture
def calls() -> Iterator[list[Call]]:
    made: list[Call] = []
    yield made
    for call in made:
        assert call.connection.close(2.0)


def tone(seconds: float, freq: float, rate: int = RATE, amplitude: float = 12000.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (np.cos(2 * np.pi * freq * t) * amplitude).astype("<i2")


def dominant_frequencies(samples: np.ndarray, rate: int = RATE, frame: int = 320) -> list[float | None]:
    """The loudest frequency of each 20 ms frame, or None where the frame is quiet."""
    found: list[float | None] = []
    for start in range(0, len(samples) - frame + 1, frame):
        piece = samples[start : start + frame].astype(float)
        if np.sqrt(np.mean(piece**2)) < 500:
            found.append(None)
            continue
        spectrum = np.abs(np.fft.rfft(piece * np.hanning(frame)))
        found.append(float(np.argmax(spectrum) * rate / frame))
    return found


def seconds_of(frequencies: list[float | None], freq: float, frame_seconds: float = 0.02) -> float:
    return sum(frame_seconds for found in frequencies if found is not None and abs(found - freq) <= 50)


def wait_for_chunks(call: Call, count: int, timeout: float = 10.0) -> bool:
    return call.server.wait_for(lambda: len(call.audio_frames()) >= count, timeout)


def speech_received(call: Call, speech: np.ndarray) -> float:
    """How well the audio the agent has received so far holds `speech` (normalised correlation, 1.0 is all of it)."""
    score, _ = best_correlation(speech, pcm16_samples(call.received_pcm()))
    return score


# --- devices ----------------------------------------------------------------------------------------------------------


def test_devices_are_listed_by_name_with_the_default_first(pulse: PulseServer) -> None:
    inputs, outputs = list_input_devices(), list_output_devices()
    assert inputs and inputs[0].is_default and inputs[0].is_input
    assert outputs and outputs[0].is_default and outputs[0].is_output
    assert "pulse" in {device.name for device in inputs}


def test_a_device_that_does_not_exist_is_a_plain_words_error(pulse: PulseServer) -> None:
    mic = MicrophoneStream(lambda pcm, at: None, device="USB Headset 3000")
    with pytest.raises(AudioDeviceError) as caught:
        mic.start()
    assert "USB Headset 3000" in caught.value.message and "Settings" in caught.value.message
    assert "pulse" in caught.value.detail  # the devices that do exist, for the log
    speaker = SpeakerStream(device="Bluetooth Speaker")
    with pytest.raises(AudioDeviceError, match="Bluetooth Speaker"):
        speaker.start()
    assert speaker.stop() and mic.stop()


def test_a_device_can_be_chosen_by_name_in_any_case(pulse: PulseServer) -> None:
    got = threading.Event()
    mic = MicrophoneStream(lambda pcm, at: got.set(), device="PULSE")
    mic.start()
    try:
        assert got.wait(10)
        assert mic.device is not None and mic.device.name == "pulse"
    finally:
        assert mic.stop()


# --- the trainee's side -----------------------------------------------------------------------------------------------


def test_speech_into_the_virtual_mic_reaches_the_agent_as_audio_chunks(
    pulse: PulseServer, server: FakeAgentServer, calls: list[Call], tmp_path: Path
) -> None:
    call = Call(server)
    calls.append(call)
    speech = speech_like(2.0)
    wav = write_wav(tmp_path / "trainee.wav", speech)
    segments = []
    mic = MicrophoneStream(lambda pcm, at: call.connection.send_audio(pcm), on_speech=segments.append)
    mic.start()
    try:
        assert wait_for_chunks(call, 5)  # the stream runs before the trainee speaks
        pulse.play_into_mic(wav)
        # Under load the capture path may lag the player by more than a few chunks: wait for the speech itself.
        assert server.wait_for(lambda: speech_received(call, speech) > 0.95, timeout=10)
    finally:
        assert mic.stop()
    frames = call.audio_frames()
    assert all(set(frame) == {"user_audio_chunk"} for frame in frames)  # audio frames carry no "type"
    assert {len(base64.b64decode(frame["user_audio_chunk"])) for frame in frames} == {640}  # 20 ms at 16 kHz
    assert segments and sum(segment.duration for segment in segments) > 0.8  # the trainee's speech was timed


def test_a_muted_mic_keeps_streaming_silence(
    pulse: PulseServer, server: FakeAgentServer, calls: list[Call], tmp_path: Path
) -> None:
    call = Call(server)
    calls.append(call)
    wav = write_wav(tmp_path / "trainee.wav", speech_like(1.0))
    stamps: list[float] = []
    mic = MicrophoneStream(lambda pcm, at: (stamps.append(at), call.connection.send_audio(pcm)))
    mic.set_muted(True)
    mic.start()
    try:
        assert wait_for_chunks(call, 5)
        first = len(call.audio_frames())
        pulse.play_into_mic(wav)
        assert wait_for_chunks(call, first + 60)  # chunks kept coming through the whole second of speech
    finally:
        assert mic.stop()
    assert not np.any(pcm16_samples(call.received_pcm()))
    assert mic.level == 0.0 and mic.speech_segments() == []
    assert np.median(np.diff(stamps)) == pytest.approx(0.02, abs=0.002)  # the same 20 ms cadence as unmuted


# --- the seller's side ------------------------------------------------------------------------------------------------


def test_agent_audio_is_heard_on_the_virtual_speaker(
    pulse: PulseServer, server: FakeAgentServer, calls: list[Call], tmp_path: Path
) -> None:
    started = threading.Event()
    firsts: list[tuple[int, float]] = []
    speaker = SpeakerStream(on_first_sample=lambda event_id, when: (firsts.append((event_id, when)), started.set()))
    speaker.start()
    call = Call(server, speaker)
    calls.append(call)
    voice = speech_like(1.5, seed=11)
    try:
        with pulse.record_speaker(tmp_path / "heard.wav") as heard:
            call.send_audio(voice.tobytes(), event_id=1)  # six 250 ms chunks
            assert started.wait(10) and call.wait_handled(6)
            assert speaker.drain(10)
            assert not speaker.is_speaking
    finally:
        assert speaker.stop()
    recorded, rate = read_wav(heard)
    score, _ = best_correlation(voice, recorded)
    assert rate == RATE and score > 0.95
    assert [event_id for event_id, _ in firsts] == [1]


def test_a_44_1_khz_agent_voice_plays_at_its_own_pitch(pulse: PulseServer) -> None:
    speaker = SpeakerStream(rate=44100)
    speaker.start()
    try:
        with pulse.monitor_speaker() as monitor:
            speaker.play(tone(0.5, 600.0, rate=44100).tobytes(), event_id=1)
            assert speaker.drain(10)
            assert monitor.wait_until(time.monotonic())
            heard = monitor.samples()
    finally:
        assert speaker.stop()
    assert seconds_of(dominant_frequencies(heard), 600.0) == pytest.approx(0.5, abs=0.06)


def test_interruption_silences_the_speaker_and_drops_late_audio_of_the_old_turn(
    pulse: PulseServer, server: FakeAgentServer, calls: list[Call]
) -> None:
    started = threading.Event()
    speaker = SpeakerStream(on_first_sample=lambda event_id, when: started.set() if event_id == 1 else None)
    speaker.start()
    call = Call(server, speaker)
    calls.append(call)
    try:
        with pulse.monitor_speaker() as monitor:
            call.send_audio(tone(3.0, 500.0).tobytes(), event_id=1)  # a long answer, queued far ahead
            assert started.wait(10)
            server.send_json({"type": "interruption", "interruption_event": {"event_id": 2}})
            call.send_audio(tone(1.0, 1000.0).tobytes(), event_id=1)  # late audio of the interrupted turn
            call.send_audio(tone(0.5, 1500.0).tobytes(), event_id=2)  # the reply carries the interruption's id
            assert call.wait_handled(12 + 1 + 4 + 2)  # everything sent has reached the speaker
            assert speaker.drain(10)
            assert monitor.wait_until(time.monotonic())
            frequencies = dominant_frequencies(monitor.samples())
    finally:
        assert speaker.stop()
    assert seconds_of(frequencies, 500.0) < 1.0  # of 3 s queued, only what played before the interruption
    assert seconds_of(frequencies, 1000.0) == 0.0
    assert seconds_of(frequencies, 1500.0) == pytest.approx(0.5, abs=0.06)
    assert speaker.playout.buffer.dropped_stale == 4  # the four 250 ms chunks of late audio


# --- both sides on one timeline ---------------------------------------------------------------------------------------


def test_the_recording_holds_both_sides_where_they_happened(
    pulse: PulseServer, server: FakeAgentServer, calls: list[Call], tmp_path: Path
) -> None:
    started_at = time.monotonic()
    recorder = CallRecorder(tmp_path / "call.wav", rate=RATE, started_at=started_at)
    first_sample: list[float] = []
    speaker = SpeakerStream(on_played=recorder.seller, on_first_sample=lambda event_id, when: first_sample.append(when))
    call = Call(server, speaker)
    calls.append(call)
    mic = MicrophoneStream(lambda pcm, at: (recorder.trainee(pcm, at), call.connection.send_audio(pcm)))
    trainee_voice, seller_voice = speech_like(1.5, seed=5), speech_like(1.0, seed=9)
    speaker.start()
    mic.start()
    try:
        pulse.play_into_mic(write_wav(tmp_path / "trainee.wav", trainee_voice))
        call.send_audio(seller_voice.tobytes(), event_id=1)
        assert call.wait_handled(4) and speaker.drain(10)
    finally:
        assert mic.stop() and speaker.stop()
    assert recorder.close() > 1500
    frames, rate = read_stereo(tmp_path / "call.wav")
    trainee_score, _ = best_correlation(trainee_voice, frames[:, 0])
    seller_score, seller_at = best_correlation(seller_voice, frames[:, 1])
    assert trainee_score > 0.95 and seller_score > 0.95
    assert seller_at == pytest.approx((first_sample[0] - started_at) * RATE, abs=RATE * 0.03)


def read_stereo(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as src:
        assert src.getnchannels() == 2
        return np.frombuffer(src.readframes(src.getnframes()), dtype="<i2").reshape(-1, 2), src.getframerate()


# --- faults -----------------------------------------------------------------------------------------------------------


def test_streams_cut_mid_call_are_reported_once_each(pulse: PulseServer) -> None:
    errors: list[AudioDeviceError] = []
    both_reported = threading.Condition()

    def on_error(error: AudioDeviceError) -> None:
        with both_reported:
            errors.append(error)
            both_reported.notify_all()

    running = threading.Event()
    mic = MicrophoneStream(lambda pcm, at: running.set(), on_error=on_error)
    speaker = SpeakerStream(on_error=on_error)
    mic.start()
    speaker.start()
    try:
        assert running.wait(10)
        assert pulse.kill_streams_of_process(os.getpid()) == 2  # as if the headset were yanked out
        with both_reported:
            assert both_reported.wait_for(lambda: len(errors) >= 2, 10)
    finally:
        assert mic.stop() and speaker.stop()
    assert sorted(error.message.split()[1] for error in errors) == ["microphone", "speaker"]
    assert all("stopped working" in error.message and "Settings" in error.message for error in errors)
    assert mic.error_reported and speaker.error_reported and len(errors) == 2


def test_a_hung_microphone_is_reported_after_the_stall_timeout(pulse: PulseServer) -> None:
    reported = threading.Event()
    errors: list[AudioDeviceError] = []
    chunks = threading.Semaphore(0)
    # The default stall timeout (3 s) allows for a slow device start; this stream is running before the hang.
    mic = MicrophoneStream(
        lambda pcm, at: chunks.release(), on_error=lambda e: (errors.append(e), reported.set()), stall_timeout=1.0
    )
    mic.start()
    try:
        for _ in range(10):
            assert chunks.acquire(timeout=10)
        pulse.suspend("virt_mic")
        assert reported.wait(10)
    finally:
        pulse.suspend("virt_mic", False)
        assert mic.stop()
    assert len(errors) == 1 and "no audio callback" in errors[0].detail


# Three threads each start and end 30 PortAudio sessions at once, as the Settings page does when a microphone test
# stops in the background while the speaker test starts. Unguarded, PortAudio aborts the process or lists nothing.
CONCURRENT_SESSIONS = """
import threading
from desktop.voice.audio.devices import list_input_devices, list_output_devices
empty = []
def sessions():
    for _ in range(30):
        if not list_input_devices() or not list_output_devices():
            empty.append(1)
threads = [threading.Thread(target=sessions) for _ in range(3)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("empty sessions:", len(empty))
"""


def test_portaudio_sessions_started_and_ended_on_several_threads_all_see_the_devices(pulse):
    child = subprocess.run(
        [sys.executable, "-c", CONCURRENT_SESSIONS], capture_output=True, text=True, timeout=90, env=os.environ
    )
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.strip() == "empty sessions: 0"

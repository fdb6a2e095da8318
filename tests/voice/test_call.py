"""The call state machine against the fake agent server over a real socket, with a real SQLite store.

Voice calls here use in-memory audio ports (the device boundary); the real PortAudio path is tested in
test_audio_pulse.py. Waits are on events with a timeout, never sleeps.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator

import pytest

from desktop.core.difficulty import Difficulty
from desktop.core.personas import load_builtin_personas
from desktop.core.scenarios import load_scenarios
from desktop.core.transcript import Speaker
from desktop.voice.call.engine import Call
from desktop.voice.call.event_log import call_log_path, read_call_log
from desktop.voice.call.events import (
    CallEnded,
    CallState,
    Connected,
    EndReason,
    LineCorrected,
    LineFinalized,
    StateChanged,
    TimeWarning,
)
from desktop.voice.call.setup import AgentTarget, AudioPorts, CallSetup
from tests.fake_agent_server import FakeAgentServer

WAIT = 5.0
PERSONA = load_builtin_personas()[0]
SCENARIOS = {s.id: s for s in load_scenarios()}


class Events:
    def __init__(self) -> None:
        self.items: list[object] = []
        self._cond = threading.Condition()

    def __call__(self, event: object) -> None:
        with self._cond:
            self.items.append(event)
            self._cond.notify_all()

    def wait(self, predicate, timeout: float = WAIT) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self.items), timeout)

    def of(self, kind: type) -> list:
        with self._cond:
            return [e for e in self.items if isinstance(e, kind)]

    def wait_for(self, kind: type, count: int = 1, timeout: float = WAIT) -> list:
        assert self.wait(lambda items: sum(isinstance(e, kind) for e in items) >= count, timeout), (
            f"no {count} x {kind.__name__} in {self.items}"
        )
        return self.of(kind)


class MemorySpeaker:
    """The device boundary: keeps what it was asked to play, honouring the interruption rule."""

    def __init__(self) -> None:
        self.played: list[tuple[int, bytes]] = []
        self.interrupts: list[int] = []
        self.drained = 0
        self.stopped = False
        self._last_interrupt = -1
        self._lock = threading.Lock()

    def start(self) -> None: ...

    def play(self, pcm: bytes, event_id: int) -> None:
        with self._lock:
            if event_id >= self._last_interrupt:
                self.played.append((event_id, pcm))

    def interrupt(self, event_id: int) -> None:
        with self._lock:
            self._last_interrupt = event_id
            self.interrupts.append(event_id)

    def drain(self, timeout: float) -> bool:
        self.drained += 1
        return True

    def stop(self) -> None:
        self.stopped = True

    @property
    def is_speaking(self) -> bool:
        return False


class MemoryMicrophone:
    def __init__(self) -> None:
        self.muted = False
        self.started = self.stopped = False
        self.segments: list[tuple[float, float]] = []

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.stopped = True

    def set_agent_speaking(self, speaking: bool) -> None: ...

    def speech_segments(self) -> list[tuple[float, float]]:
        return list(self.segments)


class Ports:
    def __init__(self, fail_with: Exception | None = None) -> None:
        self.mic = MemoryMicrophone()
        self.speaker = MemorySpeaker()
        self.send_chunk = None
        self.fail_with = fail_with

    def __call__(self, input_rate, output_rate, on_chunk, on_error, t0) -> AudioPorts:
        if self.fail_with is not None:
            raise self.fail_with
        self.send_chunk = on_chunk
        return AudioPorts(self.mic, self.speaker)


@pytest.fixture
def server() -> Iterator[FakeAgentServer]:
    with FakeAgentServer() as fake:
        yield fake


def _setup(server: FakeAgentServer, mode: str = "text", scenario: str = "cold-call-first-contact", **kw) -> CallSetup:
    return CallSetup(
        persona=PERSONA,
        scenario=SCENARIOS[scenario],
        difficulty=Difficulty.PRO,
        target=AgentTarget("partner", "agent_test", server.http_url),
        mode=mode,
        trainee_name="Sam",
        **kw,
    )


@pytest.fixture
def calls() -> Iterator[list[Call]]:
    made: list[Call] = []
    yield made
    for call in made:
        call.hang_up()
        call.wait_ended(WAIT)
        assert call.join(), "a call thread outlived the test"


def _place(calls, setup, repo, events, tmp_path=None, **kw) -> Call:
    call = Call(setup, repo, listener=events, event_log_dir=tmp_path, **kw)
    calls.append(call)
    call.start()
    return call


def _agent(server: FakeAgentServer, text: str, event_id: int) -> None:
    server.send_json({"type": "agent_response", "agent_response_event": {"agent_response": text, "event_id": event_id}})


def _audio(server: FakeAgentServer, pcm: bytes, event_id: int) -> None:
    chunk = base64.b64encode(pcm).decode()
    server.send_json({"type": "audio", "audio_event": {"audio_base_64": chunk, "event_id": event_id}})


def test_typed_call_stores_each_line_before_reporting_it(server, repo, queries, calls, tmp_path) -> None:
    events = Events()
    stored_when_reported: list[bool] = []

    def listener(event: object) -> None:
        if isinstance(event, LineFinalized):
            record = queries.get_session(call.session_id)
            stored_when_reported.append(any(line.text == event.line.text for line in record.lines))
        events(event)

    call = Call(_setup(server), repo, listener=listener, event_log_dir=tmp_path)
    calls.append(call)
    call.start()
    events.wait_for(Connected)
    first = server.first_frames[0]
    assert first["conversation_config_override"]["conversation"]["text_only"] is True
    assert first["dynamic_variables"]["persona_id"] == PERSONA.id
    call.send_text("Hi, is this about the land on Route 9?")
    events.wait_for(LineFinalized, 3)  # the greeting, the trainee's line, then the echo agent's reply
    call.hang_up()
    outcome = call.wait_ended(WAIT)
    assert outcome is not None and outcome.end_reason is EndReason.USER_HANGUP and outcome.status == "completed"
    assert call.join()
    assert stored_when_reported == [True, True, True]
    record = queries.get_session(outcome.session_id)
    assert record.lines[0].speaker is Speaker.SELLER  # the persona's first message
    assert [(ln.speaker, ln.text) for ln in record.lines[1:]] == [
        (Speaker.TRAINEE, "Hi, is this about the land on Route 9?"),
        (Speaker.SELLER, "Hi, is this about the land on Route 9?"),
    ]
    assert record.summary.status == "completed" and record.summary.end_reason == "user_hangup"
    assert record.metrics is not None and record.metrics.talk_ratio is None  # typed: no fake timing
    assert server.client_close == (1000, "User ended conversation")
    log = read_call_log(call_log_path(tmp_path, outcome.client_session_id))
    summary = log[-1]
    assert summary["type"] == "summary" and summary["one_conversation"] is True
    assert summary["conversation_ids"] == ["conv_fake_1"]
    assert "Route 9" not in call_log_path(tmp_path, outcome.client_session_id).read_text()  # sizes, not payloads


def test_agent_close_1000_is_an_agent_hangup_and_drains_audio(server, repo, queries, calls) -> None:
    events, ports = Events(), Ports()
    call = _place(calls, _setup(server, mode="voice"), repo, events, audio_factory=ports)
    events.wait_for(Connected)
    _agent(server, "Well, I'm not sure I want to sell. Goodbye.", 101)
    _audio(server, b"\x01\x00" * 800, 101)
    events.wait_for(LineFinalized, 2)
    server.close(1000, "end_call")
    outcome = call.wait_ended(WAIT)
    assert outcome.end_reason is EndReason.AGENT_HANGUP and outcome.status == "completed"
    assert ports.speaker.drained == 1 and ports.speaker.stopped and ports.mic.stopped
    assert call.join()
    record = queries.get_session(outcome.session_id)
    assert record.summary.end_reason == "agent_hangup"
    assert record.lines[1].duration_ms == 50  # 800 samples at 16 kHz: the measured audio, not the estimate


def test_interruption_drops_old_audio_and_correction_is_stored(server, repo, queries, calls) -> None:
    events, ports = Events(), Ports()
    call = _place(calls, _setup(server, mode="voice"), repo, events, audio_factory=ports)
    events.wait_for(Connected)
    _agent(server, "Onboarding is our biggest concern, honestly. Last vendor took six months.", 3)
    _audio(server, b"\x03\x00" * 160, 3)
    events.wait_for(LineFinalized, 2)
    server.send_json({"type": "interruption", "interruption_event": {"event_id": 4}})
    _audio(server, b"\x03\x00" * 160, 3)  # late audio of the interrupted turn: dropped
    _audio(server, b"\x04\x00" * 160, 4)  # the reply with the interruption's own id: plays
    server.send_json(
        {
            "type": "agent_response_correction",
            "agent_response_correction_event": {
                "original_agent_response": "Onboarding is our biggest concern, honestly. Last vendor took six months.",
                "corrected_agent_response": "Onboarding is our biggest concern,",
                "event_id": 3,
            },
        }
    )
    corrected = events.wait_for(LineCorrected)[0]
    assert corrected.line.text == "Onboarding is our biggest concern," and corrected.line.interrupted
    assert [eid for eid, _ in ports.speaker.played] == [3, 4]
    assert ports.speaker.interrupts == [4]
    call.hang_up()
    outcome = call.wait_ended(WAIT)
    record = queries.get_session(outcome.session_id)
    assert record.lines[1].text == "Onboarding is our biggest concern," and record.lines[1].interrupted


def test_server_error_1011_mid_call_keeps_the_lines(server, repo, queries, calls) -> None:
    events = Events()
    call = _place(calls, _setup(server), repo, events)
    events.wait_for(Connected)
    call.send_text("Hello there")
    events.wait_for(LineFinalized, 3)
    server.close(1011, "internal error")
    outcome = call.wait_ended(WAIT)
    assert outcome.end_reason is EndReason.ERROR and outcome.status == "interrupted" and outcome.code == 1011
    assert outcome.message  # plain words for the trainee
    assert call.join()
    record = queries.get_session(outcome.session_id)
    assert len(record.lines) == 3 and record.summary.status == "interrupted"
    assert record.error_message == outcome.message


def test_dropped_tcp_connection_is_connection_lost(server, repo, queries, calls) -> None:
    events = Events()
    call = _place(calls, _setup(server), repo, events)
    events.wait_for(Connected)
    call.send_text("Are you still there?")
    events.wait_for(LineFinalized, 3)
    server.drop()
    outcome = call.wait_ended(WAIT)
    assert outcome.end_reason is EndReason.CONNECTION_LOST and outcome.status == "interrupted"
    assert call.join()
    assert queries.get_session(outcome.session_id).summary.end_reason == "connection_lost"


def test_unreachable_agent_fails_with_the_session_kept(repo, queries, calls) -> None:
    events = Events()
    setup = CallSetup(
        persona=PERSONA,
        scenario=SCENARIOS["cold-call-first-contact"],
        difficulty=Difficulty.ROOKIE,
        target=AgentTarget("elevenlabs", "agent_x", "http://127.0.0.1:9"),  # nothing listens on the discard port
        mode="text",
    )
    call = _place(calls, setup, repo, events)
    outcome = call.wait_ended(WAIT * 2)
    assert outcome.status == "failed" and outcome.end_reason is EndReason.ERROR and outcome.message
    assert call.join()
    record = queries.get_session(outcome.session_id)
    assert record.summary.status == "failed" and record.error_message == outcome.message


def test_missing_microphone_is_a_clear_call_error(server, repo, queries, calls) -> None:
    class NoDevice(Exception):
        message = "No microphone found. Plug one in or pick another in Settings."

    events = Events()
    call = _place(calls, _setup(server, mode="voice"), repo, events, audio_factory=Ports(fail_with=NoDevice()))
    outcome = call.wait_ended(WAIT)
    assert outcome.end_reason is EndReason.ERROR and outcome.message == NoDevice.message
    assert call.join()
    assert server.client_close is not None and server.client_close[0] == 1000


def test_time_limit_warns_then_hangs_up(server, repo, queries, calls) -> None:
    now = [100.0]
    events = Events()
    call = _place(calls, _setup(server, max_seconds=180), repo, events, clock=lambda: now[0])
    events.wait_for(Connected)
    now[0] += 61  # 119 s left: inside the warning window
    events.wait_for(TimeWarning)
    now[0] += 120
    outcome = call.wait_ended(WAIT)
    assert outcome.end_reason is EndReason.TIME_LIMIT and outcome.status == "completed"
    assert len(events.of(TimeWarning)) == 1


def test_drill_ends_after_its_exchanges(server, repo, queries, calls) -> None:
    events = Events()
    call = _place(calls, _setup(server, scenario="objection-drill"), repo, events)
    events.wait_for(Connected)
    for turn in range(5):
        call.send_text(f"Answer number {turn + 1}")
        events.wait_for(LineFinalized, 1 + 2 * (turn + 1))  # the greeting, then exchanges
    outcome = call.wait_ended(WAIT)
    assert outcome.end_reason is EndReason.AGENT_HANGUP and outcome.line_count == 11


def test_states_run_dialing_connected_ending_ended(server, repo, calls) -> None:
    events = Events()
    call = _place(calls, _setup(server), repo, events)
    events.wait_for(Connected)
    call.hang_up()
    events.wait_for(CallEnded)
    states = [e.state for e in events.of(StateChanged)]
    assert states == [CallState.DIALING, CallState.CONNECTED, CallState.ENDING, CallState.ENDED]


def test_memory_goes_to_the_agent_as_variables_and_a_contextual_update(server, repo, calls) -> None:
    events = Events()
    setup = _setup(
        server, trainee_summary="Two calls before; weakest at closing.", memory_variables={"previous_calls": 2}
    )
    call = _place(calls, setup, repo, events)
    events.wait_for(Connected)
    assert server.wait_for(lambda: bool(server.frames_of("contextual_update")))
    assert server.frames_of("contextual_update")[0]["text"] == "Two calls before; weakest at closing."
    assert server.first_frames[0]["dynamic_variables"]["previous_calls"] == 2
    prompt = server.first_frames[0]["conversation_config_override"]["agent"]["prompt"]["prompt"]
    assert "weakest at closing" in prompt
    call.hang_up()
    call.wait_ended(WAIT)


def test_the_recording_path_is_stored_while_the_call_runs(server, repo, queries, calls, tmp_path) -> None:
    from desktop.voice.audio.recorder import CallRecorder

    recorder = CallRecorder(tmp_path / "call.wav")
    ports = Ports()

    def factory(*args) -> AudioPorts:
        made = Ports.__call__(ports, *args)
        made.recorder = recorder
        return made

    events = Events()
    call = _place(calls, _setup(server, mode="voice"), repo, events, audio_factory=factory)
    events.wait_for(Connected)
    # A crash from here on still leaves the session pointing at its audio.
    assert queries.get_session(call.session_id).recording_path == str(tmp_path / "call.wav")
    call.hang_up()
    outcome = call.wait_ended(WAIT)
    assert outcome.recording_path == str(tmp_path / "call.wav")

"""The call screen end to end: real widgets (offscreen), the real call engine over a real socket to the fake agent
server, a real SQLite store, in-memory audio ports at the device boundary. Waits use qtbot with timeouts, no sleeps.
"""

from __future__ import annotations

import base64
import os
import socket
import threading
import wave
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF, QSettings, Qt
from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter
from PySide6.QtMultimedia import QVideoFrame
from PySide6.QtWidgets import QApplication

from desktop.core.difficulty import Difficulty
from desktop.core.limits import TimerState
from desktop.core.live_transcript import LinePartial
from desktop.core.personas import load_builtin_personas
from desktop.core.scenarios import load_scenarios
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.secrets import set_secret
from desktop.settings import Settings
from desktop.ui import call_sounds, theme
from desktop.ui.call_adapter import CallAdapter
from desktop.ui.call_controller import CallController, CallPlan
from desktop.ui.call_hints import CallHints
from desktop.ui.call_screen import CallScreen
from desktop.ui.requests import CallRequest
from desktop.ui.self_view import LIVE, NO_CAMERA, OFF, SelfView
from desktop.ui.transcript_view import TranscriptView
from desktop.voice.call_events import CallState, FinalLine, PartialLine, StateChanged, TimerTick
from desktop.voice.call_setup import AudioPorts
from tests.fake_agent_server import FakeAgentServer
from tests.pulse import speech_like, write_wav

WAIT_MS = 8000
PERSONA = load_builtin_personas()[0]
SCENARIOS = {s.id: s for s in load_scenarios()}
SCENARIO = SCENARIOS["cold-call-first-contact"]
SCREENSHOTS = os.environ.get("ROLEPLAY_SCREENSHOTS") == "1"


# --- the device boundary and seams --------------------------------------------------------------------------------


class MemoryMicrophone:
    def __init__(self) -> None:
        self.muted = False
        self.level = 0.0
        self.stopped = False

    def start(self) -> None: ...

    def stop(self) -> None:
        self.stopped = True

    def set_agent_speaking(self, speaking: bool) -> None: ...

    def speech_segments(self) -> list[tuple[float, float]]:
        return []


class MemorySpeaker:
    def __init__(self) -> None:
        self.played: list[tuple[int, bytes]] = []
        self.level = 0.0
        self.is_speaking = False
        self.stopped = False
        self._lock = threading.Lock()

    def start(self) -> None: ...

    def play(self, pcm: bytes, event_id: int) -> None:
        with self._lock:
            self.played.append((event_id, pcm))

    def interrupt(self, event_id: int) -> None: ...

    def drain(self, timeout: float) -> bool:
        return True

    def stop(self) -> None:
        self.stopped = True


class MemoryPorts:
    """An AudioFactory with in-memory devices; `fail` raises as a device that cannot open would."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.mic = MemoryMicrophone()
        self.speaker = MemorySpeaker()
        self.on_error = None
        self.fail = fail

    def __call__(self, input_rate, output_rate, on_chunk, on_error, t0) -> AudioPorts:
        if self.fail is not None:
            raise self.fail
        self.on_error = on_error
        return AudioPorts(self.mic, self.speaker)


class FakePartner:
    def __init__(self, url: str, fail: bool = False) -> None:
        self.url, self.fail, self.stopped = url, fail, False

    def start(self) -> str:
        if self.fail:
            raise OSError("address in use")
        return self.url

    def stop(self) -> None:
        self.stopped = True


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance_to(self, elapsed_from: float, seconds: float) -> None:
        with self._lock:
            self.now = elapsed_from + seconds


@pytest.fixture
def server():
    with FakeAgentServer() as fake:
        yield fake


def _state(repo, queries, **settings) -> SimpleNamespace:
    return SimpleNamespace(settings=Settings(**settings), repository=repo, queries=queries)


@pytest.fixture
def make_screen(qtbot, repo, queries, server):
    made: list[CallController] = []

    def make(*, ports=None, partner=None, settings=None, **controller_kw) -> CallScreen:
        state = _state(repo, queries, **(settings or {}))
        controller = CallController(
            state,
            partner_factory=lambda: partner or FakePartner(server.http_url),
            audio_factory=(lambda: ports) if ports is not None else None,
            device_lister=lambda: (["Headset mic", "Laptop mic"], ["Headset", "Laptop speakers"]),
            **controller_kw,
        )
        made.append(controller)
        screen = CallScreen(controller, end_pause_ms=0)
        screen.setStyleSheet(theme.STYLESHEET + screen.styleSheet())  # as the app's global stylesheet would
        qtbot.addWidget(screen)
        screen.resize(1180, 820)
        screen.show()
        qtbot.waitExposed(screen)
        screen.activateWindow()
        qtbot.waitUntil(screen.isActiveWindow, timeout=WAIT_MS)  # window shortcuts (Space, Esc) need it
        return screen

    yield make
    for controller in made:
        controller.shutdown()


def _plan(typed: bool, practice: bool = True) -> CallPlan:
    return CallPlan(PERSONA, SCENARIO, Difficulty.PRO, practice_mode=practice, typed=typed)


def _connect(qtbot, screen: CallScreen, plan: CallPlan) -> None:
    assert screen.controller.place(plan)
    qtbot.waitUntil(lambda: screen.state is CallState.CONNECTED, timeout=WAIT_MS)
    _wait_for_greeting(qtbot, screen)


def _wait_for_greeting(qtbot, screen: CallScreen) -> None:
    """The agent says its first message as soon as the call connects, as the real service does."""
    qtbot.waitUntil(lambda: len(screen.page.transcript.model.entries()) >= 1, timeout=WAIT_MS)
    assert screen.page.transcript.model.entry(0).speaker is Speaker.SELLER


def _entries(screen: CallScreen):
    """The transcript after the seller's greeting."""
    return screen.page.transcript.model.entries()[1:]


def _agent(server, text: str, event_id: int) -> None:
    server.send_json({"type": "agent_response", "agent_response_event": {"agent_response": text, "event_id": event_id}})


def _shot(widget, name: str, tmp_path: Path) -> Path:
    folder = Path(__file__).resolve().parents[1] / "docs" / "screenshots" if SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    image = widget.grab().toImage()
    assert image.save(str(path))
    colours = {image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}
    assert len(colours) > 20, f"{name}.png looks blank"
    return path


# --- a whole call through the screen --------------------------------------------------------------------------------


def test_typed_call_dials_connects_shows_lines_and_ends_with_esc(qtbot, make_screen, server, queries, tmp_path):
    screen = make_screen()
    assert screen.controller.place(_plan(typed=True))
    assert screen.pages.currentWidget() is screen.dialing
    assert screen.ringer.ringing and screen.dialing.ringing
    assert screen.dialing.name.text() == PERSONA.name
    assert screen.ringer.source.endswith("ring.wav")
    qtbot.waitUntil(lambda: screen.state is CallState.CONNECTED, timeout=WAIT_MS)
    assert screen.pages.currentWidget() is screen.page
    assert not screen.ringer.ringing and not screen.dialing.ringing
    _wait_for_greeting(qtbot, screen)

    page = screen.page
    assert page.typing.isVisible() and page.hints.isVisible()
    page.typing.input.setText("Hi Walter, this is Sam. I'm calling about your land. Is now a good time?")
    qtbot.keyClick(page.typing.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(_entries(screen)) == 2, timeout=WAIT_MS)  # the trainee's line and the echo
    trainee, seller = _entries(screen)
    assert trainee.speaker is Speaker.TRAINEE and trainee.final
    assert seller.speaker is Speaker.SELLER and seller.text == trainee.text
    assert page.hints.state.stage != "intro"  # greeting, name and reason were heard

    # A partial line shows in grey, then the final one replaces it where it stands.
    server.send_json(
        {
            "type": "tentative_user_transcript",
            "tentative_user_transcription_event": {"user_transcript": "so", "event_id": 30},
        }
    )
    qtbot.waitUntil(lambda: len(_entries(screen)) == 3 and not _entries(screen)[2].final, timeout=WAIT_MS)
    assert _entries(screen)[2].text == "so"
    server.send_json(
        {
            "type": "user_transcript",
            "user_transcription_event": {"user_transcript": "So what happened?", "event_id": 30},
        }
    )
    qtbot.waitUntil(lambda: _entries(screen)[2].final, timeout=WAIT_MS)
    assert len(_entries(screen)) == 3 and _entries(screen)[2].text == "So what happened?"

    # The seller's line, then the correction to what the trainee heard, applied in place.
    _agent(server, "Well, my brother and I inherited it and nobody uses it anymore.", 40)
    qtbot.waitUntil(lambda: len(_entries(screen)) == 4, timeout=WAIT_MS)
    server.send_json(
        {
            "type": "agent_response_correction",
            "agent_response_correction_event": {
                "original_agent_response": "Well, my brother and I inherited it and nobody uses it anymore.",
                "corrected_agent_response": "Well, my brother and I",
                "event_id": 40,
            },
        }
    )
    qtbot.waitUntil(lambda: _entries(screen)[3].interrupted, timeout=WAIT_MS)
    assert _entries(screen)[3].text == "Well, my brother and I"

    # Esc asks first; Esc again takes it back; Esc then Enter ends the call.
    qtbot.keyClick(screen, Qt.Key.Key_Escape)
    assert page.confirm.isVisible() and screen.state is CallState.CONNECTED
    qtbot.keyClick(screen, Qt.Key.Key_Escape)
    assert not page.confirm.isVisible()
    qtbot.keyClick(screen, Qt.Key.Key_Escape)
    with qtbot.waitSignal(screen.call_finished, timeout=WAIT_MS) as finished:
        qtbot.keyClick(page.confirm.end, Qt.Key.Key_Return)
    session_id = finished.args[0]
    record = queries.get_session(session_id)
    assert record.summary.status == "completed" and record.summary.end_reason == "user_hangup"
    lines = record.lines[1:]  # after the greeting
    assert [ln.text for ln in lines][:2] == [trainee.text, trainee.text]
    assert lines[3].text == "Well, my brother and I" and lines[3].interrupted
    assert screen.page.header.timer.text() == "Call ended"
    assert server.client_close == (1000, "User ended conversation")


def test_voice_call_mute_keypad_levels_and_agent_hangup(qtbot, make_screen, server, queries, tmp_path):
    ports = MemoryPorts()
    screen = make_screen(ports=ports)
    _connect(qtbot, screen, _plan(typed=False))
    page = screen.page
    assert not page.typing.isVisible() and page.controls.mute_button.isEnabled()
    qtbot.waitUntil(lambda: len(page.controls.devices_menu.actions()) > 4, timeout=WAIT_MS)
    names = [a.text() for a in page.controls.devices_menu.actions() if a.isCheckable()]
    assert names == ["Headset mic", "Laptop mic", "Headset", "Laptop speakers"]

    qtbot.keyClick(screen, Qt.Key.Key_Space)  # Space mutes...
    qtbot.waitUntil(lambda: ports.mic.muted, timeout=WAIT_MS)
    assert page.controls.mute_button.isChecked() and page.controls.mute_button.text() == "Unmute"
    qtbot.keyClick(screen, Qt.Key.Key_Space)  # ...and unmutes
    qtbot.waitUntil(lambda: not ports.mic.muted, timeout=WAIT_MS)

    # The keypad plays tones and sends the digits as one typed turn.
    qtbot.mouseClick(page.controls.keypad_button, Qt.MouseButton.LeftButton)
    assert page.keypad.isVisible()
    for key in ("4", "2", "#"):
        qtbot.mouseClick(page.keypad.buttons[key], Qt.MouseButton.LeftButton)
    assert screen.dtmf.played[-3:] == ["4", "2", "#"]
    assert server.wait_for(lambda: any(f.get("text") == "42" for f in server.frames_of("user_message")), 5)

    # Agent audio reaches the speaker; the voice ring and the mic meter follow the polled levels.
    chunk = base64.b64encode(b"\x10\x00" * 1600).decode()
    server.send_json({"type": "audio", "audio_event": {"audio_base_64": chunk, "event_id": 5}})
    ports.speaker.level, ports.mic.level, ports.speaker.is_speaking = 0.2, 0.15, True
    qtbot.waitUntil(lambda: page.ai_panel.status_key == "speaking", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.ai_panel.ring.shown_level > 0.5 and page.controls.meter.level > 0.5, timeout=WAIT_MS)
    assert ports.speaker.played and ports.speaker.played[0][0] == 5
    _agent(server, "I'm not in any hurry to sell, honestly. It's been in the family for generations.", 6)
    qtbot.waitUntil(
        lambda: any(c.property("kind") == "raised" for c in page.hints.objection_chips.values()), timeout=WAIT_MS
    )
    page.self_view.surface.videoSink().setVideoFrame(QVideoFrame(_portrait()))
    qtbot.waitUntil(lambda: page.self_view.state == LIVE, timeout=WAIT_MS)

    ports.speaker.is_speaking = False
    with qtbot.waitSignal(screen.call_finished, timeout=WAIT_MS) as finished:
        server.close(1000, "end_call")
    assert screen.page.header.timer.text() == "The seller hung up"
    assert ports.mic.stopped and ports.speaker.stopped
    assert page.self_view.state != LIVE  # the camera is released with the call
    record = queries.get_session(finished.args[0])
    assert record.summary.end_reason == "agent_hangup" and record.summary.mode == "voice"
    hurry = "I'm not in any hurry to sell, honestly. It's been in the family for generations."
    assert [(ln.speaker, ln.text) for ln in record.lines[1:]] == [
        (Speaker.TRAINEE, "42"),
        (Speaker.SELLER, "42"),  # the fake server echoes typed turns
        (Speaker.SELLER, hurry),
    ]


def test_place_call_from_a_request_reads_the_catalog_off_the_gui_thread(qtbot, make_screen):
    screen = make_screen(ports=MemoryPorts())
    with qtbot.waitSignal(screen.controller.preparing, timeout=WAIT_MS) as preparing:
        assert screen.controller.place_call(
            CallRequest(PERSONA.id, SCENARIO.id, "elite", practice_mode=False, typed=True)
        )
    plan = preparing.args[0]
    assert plan.persona.id == PERSONA.id and plan.difficulty is Difficulty.ELITE and plan.typed
    qtbot.waitUntil(lambda: screen.state is CallState.CONNECTED, timeout=WAIT_MS)
    assert not screen.page.hints.isVisible()  # Exam mode: no hints
    with qtbot.waitSignal(screen.call_finished, timeout=WAIT_MS):
        qtbot.mouseClick(screen.page.controls.end_button, Qt.MouseButton.LeftButton)

    # The next call, by voice: the screen starts clean, with no typing line left over from the typed call.
    _connect(qtbot, screen, _plan(typed=False))
    controls = screen.page.controls
    assert not screen.page.typing.isVisible() and not controls.typing_button.isChecked()
    assert controls.typing_button.isEnabled() and controls.mute_button.isEnabled()
    assert len(screen.page.transcript.model.entries()) == 1  # only the new greeting


def test_cancel_while_dialing_goes_back_without_feedback(qtbot, make_screen, queries):
    screen = make_screen()
    finished: list[int] = []
    screen.call_finished.connect(finished.append)
    with qtbot.waitSignal(screen.closed, timeout=WAIT_MS):
        screen.controller.place(_plan(typed=True))
        qtbot.keyClick(screen, Qt.Key.Key_Escape)
    assert not screen.ringer.ringing and finished == []


def test_hanging_up_a_call_that_is_still_connecting_goes_back_without_feedback(qtbot, make_screen, queries):
    silent = socket.socket()  # accepts the TCP connection but never answers the WebSocket handshake
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    try:
        settings = {
            "elevenlabs_agent_id": "agent_x",
            "elevenlabs_api_url": f"http://127.0.0.1:{silent.getsockname()[1]}",
        }
        screen = make_screen(settings=settings)
        finished: list[int] = []
        screen.call_finished.connect(finished.append)
        screen.controller.place(_plan(typed=True))
        qtbot.waitUntil(
            lambda: screen.controller.call is not None and screen.state is CallState.DIALING, timeout=WAIT_MS
        )
        with qtbot.waitSignal(screen.closed, timeout=WAIT_MS):
            qtbot.keyClick(screen, Qt.Key.Key_Escape)
        assert finished == [] and not screen.ringer.ringing
        summary = queries.get_session(screen.session_id).summary
        assert summary.end_reason == "user_hangup" and summary.status == "failed"  # kept, never connected
    finally:
        silent.close()


def test_space_types_in_the_typing_field_and_mutes_elsewhere(qtbot, make_screen, server):
    ports = MemoryPorts()
    screen = make_screen(ports=ports)
    _connect(qtbot, screen, _plan(typed=False))
    qtbot.mouseClick(screen.page.controls.typing_button, Qt.MouseButton.LeftButton)
    field = screen.page.typing.input
    assert field.isVisible() and field.hasFocus()
    qtbot.keyClicks(field, "a b")
    assert field.text() == "a b" and not screen.page.controls.mute_button.isChecked()
    screen.setFocus()
    qtbot.keyClick(screen, Qt.Key.Key_Space)
    assert screen.page.controls.mute_button.isChecked()
    qtbot.waitUntil(lambda: ports.mic.muted, timeout=WAIT_MS)


def test_countdown_warning_and_automatic_hangup_with_an_injected_clock(qtbot, make_screen, queries):
    clock = FakeClock()
    screen = make_screen(clock=clock, max_seconds=600.0)
    _connect(qtbot, screen, _plan(typed=True))
    header, banner = screen.page.header, screen.page.time_banner
    start = clock()
    clock.advance_to(start, 61)
    qtbot.waitUntil(lambda: header.timer.text() == "01:01", timeout=WAIT_MS)
    assert not header.countdown.isVisible() and not banner.isVisible()
    clock.advance_to(start, 481)
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=WAIT_MS)
    assert "2 minutes left" in banner.text.text()
    qtbot.waitUntil(lambda: header.countdown.isVisible(), timeout=WAIT_MS)
    assert header.countdown.text() == "01:59 left"
    clock.advance_to(start, 590)
    qtbot.waitUntil(lambda: header.countdown.text() == "00:10 left", timeout=WAIT_MS)
    assert header.countdown.property("urgent") is True
    with qtbot.waitSignal(screen.call_finished, timeout=WAIT_MS) as finished:
        clock.advance_to(start, 600)
    assert header.timer.text().startswith("Time's up")
    assert queries.get_session(finished.args[0]).summary.end_reason == "time_limit"


# --- failures in plain words ----------------------------------------------------------------------------------------


def _failure(qtbot, screen: CallScreen, plan: CallPlan):
    screen.controller.place(plan)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.failure_page, timeout=WAIT_MS)
    return screen.failure_page


def test_rejected_api_key_is_explained_and_points_to_settings(qtbot, make_screen, server, queries, tmp_path):
    set_secret("elevenlabs_api_key", "wrong-key")
    settings = {"elevenlabs_agent_id": "agent_private", "elevenlabs_api_url": server.http_url}
    screen = make_screen(settings=settings)
    page = _failure(qtbot, screen, _plan(typed=True))
    assert page.headline.text() == "The call could not connect"
    assert "API key was rejected (401)" in page.message.text()
    assert page.settings.isVisibleTo(page) and not page.review.isVisibleTo(page)
    assert "saved in your history" in page.kept.text()
    with qtbot.waitSignal(screen.settings_requested, timeout=1000):
        qtbot.mouseClick(page.settings, Qt.MouseButton.LeftButton)
    _shot(screen, "call_failed", tmp_path)
    assert queries.get_session(screen.session_id).summary.status == "failed"


def test_unknown_agent_address_says_to_check_the_connection(qtbot, make_screen, repo, queries):
    settings = {"elevenlabs_agent_id": "agent_x", "elevenlabs_api_url": "http://127.0.0.1:9"}
    screen = make_screen(settings=settings)
    page = _failure(qtbot, screen, _plan(typed=True))
    assert "refused the connection" in page.message.text() or "Could not reach" in page.message.text()
    assert "internet connection" in page.next_step.text()


def test_override_not_allowed_keeps_the_session_and_offers_review(qtbot, make_screen, server, queries):
    screen = make_screen()
    _connect(qtbot, screen, _plan(typed=True))
    _agent(server, "Hello?", 1)
    qtbot.waitUntil(lambda: len(_entries(screen)) == 1, timeout=WAIT_MS)
    server.send_error(1008, "Override for field 'prompt' is not allowed by config.")
    server.close(1008, "Override for field 'prompt' is not allowed by config.")
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.failure_page, timeout=WAIT_MS)
    page = screen.failure_page
    assert "enable that override" in page.message.text()
    assert page.settings.isVisibleTo(page) and page.review.isVisibleTo(page)
    assert "(2 lines)" in page.kept.text()  # the greeting and "Hello?"
    with qtbot.waitSignal(screen.call_finished, timeout=1000) as review:
        qtbot.mouseClick(page.review, Qt.MouseButton.LeftButton)
    assert queries.get_session(review.args[0]).lines[-1].text == "Hello?"


def test_network_drop_is_a_dropped_call(qtbot, make_screen, server, queries):
    screen = make_screen()
    _connect(qtbot, screen, _plan(typed=True))
    server.drop()
    page = _failure_wait(qtbot, screen)
    assert page.headline.text() == "The call dropped"
    assert queries.get_session(screen.session_id).summary.status == "interrupted"


def test_lost_audio_device_is_reported_and_the_session_kept(qtbot, make_screen, server, queries):
    ports = MemoryPorts()
    screen = make_screen(ports=ports)
    _connect(qtbot, screen, _plan(typed=False))
    ports.on_error("The microphone stopped working. Check that it is plugged in, or pick another in Settings.")
    page = _failure_wait(qtbot, screen)
    assert page.headline.text() == "There is a problem with your microphone or speaker"
    assert "plugged in" in page.next_step.text()
    assert queries.get_session(screen.session_id).summary.end_reason == "error"


def test_partner_that_cannot_start_means_no_call_was_placed(qtbot, make_screen, server, queries):
    screen = make_screen(partner=FakePartner(server.http_url, fail=True))
    page = _failure(qtbot, screen, _plan(typed=True))
    assert page.headline.text() == "The call was not placed"
    assert "practice partner could not start" in page.message.text()
    assert page.kept.text().startswith("Nothing was saved")
    assert queries.count_sessions() == 0


def test_retry_after_a_failure_places_the_same_call_again(qtbot, make_screen, server):
    screen = make_screen(ports=MemoryPorts(fail=RuntimeError("The microphone could not be opened.")))
    page = _failure(qtbot, screen, _plan(typed=False))
    assert "microphone could not be opened" in page.message.text()
    screen.controller._audio_factory = lambda: MemoryPorts()  # the trainee plugged a headset in
    qtbot.mouseClick(page.retry, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.state is CallState.CONNECTED, timeout=WAIT_MS)
    assert screen.pages.currentWidget() is screen.page


def _failure_wait(qtbot, screen: CallScreen):
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.failure_page, timeout=WAIT_MS)
    return screen.failure_page


# --- real devices: PortAudio through the private PulseAudio (tests/pulse.py) -----------------------------------------


def test_voice_call_through_real_devices_meters_mute_switch_and_recording(
    qtbot, make_screen, server, pulse, queries, tmp_path
):
    screen = make_screen()  # the controller's own audio factory: the default devices are the virtual ones
    _connect(qtbot, screen, _plan(typed=False))
    page, controller = screen.page, screen.controller
    ports = controller._ports
    assert ports is not None and ports.recorder is not None

    # The agent's voice reaches the speaker; the ring and the status follow it.
    voice = (speech_like(1.5) // 2).astype("<i2").tobytes()
    for offset in range(0, len(voice), 3200):
        chunk = base64.b64encode(voice[offset : offset + 3200]).decode()
        server.send_json({"type": "audio", "audio_event": {"audio_base_64": chunk, "event_id": 1}})
    qtbot.waitUntil(lambda: page.ai_panel.status_key == "speaking", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.ai_panel.ring.shown_level > 0.3, timeout=WAIT_MS)

    # The trainee talks into the virtual mic: the meter moves and the audio reaches the agent.
    player = pulse.start_playing_into_mic(write_wav(tmp_path / "trainee.wav", speech_like(3.0)))
    try:
        qtbot.waitUntil(lambda: page.controls.meter.level > 0.2, timeout=WAIT_MS)
        chunks_before = len([f for f in server.frames if "user_audio_chunk" in f])
        first_speaker = ports.speaker._speaker
        controller.choose_input("pulse")  # switched mid-call; the stream goes on from the new device
        controller.choose_output("pulse")
        qtbot.waitUntil(lambda: ports.microphone._current == 2, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: ports.speaker._speaker is not first_speaker, timeout=WAIT_MS)
        assert not first_speaker.is_running and ports.speaker._speaker.is_running
        controller.choose_input("Missing Mic 9")  # a device that is gone: the call keeps the one it has
        qtbot.waitUntil(page.problem_banner.isVisible, timeout=WAIT_MS)
        assert "Missing Mic 9" in page.problem_banner.text.text() and "goes on" in page.problem_banner.text.text()
        assert ports.microphone._mic.is_running and controller.settings.input_device == "pulse"
        assert server.wait_for(lambda: len([f for f in server.frames if "user_audio_chunk" in f]) > chunks_before + 10)
        qtbot.keyClick(screen, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: ports.microphone.muted and page.controls.meter.level == 0.0, timeout=WAIT_MS)
    finally:
        player.terminate()
        player.wait(10)
    with qtbot.waitSignal(screen.call_finished, timeout=WAIT_MS) as finished:
        screen.hang_up()
    record = queries.get_session(finished.args[0])
    recording = Path(record.recording_path)
    with wave.open(str(recording)) as wav:
        assert wav.getnchannels() == 2
        frames = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").reshape(-1, 2)
    trainee_side, seller_side = np.abs(frames[:, 0]).max(), np.abs(frames[:, 1]).max()
    assert trainee_side > 1000 and seller_side > 1000  # both voices are in the one file
    assert screen.controller.settings.input_device == "pulse"


def test_a_microphone_that_is_not_plugged_in_is_named_in_plain_words(qtbot, make_screen, server, pulse, queries):
    screen = make_screen(settings={"input_device": "USB Headset 3000"})
    page = _failure(qtbot, screen, _plan(typed=False))
    assert "USB Headset 3000" in page.message.text() and "not connected" in page.message.text()
    assert page.headline.text() == "There is a problem with your microphone or speaker"
    assert page.settings.isVisibleTo(page) and "saved in your history" in page.kept.text()
    assert queries.get_session(screen.session_id).summary.end_reason == "error"


# --- parts ----------------------------------------------------------------------------------------------------------


def _portrait() -> QImage:
    """A camera-like frame: a wall, shoulders and a face, drawn smooth so the self-view looks like a webcam."""
    image = QImage(640, 480, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    wall = QLinearGradient(0, 0, 640, 480)
    wall.setColorAt(0, QColor("#9fb3c8"))
    wall.setColorAt(1, QColor("#5f7489"))
    painter.fillRect(image.rect(), wall)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#334155"))
    painter.drawEllipse(QPointF(320, 520), 220, 170)
    painter.setBrush(QColor("#e3b896"))
    painter.drawEllipse(QPointF(320, 230), 95, 115)
    painter.setBrush(QColor("#4b3425"))
    painter.drawChord(QRectF(222, 105, 196, 160), 0, 180 * 16)
    painter.end()
    return image


def test_self_view_no_camera_then_frames_through_the_sink_then_off(qtbot):
    view = SelfView()
    qtbot.addWidget(view)
    view.resize(320, 260)
    view.show()
    assert view.state == OFF  # no camera is opened before a call asks for it
    view.set_camera_on(True)
    assert view.state == NO_CAMERA and not view.has_camera
    assert view._headline.text() == "No camera found" and not view.camera_box.isVisibleTo(view)
    with qtbot.waitSignal(view.state_changed, timeout=2000) as changed:
        view.surface.videoSink().setVideoFrame(QVideoFrame(_portrait()))
    assert changed.args == [LIVE] and view.surface.has_frame
    shown = view.surface.grab().toImage()
    centre = shown.pixelColor(shown.width() // 2, shown.height() // 2 - 10)
    assert centre.red() > 180 and centre.blue() < 190  # the face, not the dark background
    view.set_camera_on(False)
    assert view.state == OFF and not view.surface.has_frame


def test_adapter_delivers_in_order_and_coalesces_floods(qtbot):
    adapter = CallAdapter()
    listener = adapter.open_channel()
    partials: list[str] = []
    finals: list[int] = []
    ticks: list[float] = []
    adapter.partial_line.connect(lambda p: partials.append(p.text))
    adapter.final_line.connect(lambda line: finals.append(line.seq))
    adapter.timer_tick.connect(lambda state: ticks.append(state.elapsed_s))
    stale = listener

    def flood() -> None:
        for i in range(2000):
            listener(PartialLine(LinePartial(Speaker.TRAINEE, f"word {i}")))
            listener(TimerTick(TimerState(i / 10, None, False, False, False)))
            if i % 100 == 99:
                listener(FinalLine(TranscriptLine(i // 100 + 1, Speaker.SELLER, f"line {i}")))
        listener(StateChanged(CallState.CONNECTED))

    states: list[CallState] = []
    adapter.state_changed.connect(states.append)
    worker = threading.Thread(target=flood)
    worker.start()
    worker.join(10)
    qtbot.waitUntil(lambda: states == [CallState.CONNECTED], timeout=WAIT_MS)
    assert finals == list(range(1, 21))  # every final line, in order
    assert partials[-1] == "word 1999" and ticks[-1] == pytest.approx(199.9)
    assert len(partials) < 200 and len(ticks) < 200  # coalesced: far fewer than the 2000 sent
    assert adapter.batches < 200

    adapter.open_channel()  # a new call: the old one's late events are dropped
    stale(FinalLine(TranscriptLine(99, Speaker.SELLER, "late")))
    QApplication.processEvents()
    assert 99 not in finals


def test_final_line_supersedes_a_pending_partial_of_the_same_speaker(qtbot):
    adapter = CallAdapter(flush_interval_s=10.0)  # nothing flushes on its own during the test
    adapter._last_flush = float("inf")
    listener = adapter.open_channel()
    seen: list[str] = []
    adapter.partial_line.connect(lambda p: seen.append(f"partial {p.text}"))
    adapter.final_line.connect(lambda line: seen.append(f"final {line.text}"))
    listener(PartialLine(LinePartial(Speaker.TRAINEE, "so wh")))
    listener(FinalLine(TranscriptLine(1, Speaker.TRAINEE, "So what happened?")))
    listener(PartialLine(LinePartial(Speaker.TRAINEE, "and")))
    adapter._flush()
    assert seen == ["final So what happened?", "partial and"]


def test_transcript_follows_until_the_user_scrolls_up(qtbot):
    view = TranscriptView()
    qtbot.addWidget(view)
    view.resize(420, 300)
    view.show()
    bar = view.list.verticalScrollBar()
    for seq in range(1, 41):
        view.add_final(TranscriptLine(seq, Speaker.SELLER if seq % 2 else Speaker.TRAINEE, f"Line {seq} " * 6))
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum(), timeout=2000)
    assert view.following
    bar.setValue(0)  # the user scrolls up to reread
    assert not view.following
    for seq in range(41, 51):
        view.add_final(TranscriptLine(seq, Speaker.SELLER, f"More {seq}"))
    QApplication.processEvents()
    assert bar.value() == 0 and view.jump.isVisibleTo(view)
    qtbot.mouseClick(view.jump, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum(), timeout=2000)
    assert view.following and not view.jump.isVisibleTo(view)


def test_hints_follow_the_call_stage_and_the_personas_objections():
    hints = CallHints(["price too low", "not in a hurry", "wants to talk to family"])
    assert hints.state.stage == "intro"

    def say(speaker: Speaker, text: str):
        say.seq += 1
        return hints.add(TranscriptLine(say.seq, speaker, text))

    say.seq = 0
    say(Speaker.SELLER, "Hello?")
    state = say(Speaker.TRAINEE, "Hi Walter, this is Sam with Acme Land. I'm calling about your land in Bastrop.")
    assert state.stage == "rapport"
    state = say(Speaker.TRAINEE, "What has you thinking about selling?")
    assert state.stage == "discovery" and state.topics["motivation"] and "timeline" in state.tip
    state = say(Speaker.SELLER, "Honestly I'm not in any hurry to sell.")
    assert state.stage == "objections"
    raised = {o.pattern: o for o in state.objections}
    assert raised["not in a hurry"].raised and not raised["not in a hurry"].answered
    assert not raised["price too low"].raised
    state = say(Speaker.TRAINEE, "That makes sense. What timeline did you have in mind?")
    assert {o.pattern: o for o in state.objections}["not in a hurry"].answered
    assert state.stage == "discovery" and state.topics["timeline"]
    state = say(Speaker.TRAINEE, "Could I send you a written offer and call you Thursday at 6?")
    assert state.stage == "close" and "close" in state.reached


def test_the_split_between_panels_and_conversation_is_remembered(qtbot, make_screen, tmp_path):
    screen = make_screen()
    splitter = screen.page.splitter
    screen.pages.setCurrentWidget(screen.page)
    qtbot.waitUntil(lambda: sum(splitter.sizes()) > 0, timeout=WAIT_MS)
    total = sum(splitter.sizes())
    splitter.setSizes([total // 4, total - total // 4])
    store = QSettings(str(tmp_path / "layout.ini"), QSettings.Format.IniFormat)
    screen.save_layout(store)
    again = make_screen()
    again.pages.setCurrentWidget(again.page)
    again.restore_layout(store)
    qtbot.waitUntil(lambda: again.page.splitter.sizes()[0] == total // 4, timeout=WAIT_MS)


def test_sound_files_are_valid_wavs(tmp_path):
    written = call_sounds.write_sounds(tmp_path)
    assert {p.name for p in written} >= {"ring.wav", "dtmf_0.wav", "dtmf_hash.wav", "dtmf_star.wav"}
    with wave.open(str(tmp_path / "ring.wav")) as ring:
        assert ring.getframerate() == call_sounds.RATE and ring.getnchannels() == 1
        assert ring.getnframes() == int(sum(s for s, _ in call_sounds.RING_CADENCE) * call_sounds.RATE)
    assert call_sounds.sound_path("ring.wav").is_file()


# --- screenshots: docs/screenshots/ with ROLEPLAY_SCREENSHOTS=1, else a temp folder ---------------------------------

VOICE_SCRIPT = [
    (7, "trainee", "Hi Dale, this is Sam with Red Oak Land. I'm calling about your 38 acres in Coal County."),
    (13, "seller", "How did you get my number?"),
    (17, "trainee", "That's fair to ask. Your parcel is in the county records. Did I catch you at an okay time?"),
    (26, "seller", "I've got a minute. What do you want?"),
    (31, "trainee", "I'd love to hear a bit about the land. What has you thinking about it these days?"),
    (44, "seller", "Honestly, I'm not in any hurry to sell. The cattle lease barely covers the taxes."),
    (52, "trainee", "That makes sense. What timeline would you have in mind, if the numbers were right?"),
    (67, "seller", "Maybe by the spring. I looked it up online and it's worth a lot more than the last guy offered."),
]


def _play_script(qtbot, screen, server, clock, start, script) -> None:
    for n, (at, who, text) in enumerate(script, start=1):
        clock.advance_to(start, at)
        count = len(_entries(screen))
        if who == "seller":
            _agent(server, text, 100 + n)
        else:
            event = {"user_transcript": text, "event_id": 100 + n}
            server.send_json({"type": "user_transcript", "user_transcription_event": event})
        qtbot.waitUntil(lambda count=count: len(_entries(screen)) == count + 1, timeout=WAIT_MS)


def test_screenshots_dialing_and_a_voice_call(qtbot, make_screen, server, tmp_path):
    clock = FakeClock()
    ports = MemoryPorts()
    # A voice call on an ElevenLabs agent (the fake server plays it), which hears words: no partner note.
    agent = {"elevenlabs_api_url": server.http_url, "elevenlabs_agent_id": "agent_screens"}
    screen = make_screen(ports=ports, clock=clock, max_seconds=600.0, settings=agent)
    screen.controller.place(_plan(typed=False))
    assert screen.pages.currentWidget() is screen.dialing
    _shot(screen, "dialing", tmp_path)
    qtbot.waitUntil(lambda: screen.state is CallState.CONNECTED, timeout=WAIT_MS)
    _wait_for_greeting(qtbot, screen)
    start = clock()
    _play_script(qtbot, screen, server, clock, start, VOICE_SCRIPT)
    clock.advance_to(start, 74)
    tentative = {"user_transcript": "So if the number felt fair to you", "event_id": 200}
    server.send_json({"type": "tentative_user_transcript", "tentative_user_transcription_event": tentative})
    qtbot.waitUntil(
        lambda: not _entries(screen)[-1].final and screen.page.header.timer.text() == "01:14", timeout=WAIT_MS
    )
    ports.speaker.level, ports.mic.level, ports.speaker.is_speaking = 0.12, 0.09, True
    qtbot.waitUntil(lambda: screen.page.ai_panel.status_key == "speaking", timeout=WAIT_MS)
    screen.page.self_view.surface.videoSink().setVideoFrame(QVideoFrame(_portrait()))
    qtbot.waitUntil(lambda: screen.page.self_view.state == LIVE, timeout=WAIT_MS)
    state = screen.page.hints.state
    assert state.topics["motivation"] and state.topics["timeline"]
    assert {o.pattern for o in state.objections if o.raised} == {
        "how did you get my number",
        "not in a hurry",
        "worth more online",
    }
    _shot(screen, "in_call", tmp_path)


def test_screenshot_typed_call(qtbot, make_screen, server, tmp_path):
    clock = FakeClock()
    screen = make_screen(clock=clock, max_seconds=600.0)
    _connect(qtbot, screen, _plan(typed=True))
    start = clock()
    _play_script(qtbot, screen, server, clock, start, VOICE_SCRIPT[:5])
    clock.advance_to(start, 483)  # late in the call: the countdown and the two-minute warning show
    qtbot.waitUntil(lambda: screen.page.time_banner.isVisible(), timeout=WAIT_MS)
    screen.page.typing.input.setText("Can I ask what has you thinking about selling?")
    _shot(screen, "in_call_typing", tmp_path)


def test_the_daily_cap_refuses_a_call_in_plain_words_and_places_none(qtbot, make_screen, repo, queries):
    from tests.conftest import start

    started = start(repo)  # one practice call already made today
    repo.end_session(started.id, end_reason="user_hangup")
    screen = make_screen(settings={"max_sessions_per_day": 1})
    page = _failure(qtbot, screen, _plan(typed=True))
    assert "You have used all 1 practice call for today" in page.message.text()
    assert queries.count_sessions() == 1  # nothing new was stored: no call was placed


def test_the_calls_left_today_show_beside_the_call(qtbot, make_screen, server):
    screen = make_screen(settings={"max_sessions_per_day": 5})
    _connect(qtbot, screen, _plan(typed=True))
    assert "5 of 5 practice calls left today" in screen.page.header.details.text()


def test_a_voice_call_on_the_built_in_partner_says_what_it_cannot_hear(qtbot, make_screen, server):
    screen = make_screen(ports=MemoryPorts())
    _connect(qtbot, screen, _plan(typed=False))
    banner = screen.page.info_banner
    assert banner.isVisible() and "not your words" in banner.text.text() and "Settings" in banner.text.text()
    qtbot.mouseClick(screen.page.controls.typing_button, Qt.MouseButton.LeftButton)  # the advice taken...
    assert screen.page.typing.isVisible() and not banner.isVisible()  # ...the note goes


def test_a_typed_call_or_a_real_agent_shows_no_partner_note(qtbot, make_screen, server):
    typed = make_screen()
    _connect(qtbot, typed, _plan(typed=True))
    assert not typed.page.info_banner.isVisible()
    agent = make_screen(
        ports=MemoryPorts(), settings={"elevenlabs_api_url": server.http_url, "elevenlabs_agent_id": "a1"}
    )
    _connect(qtbot, agent, _plan(typed=False))
    assert agent.controller.partner_note == "" and not agent.page.info_banner.isVisible()

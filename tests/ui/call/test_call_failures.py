"""Every way a call can fail, shown on the call screen in plain words with the session kept, and voice calls through
real PortAudio devices (the private PulseAudio of tests/pulse.py). Shared seams and fixtures:
tests/ui/call/call_screen_kit.py.
"""

from __future__ import annotations

import base64
import wave
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt

from desktop.secrets import set_secret
from desktop.ui.call.screen import CallScreen
from desktop.voice.call.events import CallState
from tests.pcm import speech_like, write_wav
from tests.ui.call.call_screen_kit import (
    WAIT_MS,
    FakePartner,
    MemoryPorts,
    agent_says,
    call_plan,
    connect_call,
    entries_after_greeting,
    place_and_fail,
    screenshot,
)

# --- failures in plain words ----------------------------------------------------------------------------------------


def test_rejected_api_key_is_explained_and_points_to_settings(qtbot, make_screen, server, queries, tmp_path):
    set_secret("elevenlabs_api_key", "wrong-key")
    settings = {"elevenlabs_agent_id": "agent_private", "elevenlabs_api_url": server.http_url}
    screen = make_screen(settings=settings)
    page = place_and_fail(qtbot, screen, call_plan(typed=True))
    assert page.headline.text() == "The call could not connect"
    assert "API key was rejected (401)" in page.message.text()
    assert page.settings.isVisibleTo(page) and not page.review.isVisibleTo(page)
    assert "saved in your history" in page.kept.text()
    with qtbot.waitSignal(screen.settings_requested, timeout=1000):
        qtbot.mouseClick(page.settings, Qt.MouseButton.LeftButton)
    screenshot(screen, "call_failed", tmp_path)
    assert queries.get_session(screen.session_id).summary.status == "failed"


def test_unknown_agent_address_says_to_check_the_connection(qtbot, make_screen, repo, queries):
    settings = {"elevenlabs_agent_id": "agent_x", "elevenlabs_api_url": "http://127.0.0.1:9"}
    screen = make_screen(settings=settings)
    page = place_and_fail(qtbot, screen, call_plan(typed=True))
    assert "refused the connection" in page.message.text() or "Could not reach" in page.message.text()
    assert "internet connection" in page.next_step.text()


def test_override_not_allowed_keeps_the_session_and_offers_review(qtbot, make_screen, server, queries):
    screen = make_screen()
    connect_call(qtbot, screen, call_plan(typed=True))
    agent_says(server, "Hello?", 1)
    qtbot.waitUntil(lambda: len(entries_after_greeting(screen)) == 1, timeout=WAIT_MS)
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
    connect_call(qtbot, screen, call_plan(typed=True))
    server.drop()
    page = _failure_wait(qtbot, screen)
    assert page.headline.text() == "The call dropped"
    assert queries.get_session(screen.session_id).summary.status == "interrupted"


def test_lost_audio_device_is_reported_and_the_session_kept(qtbot, make_screen, server, queries):
    ports = MemoryPorts()
    screen = make_screen(ports=ports)
    connect_call(qtbot, screen, call_plan(typed=False))
    ports.on_error("The microphone stopped working. Check that it is plugged in, or pick another in Settings.")
    page = _failure_wait(qtbot, screen)
    assert page.headline.text() == "There is a problem with your microphone or speaker"
    assert "plugged in" in page.next_step.text()
    assert queries.get_session(screen.session_id).summary.end_reason == "error"


def test_partner_that_cannot_start_means_no_call_was_placed(qtbot, make_screen, server, queries):
    screen = make_screen(partner=FakePartner(server.http_url, fail=True))
    page = place_and_fail(qtbot, screen, call_plan(typed=True))
    assert page.headline.text() == "The call was not placed"
    assert "practice partner could not start" in page.message.text()
    assert page.kept.text().startswith("Nothing was saved")
    assert queries.count_sessions() == 0


def test_retry_after_a_failure_places_the_same_call_again(qtbot, make_screen, server):
    screen = make_screen(ports=MemoryPorts(fail=RuntimeError("The microphone could not be opened.")))
    page = place_and_fail(qtbot, screen, call_plan(typed=False))
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
    connect_call(qtbot, screen, call_plan(typed=False))
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
    page = place_and_fail(qtbot, screen, call_plan(typed=False))
    assert "USB Headset 3000" in page.message.text() and "not connected" in page.message.text()
    assert page.headline.text() == "There is a problem with your microphone or speaker"
    assert page.settings.isVisibleTo(page) and "saved in your history" in page.kept.text()
    assert queries.get_session(screen.session_id).summary.end_reason == "error"

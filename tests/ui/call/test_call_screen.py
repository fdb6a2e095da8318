"""The call screen end to end: real widgets (offscreen), the real call engine over a real socket to the fake agent
server, a real SQLite store, in-memory audio ports at the device boundary. Waits use qtbot with timeouts, no sleeps.
Shared seams and fixtures: tests/ui/call/call_screen_kit.py.
"""

from __future__ import annotations

import base64
import socket

from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QVideoFrame

from desktop.core.difficulty import Difficulty
from desktop.core.transcript import Speaker
from desktop.ui.call.self_view import LIVE
from desktop.ui.shell.requests import CallRequest
from desktop.voice.call.events import CallState
from tests.ui.call.call_screen_kit import (
    PERSONA,
    SCENARIO,
    WAIT_MS,
    FakeClock,
    MemoryPorts,
    agent_says,
    call_plan,
    connect_call,
    entries_after_greeting,
    place_and_fail,
    portrait,
    screenshot,
    wait_for_greeting,
)

# --- a whole call through the screen --------------------------------------------------------------------------------


def test_typed_call_dials_connects_shows_lines_and_ends_with_esc(qtbot, make_screen, server, queries, tmp_path):
    screen = make_screen()
    assert screen.controller.place(call_plan(typed=True))
    assert screen.pages.currentWidget() is screen.dialing
    assert screen.ringer.ringing and screen.dialing.ringing
    assert screen.dialing.name.text() == PERSONA.name
    assert screen.ringer.source.endswith("ring.wav")
    qtbot.waitUntil(lambda: screen.state is CallState.CONNECTED, timeout=WAIT_MS)
    assert screen.pages.currentWidget() is screen.page
    assert not screen.ringer.ringing and not screen.dialing.ringing
    wait_for_greeting(qtbot, screen)

    page = screen.page
    assert page.typing.isVisible() and page.hints.isVisible()
    page.typing.input.setText("Hi Walter, this is Sam. I'm calling about your land. Is now a good time?")
    qtbot.keyClick(page.typing.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: len(entries_after_greeting(screen)) == 2, timeout=WAIT_MS
    )  # the trainee's line and the echo
    trainee, seller = entries_after_greeting(screen)
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
    qtbot.waitUntil(
        lambda: len(entries_after_greeting(screen)) == 3 and not entries_after_greeting(screen)[2].final,
        timeout=WAIT_MS,
    )
    assert entries_after_greeting(screen)[2].text == "so"
    server.send_json(
        {
            "type": "user_transcript",
            "user_transcription_event": {"user_transcript": "So what happened?", "event_id": 30},
        }
    )
    qtbot.waitUntil(lambda: entries_after_greeting(screen)[2].final, timeout=WAIT_MS)
    assert len(entries_after_greeting(screen)) == 3 and entries_after_greeting(screen)[2].text == "So what happened?"

    # The seller's line, then the correction to what the trainee heard, applied in place.
    agent_says(server, "Well, my brother and I inherited it and nobody uses it anymore.", 40)
    qtbot.waitUntil(lambda: len(entries_after_greeting(screen)) == 4, timeout=WAIT_MS)
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
    qtbot.waitUntil(lambda: entries_after_greeting(screen)[3].interrupted, timeout=WAIT_MS)
    assert entries_after_greeting(screen)[3].text == "Well, my brother and I"

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
    connect_call(qtbot, screen, call_plan(typed=False))
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
    agent_says(server, "I'm not in any hurry to sell, honestly. It's been in the family for generations.", 6)
    qtbot.waitUntil(
        lambda: any(c.property("kind") == "raised" for c in page.hints.objection_chips.values()), timeout=WAIT_MS
    )
    page.self_view.surface.videoSink().setVideoFrame(QVideoFrame(portrait()))
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
    connect_call(qtbot, screen, call_plan(typed=False))
    controls = screen.page.controls
    assert not screen.page.typing.isVisible() and not controls.typing_button.isChecked()
    assert controls.typing_button.isEnabled() and controls.mute_button.isEnabled()
    assert len(screen.page.transcript.model.entries()) == 1  # only the new greeting


def test_cancel_while_dialing_goes_back_without_feedback(qtbot, make_screen, queries):
    screen = make_screen()
    finished: list[int] = []
    screen.call_finished.connect(finished.append)
    with qtbot.waitSignal(screen.closed, timeout=WAIT_MS):
        screen.controller.place(call_plan(typed=True))
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
        screen.controller.place(call_plan(typed=True))
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
    connect_call(qtbot, screen, call_plan(typed=False))
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
    connect_call(qtbot, screen, call_plan(typed=True))
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
        count = len(entries_after_greeting(screen))
        if who == "seller":
            agent_says(server, text, 100 + n)
        else:
            event = {"user_transcript": text, "event_id": 100 + n}
            server.send_json({"type": "user_transcript", "user_transcription_event": event})
        qtbot.waitUntil(lambda count=count: len(entries_after_greeting(screen)) == count + 1, timeout=WAIT_MS)


def test_screenshots_dialing_and_a_voice_call(qtbot, make_screen, server, tmp_path):
    clock = FakeClock()
    ports = MemoryPorts()
    # A voice call on an ElevenLabs agent (the fake server plays it), which hears words: no partner note.
    agent = {"elevenlabs_api_url": server.http_url, "elevenlabs_agent_id": "agent_screens"}
    screen = make_screen(ports=ports, clock=clock, max_seconds=600.0, settings=agent)
    screen.controller.place(call_plan(typed=False))
    assert screen.pages.currentWidget() is screen.dialing
    screenshot(screen, "dialing", tmp_path)
    qtbot.waitUntil(lambda: screen.state is CallState.CONNECTED, timeout=WAIT_MS)
    wait_for_greeting(qtbot, screen)
    start = clock()
    _play_script(qtbot, screen, server, clock, start, VOICE_SCRIPT)
    clock.advance_to(start, 74)
    tentative = {"user_transcript": "So if the number felt fair to you", "event_id": 200}
    server.send_json({"type": "tentative_user_transcript", "tentative_user_transcription_event": tentative})
    qtbot.waitUntil(
        lambda: not entries_after_greeting(screen)[-1].final and screen.page.header.timer.text() == "01:14",
        timeout=WAIT_MS,
    )
    ports.speaker.level, ports.mic.level, ports.speaker.is_speaking = 0.12, 0.09, True
    qtbot.waitUntil(lambda: screen.page.ai_panel.status_key == "speaking", timeout=WAIT_MS)
    screen.page.self_view.surface.videoSink().setVideoFrame(QVideoFrame(portrait()))
    qtbot.waitUntil(lambda: screen.page.self_view.state == LIVE, timeout=WAIT_MS)
    state = screen.page.hints.state
    assert state.topics["motivation"] and state.topics["timeline"]
    assert {o.pattern for o in state.objections if o.raised} == {
        "how did you get my number",
        "not in a hurry",
        "worth more online",
    }
    screenshot(screen, "in_call", tmp_path)


def test_screenshot_typed_call(qtbot, make_screen, server, tmp_path):
    clock = FakeClock()
    screen = make_screen(clock=clock, max_seconds=600.0)
    connect_call(qtbot, screen, call_plan(typed=True))
    start = clock()
    _play_script(qtbot, screen, server, clock, start, VOICE_SCRIPT[:5])
    clock.advance_to(start, 483)  # late in the call: the countdown and the two-minute warning show
    qtbot.waitUntil(lambda: screen.page.time_banner.isVisible(), timeout=WAIT_MS)
    screen.page.typing.input.setText("Can I ask what has you thinking about selling?")
    screenshot(screen, "in_call_typing", tmp_path)


def test_the_daily_cap_refuses_a_call_in_plain_words_and_places_none(qtbot, make_screen, repo, queries):
    from tests.conftest import start

    started = start(repo)  # one practice call already made today
    repo.end_session(started.id, end_reason="user_hangup")
    screen = make_screen(settings={"max_sessions_per_day": 1})
    page = place_and_fail(qtbot, screen, call_plan(typed=True))
    assert "You have used all 1 practice call for today" in page.message.text()
    assert queries.count_sessions() == 1  # nothing new was stored: no call was placed


def test_the_calls_left_today_show_beside_the_call(qtbot, make_screen, server):
    screen = make_screen(settings={"max_sessions_per_day": 5})
    connect_call(qtbot, screen, call_plan(typed=True))
    assert "5 of 5 practice calls left today" in screen.page.header.details.text()


def test_a_voice_call_on_the_built_in_partner_has_no_cannot_hear_notice(qtbot, make_screen, server):
    # The partner recognises the trainee's words on the device: no "hears that you talk, not your words" banner.
    screen = make_screen(ports=MemoryPorts())
    connect_call(qtbot, screen, call_plan(typed=False))
    assert screen.controller.partner_note == "" and not screen.page.info_banner.isVisible()


def test_a_typed_call_or_a_real_agent_shows_no_partner_note(qtbot, make_screen, server):
    typed = make_screen()
    connect_call(qtbot, typed, call_plan(typed=True))
    assert not typed.page.info_banner.isVisible()
    agent = make_screen(
        ports=MemoryPorts(), settings={"elevenlabs_api_url": server.http_url, "elevenlabs_agent_id": "a1"}
    )
    connect_call(qtbot, agent, call_plan(typed=False))
    assert agent.controller.partner_note == "" and not agent.page.info_banner.isVisible()

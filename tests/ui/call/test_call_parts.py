"""The call screen's parts on their own: the self-view fed through QVideoSink, the adapter's ordering and coalescing,
the live transcript's partial lines and scrolling, the hint strip, the remembered layout and the call sounds."""

from __future__ import annotations

import threading
import wave

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtMultimedia import QVideoFrame
from PySide6.QtWidgets import QApplication

from desktop.core.limits import TimerState
from desktop.core.live_transcript import LinePartial
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.ui.call import sounds as call_sounds
from desktop.ui.call.adapter import CallAdapter
from desktop.ui.call.hints import CallHints
from desktop.ui.call.self_view import LIVE, NO_CAMERA, OFF, SelfView
from desktop.ui.call.transcript_view import TranscriptView
from desktop.voice.call.events import CallState, LineFinalized, PartialLine, StateChanged, TimerTick
from tests.ui.call.call_screen_kit import (
    WAIT_MS,
    portrait,
)

# --- parts ----------------------------------------------------------------------------------------------------------


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
        view.surface.videoSink().setVideoFrame(QVideoFrame(portrait()))
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
                listener(LineFinalized(TranscriptLine(i // 100 + 1, Speaker.SELLER, f"line {i}")))
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
    stale(LineFinalized(TranscriptLine(99, Speaker.SELLER, "late")))
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
    listener(LineFinalized(TranscriptLine(1, Speaker.TRAINEE, "So what happened?")))
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

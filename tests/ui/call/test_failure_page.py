"""The failure page when the sound system fails (issue 14, item 17): the whole headline shows, the trainee can type
the same call instead, and the attempt is kept as a call that did not connect, not as a call."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from desktop.ui.call.screen import CallScreen
from desktop.voice.call.events import CallState
from tests.ui.call.call_screen_kit import WAIT_MS, FakePartner, MemoryPorts, call_plan, place_and_fail, screenshot

NO_SOUND = RuntimeError("The microphone could not be opened: no sound system is running.")


def _headline_fits(screen: CallScreen) -> bool:
    label = screen.failure_page.headline
    needed = label.fontMetrics().horizontalAdvance(label.text())
    return label.wordWrap() or needed <= label.contentsRect().width()


def test_without_a_sound_system_the_page_says_it_whole_and_offers_typing(qtbot, make_screen, queries, tmp_path):
    screen = make_screen(ports=MemoryPorts(fail=NO_SOUND))
    screen.resize(760, 640)
    page = place_and_fail(qtbot, screen, call_plan(typed=False))
    assert page.headline.text() == "There is a problem with your microphone or speaker"
    qtbot.waitUntil(lambda: page.headline.width() > 0, timeout=WAIT_MS)
    assert _headline_fits(screen)
    assert queries.get_session(screen.session_id).summary.status == "failed"  # "Did not connect" in History
    assert page.type_instead.isVisibleTo(page)
    clipped = [b.text() for b in page.findChildren(QPushButton) if b.isVisible() and b.width() < b.sizeHint().width()]
    assert clipped == []
    screenshot(screen, "call-failure-no-sound", tmp_path)
    qtbot.mouseClick(page.type_instead, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.state is CallState.CONNECTED, timeout=WAIT_MS)
    assert screen.plan is not None and screen.plan.typed
    assert screen.page.typing.isVisible()


def test_typing_is_not_offered_when_typing_was_what_failed(qtbot, make_screen):
    screen = make_screen(partner=FakePartner("http://127.0.0.1:9"))  # nothing answers there
    page = place_and_fail(qtbot, screen, call_plan(typed=True))
    assert not page.type_instead.isVisibleTo(page)

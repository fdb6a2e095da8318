"""The dial pad: numbers typed, tapped or picked from the list reach the right seller; unknown numbers get a friendly
answer; the dial pad and the contacts share one Practice/Exam mode through the presenter."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel

from desktop.bootstrap import open_app_state
from desktop.core.personas import load_builtin_personas
from desktop.core.scenarios import load_scenarios
from desktop.ui.contacts.dialer import DialerPage, format_partial
from desktop.ui.contacts.page import ContactsPage
from desktop.ui.contacts.presenter import ContactsPresenter
from desktop.ui.shell.main_window import MainWindow
from desktop.ui.shell.requests import CallRequest
from tests.ui.shell.shell_screens import controls_without_tooltips, grab, themed

BUILTIN = load_builtin_personas()
DALE = next(p for p in BUILTIN if p.name == "Dale Pruitt")  # (555) 010-3817


@pytest.fixture
def dialer(qtbot) -> DialerPage:
    page = DialerPage()
    qtbot.addWidget(page)
    page.set_personas(BUILTIN)
    page.set_scenarios(load_scenarios())
    page.show()
    return page


def tap(qtbot, dialer: DialerPage, digits: str) -> None:
    for digit in digits:
        qtbot.mouseClick(dialer.key_buttons[digit], Qt.MouseButton.LeftButton)


def test_numbers_are_formatted_as_they_are_typed():
    assert [format_partial(d) for d in ("5", "555", "55501", "5550103", "55501038", "5550103817")] == [
        "5",
        "555",
        "555-01",
        "555-0103",
        "(555) 010-38",
        "(555) 010-3817",
    ]
    assert format_partial("15550103817") == "+1 (555) 010-3817"


def test_tapping_a_sellers_number_shows_who_answers_and_calls_them(qtbot, dialer):
    assert not dialer.call_button.isEnabled()
    assert "e.g." in dialer.match_text.text()
    tap(qtbot, dialer, "555010381")
    assert dialer.display.text() == "(555) 010-381" and not dialer.match_avatar.isVisible()
    tap(qtbot, dialer, "7")
    assert dialer.display.text() == "(555) 010-3817"
    assert "Dale Pruitt" in dialer.match_text.text() and dialer.match_avatar.isVisible()

    qtbot.mouseClick(dialer.options.difficulty.buttons["PRO"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialer.options.mode.buttons["exam"], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialer.call_requested, timeout=1000) as called:
        qtbot.mouseClick(dialer.call_button, Qt.MouseButton.LeftButton)
    assert called.args == [CallRequest(DALE.id, "cold-call-first-contact", "PRO", False, False)]
    assert "Calling Dale Pruitt" in dialer.message.text()


def test_the_keyboard_dials_too_with_enter_to_call(qtbot, dialer):
    dialer.setFocus()
    qtbot.keyClicks(dialer, "0103817")  # the local 7 digits are enough for a (555) number
    assert dialer.number() == "0103817"
    qtbot.keyClick(dialer, Qt.Key.Key_Backspace)
    assert dialer.number() == "010381"
    qtbot.keyClick(dialer, Qt.Key.Key_7)
    with qtbot.waitSignal(dialer.call_requested, timeout=1000) as called:
        qtbot.keyClick(dialer, Qt.Key.Key_Return)
    assert called.args[0].persona_id == DALE.id
    qtbot.keyClick(dialer, Qt.Key.Key_Escape)
    assert dialer.number() == "" and dialer.display.text() == ""

    dialer.display.setFocus()  # typing or pasting into the number itself, with its punctuation
    dialer.display.setText("")
    qtbot.keyClicks(dialer.display, "+1 (555) 010-3817")
    assert dialer.number() == "15550103817"
    with qtbot.waitSignal(dialer.call_requested, timeout=1000) as pasted:
        qtbot.keyClick(dialer.display, Qt.Key.Key_Enter)
    assert pasted.args[0].persona_id == DALE.id


def test_unknown_and_short_numbers_get_a_friendly_answer_and_no_call(qtbot, dialer):
    with qtbot.assertNotEmitted(dialer.call_requested):
        dialer.set_number("(555) 123-4567")
        assert dialer.dial() is None
        assert "No seller answers at (555) 123-4567" in dialer.message.text()
        assert "Contacts" in dialer.message.text() and dialer.message.isVisible()
        dialer.set_number("5550")
        dialer.dial()
        assert "all 10 digits" in dialer.message.text()
        dialer.clear()
        dialer.dial()
        assert "Enter a seller's number first" in dialer.message.text()
    tap(qtbot, dialer, "1")
    assert not dialer.message.isVisible()  # a new digit clears the old answer


def test_the_numbers_list_fills_the_pad_and_double_click_calls(qtbot, dialer):
    assert dialer.numbers.count() == len([p for p in BUILTIN if p.phone])
    first = dialer.numbers.item(0)
    name = first.text().splitlines()[0]
    rect = dialer.numbers.visualItemRect(first)
    qtbot.mouseClick(dialer.numbers.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    persona = next(p for p in BUILTIN if p.name == name)
    assert dialer.display.text() == persona.phone
    with qtbot.waitSignal(dialer.call_requested, timeout=1000) as called:
        qtbot.mouseDClick(dialer.numbers.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert called.args[0].persona_id == persona.id


@pytest.fixture
def state(data_home: Path):
    opened = open_app_state()
    yield opened
    opened.close()


def test_the_presenter_feeds_the_dialer_and_shares_the_mode_with_contacts(qtbot, state):
    contacts, dialer = ContactsPage(), DialerPage()
    qtbot.addWidget(contacts)
    qtbot.addWidget(dialer)
    presenter = ContactsPresenter(state, contacts, dialer)
    with qtbot.waitSignal(presenter.loaded, timeout=5000):
        presenter.reload()
    assert dialer.numbers.count() == len(BUILTIN)
    dialer.set_number(DALE.phone)
    assert "Dale Pruitt" in dialer.match_text.text()

    qtbot.mouseClick(dialer.options.mode.buttons["exam"], Qt.MouseButton.LeftButton)
    assert not contacts.detail.options.practice_mode() and state.settings.practice_mode is False
    qtbot.mouseClick(contacts.detail.options.mode.buttons["practice"], Qt.MouseButton.LeftButton)
    assert dialer.options.practice_mode()


def test_screenshot_of_the_dialer(qtbot, tmp_path):
    with themed("light"):
        window = MainWindow()
        qtbot.addWidget(window)
        dialer = DialerPage()
        window.add_page("contacts", QLabel("contacts"))
        window.add_page("dialer", dialer)
        window.add_page("history", QLabel("history"))
        window.add_page("settings", QLabel("settings"))
        dialer.set_personas(BUILTIN)
        dialer.set_scenarios(load_scenarios())
        window.show_page("dialer")
        window.resize(1200, 780)
        window.show()
        dialer.set_number("555010381")
        dialer.press("7")
        grab(window, "dialer", tmp_path)


def test_every_control_has_a_tooltip_and_keys_grow_with_the_font(dialer):
    assert controls_without_tooltips(dialer) == []
    key = dialer.key_buttons["5"]
    normal = key.sizeHint().height()
    font = key.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    key.setFont(font)
    assert key.sizeHint().height() >= normal * 1.8


class SpeakerSink(QObject):
    """Stands in for QAudioSink, the sound output: records which tone each key sent out (by its file name)."""

    heard: list[str] = []
    tones: dict[bytes, str] = {}

    def __init__(self, _device=None, _format=None, parent: QObject | None = None) -> None:
        super().__init__(parent)

    def setVolume(self, _volume: float) -> None:  # noqa: N802 (Qt's name)
        pass

    def stop(self) -> None:
        pass

    def start(self, device) -> None:
        SpeakerSink.heard.append(SpeakerSink.tones[bytes(device.data())])


@pytest.fixture
def heard(monkeypatch) -> list[str]:
    from desktop.ui.call import sounds as call_sounds

    monkeypatch.setattr(call_sounds, "QAudioSink", SpeakerSink)
    SpeakerSink.tones = {
        call_sounds._pcm_of(call_sounds.dtmf_file(k)): call_sounds.dtmf_file(k) for k in "0123456789*#"
    }
    SpeakerSink.heard = []
    return SpeakerSink.heard


def test_each_key_tapped_or_typed_plays_its_phone_tone(qtbot, heard):
    from desktop.ui.call.sounds import DtmfPlayer, dtmf_file

    dialer = DialerPage()
    qtbot.addWidget(dialer)
    dialer.set_personas(BUILTIN)
    dialer.show()
    assert isinstance(dialer.tones, DtmfPlayer)  # the in-call keypad's player: one way to the speaker
    tap(qtbot, dialer, "5")
    assert heard == ["dtmf_5.wav"]
    dialer.setFocus()
    qtbot.keyClicks(dialer, "7#*")
    assert heard[1:] == [dtmf_file("7"), "dtmf_hash.wav", "dtmf_star.wav"]
    assert dialer.number() == "57"

    dialer.display.setFocus()  # typed into the number itself: digits sound, punctuation does not
    qtbot.keyClicks(dialer.display, "(3")
    assert heard[4:] == ["dtmf_3.wav"] and dialer.number() == "573"

    del heard[:]
    qtbot.keyClick(dialer.display, Qt.Key.Key_Backspace)
    dialer.set_number(DALE.phone)  # picked from the list, not dialled key by key
    qtbot.mouseClick(dialer.backspace_button, Qt.MouseButton.LeftButton)
    assert heard == []


def test_the_dial_pad_starts_on_the_difficulty_picked_in_contacts(qtbot, state):
    """Issue 15, item 7: a difficulty picked in Contacts is the one the Dial pad opens on, and the call it places."""
    contacts, dialer = ContactsPage(), DialerPage()
    qtbot.addWidget(contacts)
    qtbot.addWidget(dialer)
    presenter = ContactsPresenter(state, contacts, dialer)
    with qtbot.waitSignal(presenter.loaded, timeout=5000):
        presenter.reload()
    contacts.show()
    levels = list(contacts.detail.options.difficulty.buttons)
    picked = next(level for level in levels if level != dialer.options.difficulty_value())
    qtbot.mouseClick(contacts.detail.options.difficulty.buttons[picked], Qt.MouseButton.LeftButton)
    assert contacts.detail.options.difficulty_value() == picked

    dialer.show()
    assert dialer.options.difficulty_value() == picked
    dialer.set_number(DALE.phone)
    with qtbot.waitSignal(dialer.call_requested, timeout=1000) as placed:
        dialer.dial()
    assert placed.args[0].difficulty == picked

    # Changed on the pad, it stays while the pad is open; the next visit starts on Contacts' pick again.
    other = next(level for level in levels if level != picked)
    qtbot.mouseClick(dialer.options.difficulty.buttons[other], Qt.MouseButton.LeftButton)
    assert dialer.options.difficulty_value() == other
    dialer.hide()
    dialer.show()
    assert dialer.options.difficulty_value() == picked

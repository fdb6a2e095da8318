"""The first-run guide: it opens on a fresh start only, asks the name with nothing filled in, shows the words the
on-device recogniser heard, ends on the contacts with a suggested first call, can be skipped and reopened from Help,
and saves what it set to the settings file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from desktop import settings as app_settings
from desktop.app_shell import AppShell
from desktop.core.personas import load_builtin_personas
from desktop.ui.onboarding.first_run import NOTHING_HEARD, FirstRunGuide, first_run_due, suggested_first_call
from desktop.ui.shell.help_menu import GETTING_STARTED
from desktop.ui.shell.single_instance import OPEN, InstanceRequest, InstanceServer
from tests.speech.spoken import espeak_available, speak
from tests.ui.screens import save_screenshot

WAIT_MS = 20_000


@pytest.fixture
def fresh_shell(qtbot, monkeypatch) -> Iterator[AppShell]:
    monkeypatch.delenv("ROLEPLAY_FIRST_RUN")  # a first start, as a new user has it
    server = InstanceServer()
    assert server.start()
    shell = AppShell(QApplication.instance(), server, start_hidden=False, pending=InstanceRequest(OPEN))
    qtbot.addWidget(shell.window)
    yield shell
    shell.shutdown()


def saved_settings() -> dict:
    return json.loads(app_settings.settings_path().read_text(encoding="utf-8"))


def test_it_is_due_only_without_a_chosen_name_and_before_it_was_done(monkeypatch) -> None:
    monkeypatch.delenv("ROLEPLAY_FIRST_RUN")
    assert first_run_due("", False) and first_run_due("Sam", False)  # "Sam" was everyone's default
    assert not first_run_due("Jordan", False) and not first_run_due("", True)
    monkeypatch.setenv("ROLEPLAY_FIRST_RUN", "skip")
    assert not first_run_due("", False)


def test_a_first_start_walks_through_to_the_contacts_and_saves_the_name(qtbot, fresh_shell) -> None:
    qtbot.waitUntil(lambda: "first_run" in fresh_shell._services, timeout=WAIT_MS)
    guide: FirstRunGuide = fresh_shell._services["first_run"]
    qtbot.waitUntil(guide.isVisible, timeout=WAIT_MS)
    assert (
        guide.page == "welcome"
        and "No account is needed" in guide.stack.currentWidget().findChildren(type(guide.say_label))[1].text()
    )
    guide.next_button.click()
    assert guide.page == "name" and guide.name_edit.text() == "" and not guide.next_button.isEnabled()
    qtbot.keyClicks(guide.name_edit, "Jordan")
    guide.next_button.click()
    assert guide.page == "sound" and "hello, this is Jordan" in guide.say_label.text()
    guide.next_button.click()
    assert guide.page == "done" and "Rosa Delgado" in guide.suggestion_label.text()
    presenter = fresh_shell._services["settings_presenter"]
    with qtbot.waitSignal(guide.finished, timeout=1000) as done, qtbot.waitSignal(presenter.loaded, timeout=WAIT_MS):
        guide.next_button.click()  # the settings page reloads with the new name
    assert done.args == ["Jordan"] and not guide.isVisible()
    assert fresh_shell.window.current_page_key() == "contacts"
    assert fresh_shell.state.settings.trainee_name == "Jordan" and fresh_shell.state.settings.first_run_done
    qtbot.waitUntil(lambda: saved_settings().get("first_run_done") is True, timeout=WAIT_MS)
    assert saved_settings()["trainee_name"] == "Jordan"


def test_skipping_keeps_the_name_and_help_reopens_the_guide(qtbot, fresh_shell) -> None:
    qtbot.waitUntil(lambda: "first_run" in fresh_shell._services, timeout=WAIT_MS)
    first = fresh_shell._services["first_run"]
    qtbot.waitUntil(first.isVisible, timeout=WAIT_MS)
    with qtbot.waitSignal(fresh_shell._services["settings_presenter"].loaded, timeout=WAIT_MS):
        first.skip_button.click()
    assert not first.isVisible() and fresh_shell.state.settings.first_run_done
    qtbot.waitUntil(lambda: saved_settings().get("first_run_done") is True, timeout=WAIT_MS)
    fresh_shell.window.help_button.action(GETTING_STARTED).trigger()
    again = fresh_shell._services["first_run"]
    assert again is not first and again.isVisible() and again.page == "welcome"
    with qtbot.waitSignal(fresh_shell._services["settings_presenter"].loaded, timeout=WAIT_MS):
        again.skip_button.click()


def test_a_started_app_with_the_guide_done_opens_straight_on_its_pages(qtbot, monkeypatch) -> None:
    monkeypatch.delenv("ROLEPLAY_FIRST_RUN")
    app_settings.save_settings(app_settings.Settings(trainee_name="Jordan"))
    server = InstanceServer()
    assert server.start()
    shell = AppShell(QApplication.instance(), server, start_hidden=True, pending=InstanceRequest(OPEN))
    qtbot.addWidget(shell.window)
    try:
        qtbot.waitUntil(lambda: "start_call" in shell._services, timeout=WAIT_MS)
        # The settings page loads in the background; let it land before the window goes.
        qtbot.waitUntil(lambda: shell._services["settings_presenter"].snapshot is not None, timeout=WAIT_MS)
        assert "first_run" not in shell._services  # a chosen name: not a first start
    finally:
        shell.shutdown()


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")
def test_the_sound_check_shows_what_the_recogniser_heard(qtbot, tmp_path: Path) -> None:
    """The microphone is stood in for by espeak-ng speech; the words come from the real on-device recogniser."""
    from desktop.speech.recogniser import Recogniser

    recogniser = Recogniser.load()
    pcm = speak("Hello, this is Jordan.", tmp_path).tobytes()
    guide = FirstRunGuide(
        listen=lambda: recogniser.transcribe(pcm).text, play=lambda: "your default speaker", suggestion=""
    )
    qtbot.addWidget(guide)
    guide.show()
    qtbot.keyClicks(guide.name_edit, "Jordan")
    guide.next_button.click()
    guide.next_button.click()
    assert guide.page == "sound"
    guide.listen_button.click()
    qtbot.waitUntil(lambda: not guide.listening, timeout=WAIT_MS)
    heard = guide.heard_label.text()
    assert heard.startswith("Heard: “") and "hello" in heard.lower() and "Your microphone works." in heard
    guide.play_button.click()
    qtbot.waitUntil(lambda: "Played on your default speaker" in guide.speaker_label.text(), timeout=WAIT_MS)
    save_screenshot(guide, "first-run-3-sound-check", tmp_path)

    silent = FirstRunGuide(listen=lambda: recogniser.transcribe(bytes(32000)).text, play=lambda: "", suggestion="")
    qtbot.addWidget(silent)
    silent._start_listening()
    qtbot.waitUntil(lambda: not silent.listening, timeout=WAIT_MS)
    assert silent.heard_label.text() == NOTHING_HEARD


def test_screenshots_of_the_guide(qtbot, tmp_path: Path) -> None:
    _, suggestion = suggested_first_call(load_builtin_personas())
    guide = FirstRunGuide(listen=lambda: "", play=lambda: "", suggestion=suggestion)
    qtbot.addWidget(guide)
    guide.show()
    shots = [save_screenshot(guide, "first-run-1-welcome", tmp_path)]
    guide.next_button.click()
    qtbot.keyClicks(guide.name_edit, "Jordan")
    shots.append(save_screenshot(guide, "first-run-2-name", tmp_path))
    guide.next_button.click()
    guide.next_button.click()
    shots.append(save_screenshot(guide, "first-run-4-first-call", tmp_path))
    assert all(path.stat().st_size > 5000 for path in shots)

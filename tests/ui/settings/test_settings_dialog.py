"""The settings page with its presenter: values and keys load and save (keys only in the keyring or for the session,
never in the settings file), per-field messages, the no-keyring choice, "test connection" against real local servers,
and the microphone and speaker tests through the virtual PulseAudio devices."""

from __future__ import annotations

import dataclasses
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import keyring
import keyring.backend
import numpy as np
import pytest
from keyring.backends import fail
from keyring.errors import KeyringError
from PySide6.QtCore import Qt

from desktop import secrets
from desktop import settings as app_settings
from desktop.bootstrap import open_app_state
from desktop.ui.settings.connection_checks import ERROR, OK, WARNING, ConnectionResult, check_backend, check_elevenlabs
from desktop.ui.settings.form import SettingsForm, validate_form
from desktop.ui.settings.page import SettingsDialog, SettingsPage
from desktop.ui.settings.presenter import SettingsPresenter, chime_pcm, meter_value
from tests.fake_agent_server import FakeAgentServer
from tests.fake_openai_server import FakeOpenAIServer
from tests.pcm import speech_like, write_wav
from tests.ui.shell.shell_screens import controls_without_tooltips, grab, themed


@pytest.fixture
def state(data_home: Path):
    opened = open_app_state()
    yield opened
    opened.close()


@pytest.fixture
def page(qtbot, state) -> Iterator[SettingsPage]:
    settings_page = SettingsPage()
    qtbot.addWidget(settings_page)
    presenter = SettingsPresenter(state, settings_page)
    settings_page.presenter = presenter
    settings_page.resize(900, 900)
    settings_page.show()
    with qtbot.waitSignal(presenter.loaded, timeout=10_000):
        presenter.load()
    yield settings_page
    presenter.shutdown()


def saved_file() -> dict:
    return json.loads(app_settings.settings_path().read_text(encoding="utf-8"))


def save(qtbot, page: SettingsPage) -> None:
    with qtbot.waitSignal(page.presenter.loaded, timeout=10_000):  # a save reloads the page afterwards
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)


def test_settings_load_and_save_with_keys_only_in_the_keyring(qtbot, page, state):
    assert page.fields["trainee_name"].text() == state.settings.trainee_name
    assert page.fields["openai_model"].text() == "gpt-4o-mini"
    assert not page.keys_card.isVisible()  # a keyring is available (the test's, chosen by name)
    assert page.secret_fields["elevenlabs_api_key"].edit.placeholderText() == "Not set"
    settings_object = state.settings

    page.fields["trainee_name"].setText("Jordan")
    page.fields["elevenlabs_agent_id"].setText("agent_01abc")
    page.secret_fields["elevenlabs_api_key"].edit.setText("xi-secret-123")
    page.max_minutes.setValue(15)
    page.max_per_day.setValue(0)
    page.echo_guard.setChecked(True)
    with qtbot.waitSignal(page.presenter.saved, timeout=10_000) as saved:
        save(qtbot, page)

    assert saved.args[0] is settings_object  # updated in place: services holding it see the change
    assert state.settings.trainee_name == "Jordan" and state.settings.elevenlabs_agent_id == "agent_01abc"
    stored = saved_file()
    assert stored["trainee_name"] == "Jordan" and stored["max_session_minutes"] == 15
    assert stored["max_sessions_per_day"] is None and stored["echo_guard"] is True
    assert "xi-secret-123" not in app_settings.settings_path().read_text()
    assert keyring.get_password(secrets.SERVICE, "elevenlabs_api_key") == "xi-secret-123"
    field = page.secret_fields["elevenlabs_api_key"]
    assert field.edit.text() == "" and "Saved in your keyring" in field.edit.placeholderText()
    assert page.status.text() == "Saved."


def test_partner_voice_and_grading_wait_are_saved_loaded_and_reach_the_grader(qtbot, page, state, monkeypatch):
    from desktop.grading.llm import TIMEOUT_ENV, GraderConfig

    monkeypatch.delenv(TIMEOUT_ENV, raising=False)
    assert page.partner_voice.isChecked() and page.grading_timeout.value() == 30  # the defaults
    page.partner_voice.setChecked(False)
    page.grading_timeout.setValue(90)
    save(qtbot, page)
    stored = saved_file()
    assert stored["partner_voice"] is False and stored["grading_timeout_s"] == 90
    assert state.settings.partner_voice is False and state.settings.grading_timeout_s == 90
    assert GraderConfig.current().timeout_s == 90

    # A fresh start reads them back from the file into the page.
    fresh_state = open_app_state()
    try:
        fresh = SettingsPage()
        qtbot.addWidget(fresh)
        presenter = SettingsPresenter(fresh_state, fresh)
        with qtbot.waitSignal(presenter.loaded, timeout=10_000):
            presenter.load()
        assert not fresh.partner_voice.isChecked() and fresh.grading_timeout.value() == 90
        assert fresh.form().partner_voice is False and fresh.form().grading_timeout_s == 90
        fresh.partner_voice.setChecked(True)
        fresh.grading_timeout.setValue(5)
        with qtbot.waitSignal(presenter.loaded, timeout=10_000):
            fresh.request_save()
        assert saved_file()["partner_voice"] is True and saved_file()["grading_timeout_s"] == 5
    finally:
        fresh_state.close()


def test_the_grading_wait_is_checked_like_the_other_fields(qtbot, page):
    page.grading_timeout.setValue(1000)
    assert page.grading_timeout.value() == 300  # the box itself stops at the limits
    good = SettingsForm(trainee_name="Sam", elevenlabs_api_url="https://api.elevenlabs.io", openai_model="gpt-4o-mini")
    assert validate_form(good) == {}
    for seconds in (5, 300):
        assert validate_form(dataclasses.replace(good, grading_timeout_s=seconds)) == {}
    for seconds in (0, 4, 301):
        errors = validate_form(dataclasses.replace(good, grading_timeout_s=seconds))
        assert set(errors) == {"grading_timeout_s"} and "5 to 300 seconds" in errors["grading_timeout_s"]

    before = app_settings.settings_path().read_text()
    with qtbot.assertNotEmitted(page.presenter.saved):
        page.presenter.save(dataclasses.replace(page.form(), grading_timeout_s=2))
    assert page.errors["grading_timeout_s"].isVisible() and page.grading_timeout.property("invalid") is True
    assert "1 thing" in page.status.text() and app_settings.settings_path().read_text() == before
    page.grading_timeout.setValue(45)  # any change clears the message
    assert not page.errors["grading_timeout_s"].isVisible()


def test_every_bad_field_gets_its_own_message_and_nothing_is_saved(qtbot, page):
    before = app_settings.settings_path().read_text()
    page.fields["trainee_name"].setText("  ")
    page.fields["elevenlabs_agent_id"].setText("my agent!")
    page.fields["elevenlabs_api_url"].setText("ftp://elevenlabs")
    page.fields["openai_model"].setText("gpt 4o")
    page.fields["backend_url"].setText("http://training.example.com")
    page.secret_fields["openai_api_key"].edit.setText("sk-abc def")
    with qtbot.assertNotEmitted(page.presenter.saved):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    messages = {key: label.text() for key, label in page.errors.items() if label.isVisible()}
    assert set(messages) == {
        "trainee_name",
        "elevenlabs_agent_id",
        "elevenlabs_api_url",
        "openai_model",
        "backend_url",
        "openai_api_key",
    }
    assert "required" in messages["trainee_name"] and "https://" in messages["backend_url"]
    assert page.fields["backend_url"].property("invalid") is True
    assert "6 things" in page.status.text()
    assert app_settings.settings_path().read_text() == before
    page.fields["backend_url"].setText("http://127.0.0.1:8000")  # plain http is fine on this computer
    assert not page.errors["backend_url"].isVisible()
    assert "backend_url" not in validate_form(page.form())


def test_a_stored_key_can_be_forgotten_and_an_environment_key_wins(qtbot, page, monkeypatch):
    secrets.set_secret("openai_api_key", "sk-old")
    monkeypatch.setenv("ROLEPLAY_BACKEND_TOKEN", "from-env")
    with qtbot.waitSignal(page.presenter.loaded, timeout=10_000):
        page.presenter.load()
    openai_key = page.secret_fields["openai_api_key"]
    assert "Saved in your keyring" in openai_key.edit.placeholderText() and openai_key.forget.isEnabled()
    token = page.secret_fields["backend_token"]
    assert not token.edit.isEnabled() and "ROLEPLAY_BACKEND_TOKEN" in token.edit.placeholderText()

    qtbot.mouseClick(openai_key.forget, Qt.MouseButton.LeftButton)
    assert openai_key.edit.placeholderText() == "Will be removed when you save"
    save(qtbot, page)
    assert secrets.get_secret("openai_api_key") is None
    assert secrets.get_secret("backend_token") == "from-env"


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)
        secrets._session_only.clear()


def test_without_a_keyring_the_user_chooses_session_only_or_environment(qtbot, no_keyring, page):
    assert page.keys_card.isVisible()
    assert "No OS keyring" in page.keys_message.text()
    page.secret_fields["elevenlabs_api_key"].edit.setText("xi-temp")
    with qtbot.assertNotEmitted(page.presenter.saved):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "choose above how to keep this key" in page.errors["elevenlabs_api_key"].text()

    page.session_choice.setChecked(True)
    save(qtbot, page)
    assert secrets.get_secret("elevenlabs_api_key") == "xi-temp"
    assert "this session only" in page.secret_fields["elevenlabs_api_key"].edit.placeholderText()

    page.env_choice.setChecked(True)
    assert not page.secret_fields["openai_api_key"].edit.isEnabled()
    assert "OPENAI_API_KEY" in page.env_note.text()


class LockedKeyring(keyring.backend.KeyringBackend):
    """Readable but refusing to store, like a keyring that was locked after the app started."""

    priority = 1

    def get_password(self, service: str, username: str) -> None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("the keyring is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("the keyring is locked")


def test_a_key_the_keyring_refuses_is_reported_under_its_field_and_the_rest_is_saved(qtbot, page):
    previous = keyring.get_keyring()
    keyring.set_keyring(LockedKeyring())
    try:
        page.fields["trainee_name"].setText("Robin")
        page.secret_fields["openai_api_key"].edit.setText("sk-new")
        save(qtbot, page)
    finally:
        keyring.set_keyring(previous)
    assert saved_file()["trainee_name"] == "Robin"
    message = page.errors["openai_api_key"].text()
    assert page.errors["openai_api_key"].isVisible() and "locked" in message and "OPENAI_API_KEY" in message
    assert "not every key" in page.status.text()


def wait_for_test(qtbot, page: SettingsPage, service: str) -> str:
    qtbot.mouseClick(page.test_buttons[service], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.test_buttons[service].isEnabled(), timeout=15_000)
    return page.test_results[service].text()


def test_elevenlabs_connection_test_in_plain_words(qtbot, page):
    with FakeAgentServer(api_key="xi-good") as server:
        page.fields["elevenlabs_api_url"].setText(server.http_url)
        page.fields["elevenlabs_agent_id"].setText("agent_123")
        page.secret_fields["elevenlabs_api_key"].edit.setText("xi-good")
        assert "Connected" in wait_for_test(qtbot, page, "elevenlabs")
        assert page.test_results["elevenlabs"].kind == OK
        page.secret_fields["elevenlabs_api_key"].edit.setText("xi-wrong")
        text = wait_for_test(qtbot, page, "elevenlabs")
        assert "rejected (401)" in text and page.test_results["elevenlabs"].kind == ERROR
        page.secret_fields["elevenlabs_api_key"].edit.clear()
        text = wait_for_test(qtbot, page, "elevenlabs")
        assert "reachable" in text and "only public agents" in text
    assert check_elevenlabs(server.http_url, "", "").kind == ERROR  # the server is gone now
    assert "Could not reach ElevenLabs" in check_elevenlabs(server.http_url, "", "").message


def test_openai_connection_test_checks_the_key_and_the_model(qtbot, page):
    with FakeOpenAIServer(model="fake-model") as server:
        page.fields["openai_base_url"].setText(server.base_url)
        page.fields["openai_model"].setText("fake-model")
        page.secret_fields["openai_api_key"].edit.setText("sk-test")
        assert "fake-model is available" in wait_for_test(qtbot, page, "openai")
        page.fields["openai_model"].setText("gpt-9")
        text = wait_for_test(qtbot, page, "openai")
        assert "gpt-9 is not available" in text and page.test_results["openai"].kind == WARNING
        assert server.headers == []  # listing models is not a chat request: nothing was graded or billed
    page.secret_fields["openai_api_key"].edit.clear()
    assert "built-in rules" in wait_for_test(qtbot, page, "openai")


class UsageBackend(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path != "/api/v1/usage/today":
            self._send(404, {"error": "not_found"})
        elif self.headers.get("Authorization") != "Bearer team-token":
            self._send(401, {"error": "unauthorized"})
        else:
            self._send(200, {"sessions_today": 2, "minutes_today": 14, "max_sessions_per_day": 3})

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def backend() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), UsageBackend)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_backend_connection_test_signs_in_and_explains_failures(qtbot, page, backend):
    page.fields["backend_url"].setText(backend)
    page.secret_fields["backend_token"].edit.setText("team-token")
    assert "Calls today: 2 of 3" in wait_for_test(qtbot, page, "backend")
    page.secret_fields["backend_token"].edit.setText("old-token")
    assert "did not accept your sign-in token" in wait_for_test(qtbot, page, "backend")
    assert "no Roleplay Trainer backend" in check_backend(backend + "/prefix", "team-token").message
    assert "https://" in check_backend("http://team.example.com", "t").message
    unreachable = check_backend(f"http://127.0.0.1:{free_port()}", "t")
    assert unreachable.kind == ERROR and "Could not reach the backend" in unreachable.message
    page.fields["backend_url"].clear()
    assert "stay on this computer" in wait_for_test(qtbot, page, "backend")


def test_every_control_has_a_tooltip(page):
    assert controls_without_tooltips(page) == []


def test_the_meter_scale_and_the_test_sound():
    assert meter_value(0.0) == 0.0 and meter_value(1.0) == 1.0
    assert 0.45 < meter_value(0.03) < 0.55  # about -30 dBFS, ordinary speech: the middle of the meter
    tone = np.frombuffer(chime_pcm(16000), dtype="<i2")
    assert len(tone) == 16000 * 0.6 and 6000 < np.abs(tone).max() < 9000


def test_microphone_and_speaker_tests_through_real_devices(qtbot, pulse, page, tmp_path):
    # The page listed the devices PortAudio sees through the private PulseAudio server.
    assert page.input_device.count() >= 2 and page.output_device.count() >= 2
    assert page.input_device.itemData(0) == "" and page.input_device.itemText(0).startswith("System default")

    wav = write_wav(tmp_path / "speech.wav", speech_like(4.0))
    mic_test = page.presenter.mic_test
    with qtbot.waitSignal(mic_test.running_changed, timeout=10_000):
        qtbot.mouseClick(page.mic_button, Qt.MouseButton.LeftButton)
    assert page.mic_button.text().strip() == "Stop test"
    player = pulse.start_playing_into_mic(wav)
    try:
        qtbot.waitUntil(lambda: page.mic_meter.value() > 40, timeout=10_000)
    finally:
        player.terminate()
        player.wait(5)
    assert mic_test.peak > 0.4
    page.hide()  # leaving the page ends the microphone test
    assert not mic_test.running and page.mic_meter.value() == 0 and not page.mic_button.isChecked()
    page.show()

    with pulse.monitor_speaker() as monitor:
        qtbot.mouseClick(page.speaker_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Played two notes" in page.audio_message.text(), timeout=10_000)
        heard = monitor.samples()
    assert np.abs(heard.astype(np.int32)).max() > 3000  # the chime reached the (virtual) speaker


def test_a_missing_microphone_is_explained(qtbot, pulse, page):
    page.input_device.addItem("USB Headset (unplugged)", "USB Headset (unplugged)")
    page.input_device.setCurrentIndex(page.input_device.count() - 1)
    qtbot.mouseClick(page.mic_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.audio_message.isVisible(), timeout=10_000)
    assert "USB Headset" in page.audio_message.text() or "microphone" in page.audio_message.text().lower()
    assert not page.mic_button.isChecked()


def test_screenshot_of_the_settings(qtbot, state, tmp_path):
    with themed("light"):
        dialog = SettingsDialog()
        qtbot.addWidget(dialog)
        presenter = SettingsPresenter(state, dialog.page)
        dialog.resize(900, 1700)
        dialog.show()
        with qtbot.waitSignal(presenter.loaded, timeout=10_000):
            presenter.load()
        dialog.page.secret_fields["elevenlabs_api_key"].edit.setText("xi-typed-key")
        dialog.page.test_results["openai"].show_result(
            ConnectionResult(WARNING, "No OpenAI key: your calls are graded by the built-in rules.")
        )
        grab(dialog, "settings", tmp_path)
    assert isinstance(dialog.page.form(), SettingsForm)

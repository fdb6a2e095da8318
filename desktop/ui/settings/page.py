"""Settings: who you are, the ElevenLabs agent, grading, the team backend, sound devices and time limits.

`SettingsPage` is the rail page; `SettingsDialog` wraps the same page in a window. The page only shows and
collects: the presenter loads, checks, saves and tests (off the GUI thread).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.settings.connection_checks import ConnectionResult
from desktop.ui.settings.fields import FormCard, ResultLine, SecretField
from desktop.ui.settings.form import (
    KEEP_FOR_SESSION,
    KEEP_IN_ENV,
    KEEP_IN_KEYRING,
    MAX_GRADING_SECONDS,
    MAX_MINUTES,
    MAX_PER_DAY,
    MIN_GRADING_SECONDS,
    SECRET_LABELS,
    SaveResult,
    SettingsForm,
    SettingsSnapshot,
)
from desktop.ui.settings.persona_agents import PersonaAgentsCard
from desktop.ui.settings.sound import DEFAULT_DEVICE, SoundCard
from desktop.ui.settings.speech import SpeechCard
from desktop.ui.settings.team import TeamCard
from desktop.ui.widgets import icons, theme
from desktop.ui.widgets.controls import Banner, FieldError, SegmentedControl, mark_invalid


class SettingsPage(QWidget):
    save_requested = Signal(object)  # SettingsForm
    revert_requested = Signal()
    test_requested = Signal(str, object)  # service, SettingsForm
    mic_test_toggled = Signal(bool, str)  # on, input device
    speaker_test_requested = Signal(str)  # output device
    appearance_changed = Signal(str)  # system, light or dark

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.snapshot: SettingsSnapshot | None = None
        self.errors: dict[str, FieldError] = {}
        self.fields: dict[str, QWidget] = {}
        self.secret_fields: dict[str, SecretField] = {}
        self.test_buttons: dict[str, QPushButton] = {}
        self.test_results: dict[str, ResultLine] = {}

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        scroll = QScrollArea(objectName="pageScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        centered = QHBoxLayout(body)
        centered.setContentsMargins(0, 0, 0, 0)
        content = QWidget()
        content.setMaximumWidth(QFontMetrics(self.font()).horizontalAdvance("M") * 70)
        centered.addStretch(1)
        centered.addWidget(content, 100)
        centered.addStretch(1)
        self.body = QVBoxLayout(content)
        self.body.setContentsMargins(24, 20, 24, 20)
        self.body.setSpacing(14)
        self.body.addWidget(QLabel("Settings", objectName="title"))
        self._build_you()
        self._build_keys_notice()
        self._build_elevenlabs()
        self._build_persona_agents()
        self._build_openai()
        self._build_backend()
        self._build_sound()
        self.speech = SpeechCard()  # works on its own (SpeechCardController): not part of the saved form
        self.body.addWidget(self.speech)
        self._build_limits()
        self.body.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        outer.addWidget(self._build_footer())
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.request_save,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)  # fmt: skip
        self.setEnabled(False)

    # --- building ----------------------------------------------------------------------------------------------------

    def _line(self, key: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(placeholderText=placeholder)
        edit.textChanged.connect(lambda _t, k=key: self._clear_error(k))
        self.fields[key] = edit
        return edit

    def _spin(self, key: str, minimum: int, maximum: int, suffix: str, no_limit: bool = False) -> QSpinBox:
        box = QSpinBox(minimum=minimum, maximum=maximum, suffix=suffix)
        if no_limit:  # its minimum, 0, reads "No limit"
            box.setSpecialValueText("No limit")
        box.valueChanged.connect(lambda _v, k=key: self._clear_error(k))
        self.fields[key] = box
        return box

    def _secret(self, card: FormCard, name: str, tooltip: str) -> None:
        field = SecretField(SECRET_LABELS[name])
        field.changed.connect(lambda n=name: self._clear_error(n))
        self.secret_fields[name] = field
        self.fields[name] = field.edit
        self.errors[name] = card.add_row(SECRET_LABELS[name], field, tooltip)

    def _test(self, card: FormCard, service: str, tooltip: str) -> None:
        button, result = card.add_test_button("Test connection", tooltip)
        button.clicked.connect(lambda: self.test_requested.emit(service, self.form()))
        self.test_buttons[service] = button
        self.test_results[service] = result

    def _build_you(self) -> None:
        card = FormCard("You")
        self.errors["trainee_name"] = card.add_row(
            "Your name",
            self._line("trainee_name", "e.g. Sam"),
            "The seller hears this name when you introduce yourself",
        )
        self.appearance = SegmentedControl(
            [("system", "System", "Follow your computer's light or dark setting"),
             ("light", "Light", "Always light"), ("dark", "Dark", "Always dark")]
        )  # fmt: skip
        self.appearance.changed.connect(self.appearance_changed)
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.appearance)
        row.addStretch(1)
        card.add_row("Appearance", holder, "Light or dark colours")
        self.body.addWidget(card)

    def _build_keys_notice(self) -> None:
        self.keys_card = FormCard("Where your keys are kept")
        self.keys_message = Banner()
        self.keys_card.add_wide(self.keys_message)
        self.key_storage = QButtonGroup(self)
        self.session_choice = QRadioButton("Keep the keys I type for this session only (forgotten when I quit)")
        self.env_choice = QRadioButton("I will set environment variables instead")
        for button, value in ((self.session_choice, KEEP_FOR_SESSION), (self.env_choice, KEEP_IN_ENV)):
            button.setProperty("storage", value)
            button.setToolTip("Your choice applies to the keys below; nothing is written to a plain file")
            self.key_storage.addButton(button)
            self.keys_card.add_wide(button)
        self.env_note = QLabel(objectName="muted")
        self.env_note.setWordWrap(True)
        self.env_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.keys_card.add_wide(self.env_note)
        self.key_storage.buttonToggled.connect(lambda _b, _on: self._storage_changed())
        self.keys_card.hide()
        self.body.addWidget(self.keys_card)

    def _build_elevenlabs(self) -> None:
        card = FormCard(
            "ElevenLabs voice agent",
            "Your own AI seller on ElevenLabs. Leave the agent id empty to practise with the built-in partner "
            "(no account, no internet needed).",
        )
        self._secret(card, "elevenlabs_api_key", "Needed for private agents; kept in your OS keyring")
        self.errors["elevenlabs_agent_id"] = card.add_row(
            "Agent id", self._line("elevenlabs_agent_id", "e.g. agent_01jx..."), "The agent's id from ElevenLabs"
        )
        self.errors["elevenlabs_api_url"] = card.add_row(
            "API address", self._line("elevenlabs_api_url", "https://api.elevenlabs.io"),
            "Only change this if your team runs a proxy",
        )  # fmt: skip
        self._test(card, "elevenlabs", "Check the key and the agent now")
        self.body.addWidget(card)

    def _build_persona_agents(self) -> None:
        self.persona_agents = card = PersonaAgentsCard()
        card.changed.connect(lambda: self._clear_error("persona_agents"))
        self.fields["persona_agents"], self.errors["persona_agents"] = card.table, card.error
        self.body.addWidget(self.persona_agents)

    def _build_openai(self) -> None:
        card = FormCard("Grading", "An OpenAI key gives detailed feedback after each call. Without one, calls are "
                                   "graded by the built-in rules.")  # fmt: skip
        self._secret(card, "openai_api_key", "Your OpenAI API key; kept in your OS keyring")
        self.errors["openai_model"] = card.add_row("Model", self._line("openai_model", "gpt-4o-mini"),
                                                   "The model that grades your calls")  # fmt: skip
        self.errors["openai_base_url"] = card.add_row(
            "API address", self._line("openai_base_url", "leave empty for OpenAI"),
            "Any OpenAI-compatible service, e.g. a company gateway",
        )  # fmt: skip
        self.grading_timeout = self._spin("grading_timeout_s", MIN_GRADING_SECONDS, MAX_GRADING_SECONDS, " s")
        self.errors["grading_timeout_s"] = card.add_row(
            "Wait for a grade", self.grading_timeout,
            "How long the model may take to grade a call; after that the built-in rules grade it instead",
        )  # fmt: skip
        self._test(card, "openai", "Check the key and the model now")
        self.body.addWidget(card)

    def _build_backend(self) -> None:
        self.team = card = TeamCard()
        self.errors["backend_url"] = card.add_row("Address", self._line("backend_url", "https://training.example.com"),
                                                  "Your team's Roleplay Trainer server")  # fmt: skip
        self._secret(card, "backend_token", "The sign-in token your team gave you")
        self._test(card, "backend", "Check the address and your sign-in now")
        card.add_dashboard_link(self.fields["backend_url"])
        self.body.addWidget(card)

    def _build_sound(self) -> None:
        self.sound = SoundCard()
        self.sound.mic_test_toggled.connect(self.mic_test_toggled)
        self.sound.speaker_test_requested.connect(self.speaker_test_requested)
        # The page's form reads these directly.
        self.input_device, self.output_device, self.echo_guard, self.partner_voice = (
            self.sound.input_device,
            self.sound.output_device,
            self.sound.echo_guard,
            self.sound.partner_voice,
        )
        self.mic_button, self.mic_meter, self.speaker_button = (
            self.sound.mic_button,
            self.sound.mic_meter,
            self.sound.speaker_button,
        )
        self.audio_message = self.sound.audio_message
        for key, widget in (("input_device", self.input_device), ("output_device", self.output_device)):
            self.fields[key] = widget
            self.errors[key] = self.sound.errors[key]
        self.fields["echo_guard"], self.fields["partner_voice"] = self.echo_guard, self.partner_voice
        self.body.addWidget(self.sound)

    def _build_limits(self) -> None:
        card = FormCard("Time limits", "A countdown shows in the last 2 minutes of a call; the call ends at the limit.")
        self.max_minutes = self._spin("max_session_minutes", 0, MAX_MINUTES, " min", no_limit=True)
        self.errors["max_session_minutes"] = card.add_row("Longest call", self.max_minutes,
                                                          "How long one practice call may last")  # fmt: skip
        self.max_per_day = self._spin("max_sessions_per_day", 0, MAX_PER_DAY, " calls", no_limit=True)
        self.errors["max_sessions_per_day"] = card.add_row(
            "Calls per day", self.max_per_day, "Your own daily cap (your team's plan may set one too)"
        )
        self.body.addWidget(card)

    def _build_footer(self) -> QWidget:
        footer = QFrame(objectName="footer")
        row = QHBoxLayout(footer)
        row.setContentsMargins(20, 10, 20, 10)
        self.status = QLabel(objectName="muted", wordWrap=True)
        row.addWidget(self.status, 1)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Forget unsaved changes")
        self.revert_button.clicked.connect(self.revert_requested)
        self.save_button = QPushButton(" Save", objectName="primary")
        self.save_button.setIcon(icons.icon("check", "ON_ACCENT"))
        self.save_button.setIconSize(QSize(18, 18))
        self.save_button.setToolTip("Check and save your settings (Ctrl+S)")
        self.save_button.clicked.connect(self.request_save)
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        return footer

    # --- data in -----------------------------------------------------------------------------------------------------

    LOADING = "Loading your settings..."

    def show_loading(self) -> None:
        self.status.setStyleSheet("")
        self.status.setText(self.LOADING)

    def show_snapshot(self, snapshot: SettingsSnapshot) -> None:
        self.snapshot = snapshot
        settings = snapshot.settings
        texts = {
            "trainee_name": settings.trainee_name,
            "elevenlabs_agent_id": settings.elevenlabs_agent_id,
            "elevenlabs_api_url": settings.elevenlabs_api_url,
            "openai_model": settings.openai_model,
            "openai_base_url": settings.openai_base_url,
            "backend_url": settings.backend_url,
        }
        for key, value in texts.items():
            edit = self.fields[key]
            assert isinstance(edit, QLineEdit)
            edit.setText(value)
        for name, field in self.secret_fields.items():
            field.set_state(snapshot.secrets.get(name))
        self.sound.show_devices(snapshot, settings.input_device, settings.output_device)
        self.persona_agents.show_personas(snapshot.personas, settings.persona_agents)
        self.echo_guard.setChecked(settings.echo_guard)
        self.partner_voice.setChecked(settings.partner_voice)
        self.grading_timeout.setValue(settings.grading_timeout_s)
        self.max_minutes.setValue(settings.max_session_minutes or 0)
        self.max_per_day.setValue(settings.max_sessions_per_day or 0)
        self.keys_card.setVisible(not snapshot.keyring.usable)
        self.keys_message.set_message(snapshot.keyring.message, "warning")
        env_names = ", ".join(state.env_var for state in snapshot.secrets.values())
        self.env_note.setText(f"The variables: {env_names}. Set them before starting the app.")
        self.show_audio_message(snapshot.audio_problem, "warning")
        self.show_errors({})
        if self.status.text() == self.LOADING:
            self.status.setText("")
        self.setEnabled(True)

    def set_appearance(self, scheme: str) -> None:
        self.appearance.set_value(scheme)

    # --- the form ----------------------------------------------------------------------------------------------------

    def form(self) -> SettingsForm:
        def text(key: str) -> str:
            widget = self.fields[key]
            return widget.text() if isinstance(widget, QLineEdit) else ""

        return SettingsForm(
            trainee_name=text("trainee_name"),
            elevenlabs_agent_id=text("elevenlabs_agent_id"),
            elevenlabs_api_url=text("elevenlabs_api_url"),
            openai_model=text("openai_model"),
            openai_base_url=text("openai_base_url"),
            backend_url=text("backend_url"),
            input_device=self.input_device.currentData() or DEFAULT_DEVICE,
            output_device=self.output_device.currentData() or DEFAULT_DEVICE,
            echo_guard=self.echo_guard.isChecked(),
            partner_voice=self.partner_voice.isChecked(),
            grading_timeout_s=self.grading_timeout.value(),
            max_session_minutes=self.max_minutes.value() or None,
            max_sessions_per_day=self.max_per_day.value() or None,
            persona_agents=self.persona_agents.values(),
            new_secrets={name: field.value() for name, field in self.secret_fields.items() if field.value()},
            forget=frozenset(name for name, field in self.secret_fields.items() if field.forget_pending),
            key_storage=self._storage(),
        )

    def _storage(self) -> str:
        if self.snapshot is None or self.snapshot.keyring.usable:
            return KEEP_IN_KEYRING
        checked = self.key_storage.checkedButton()
        return checked.property("storage") if checked is not None else KEEP_IN_KEYRING

    def _storage_changed(self) -> None:
        env = self._storage() == KEEP_IN_ENV
        for field in self.secret_fields.values():
            if field.state is None or field.state.source != "env":
                field.edit.setEnabled(not env)
        for name in self.secret_fields:
            self._clear_error(name)

    def request_save(self) -> None:
        self.save_requested.emit(self.form())

    # --- results -----------------------------------------------------------------------------------------------------

    def show_errors(self, errors: dict[str, str]) -> None:
        for key, label in self.errors.items():
            label.show_message(errors.get(key))
            mark_invalid(self.fields[key], key in errors)
        if errors:
            self.status.setText(f"Please fix {len(errors)} thing{'s' if len(errors) > 1 else ''} marked in red.")
            self.status.setStyleSheet(f"color: {theme.DANGER};")
            first = next((key for key in self.errors if key in errors), None)
            if first is not None:
                self.fields[first].setFocus()

    def _clear_error(self, key: str) -> None:
        if key in self.errors and self.errors[key].isVisible():
            self.errors[key].show_message(None)
            mark_invalid(self.fields[key], False)

    def show_saving(self) -> None:
        self.save_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText("Saving...")

    def show_saved(self, result: SaveResult) -> None:
        self.save_button.setEnabled(True)
        if result.ok:
            self.show_message("Saved.", "ok")
        else:
            self.show_errors(result.errors)
            self.status.setText("Settings saved, but not every key: see the messages in red.")

    def show_message(self, text: str, kind: str = "info") -> None:
        self.save_button.setEnabled(True)
        color = {"ok": theme.SUCCESS, "error": theme.DANGER, "warning": theme.WARNING}.get(kind, theme.MUTED)
        self.status.setStyleSheet(f"color: {color};")
        self.status.setText(text)

    def show_test_running(self, service: str) -> None:
        self.test_buttons[service].setEnabled(False)
        self.test_results[service].show_running()

    def show_test_result(self, service: str, result: ConnectionResult) -> None:
        self.test_buttons[service].setEnabled(True)
        self.test_results[service].show_result(result)

    def show_mic_level(self, value: float) -> None:
        self.sound.show_mic_level(value)

    def set_mic_test_running(self, running: bool) -> None:
        self.sound.set_mic_test_running(running)

    def show_audio_message(self, text: str, kind: str) -> None:
        self.sound.show_audio_message(text, kind)


class SettingsDialog(QDialog):
    """The same page in its own window (for the tray or a first-run prompt)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.page = SettingsPage(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.page)
        self.resize(720, 760)

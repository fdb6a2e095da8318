"""The call screen: dialing (persona card, ring-back tone), the call itself, and the plain-words failure page.

It listens to the CallController (what is being placed) and its CallAdapter (what the call reports), and turns the
trainee's clicks and keys into controller calls. Space toggles mute, Esc asks before ending, Enter sends a typed
line. When a call ends normally `call_finished(session_id)` is emitted; a failed call shows what happened and what
to do next instead.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from desktop.core.limits import TimerState
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.core.vocabulary import EndReason
from desktop.ui.call.controller import CallController, CallPlan
from desktop.ui.call.failure import Failure, FailurePage, describe_outcome
from desktop.ui.call.page import InCallPage
from desktop.ui.call.panels import LISTENING, SPEAKING, THINKING, DialingCard
from desktop.ui.call.sounds import DtmfPlayer, Ringer
from desktop.ui.call.style import call_style
from desktop.voice.call.events import CallOutcome, CallState, LineCorrected

END_PAUSE_MS = 1200  # "Call ended" stays on screen this long before the feedback opens
TIME_WARNING_TEXT = "{left} left. Start wrapping up: sum up what you heard and agree on a next step."
ENDED_TEXT = {
    EndReason.USER_HANGUP: "Call ended",
    EndReason.AGENT_HANGUP: "The seller hung up",
    EndReason.TIME_LIMIT: "Time's up: the call ended at the time limit",
}


def time_left_words(remaining_s: float) -> str:
    """ "2 minutes" at the warning mark; "Under 2 minutes" when the warning came late (a clock that jumped)."""
    minutes = max(1, math.ceil(remaining_s / 60 - 0.01))
    words = f"{minutes} minute" + ("s" if minutes != 1 else "")
    return words if remaining_s >= minutes * 60 - 5 else f"Under {words}"


class CallScreen(QWidget):
    call_finished = Signal(int)  # the session to show feedback for
    closed = Signal()  # nothing to show: back to where the call was placed from
    settings_requested = Signal()

    def __init__(self, controller: CallController, parent: QWidget | None = None, *, end_pause_ms: int = END_PAUSE_MS):
        super().__init__(parent, objectName="callScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # so the screen can hold focus for Space and Esc
        self.setStyleSheet(call_style())
        self.controller = controller
        self.adapter = controller.adapter
        self._end_pause_ms = end_pause_ms
        self.plan: CallPlan | None = None
        self.state: CallState | None = None
        self.session_id: int | None = None
        self.outcome: CallOutcome | None = None
        self._cancelling = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        self.pages = QStackedWidget()
        layout.addWidget(self.pages)
        self.dialing = DialingCard()
        self.page = InCallPage()
        self.failure_page = FailurePage()
        for page in (self.dialing, self.page, self.failure_page):
            self.pages.addWidget(page)
        self.ringer = Ringer(self)
        self.dtmf = DtmfPlayer(self)
        self._wire()
        self._shortcuts()

    # --- wiring ----------------------------------------------------------------------------------------------------

    def _wire(self) -> None:
        c, a, p = self.controller, self.adapter, self.page
        c.preparing.connect(self._on_preparing)
        c.placed.connect(self._on_placed)
        c.setup_failed.connect(self._show_failure)
        c.cancelled.connect(self._on_cancelled)
        c.devices_listed.connect(p.controls.set_devices)
        c.device_problem.connect(p.problem_banner.show_text)
        a.state_changed.connect(self._on_state)
        a.session_started.connect(self._on_session)
        a.partial_line.connect(self._on_partial)
        a.final_line.connect(self._on_final)
        a.line_corrected.connect(self._on_corrected)
        a.agent_speaking.connect(self._on_agent_speaking)
        a.timer_tick.connect(self._on_tick)
        a.time_warning.connect(self._on_time_warning)
        a.problem.connect(p.problem_banner.show_text)
        a.levels.connect(self._on_levels)
        a.ended.connect(self._on_ended)
        controls = p.controls
        controls.mute_toggled.connect(self.adapter.set_muted)
        controls.camera_toggled.connect(p.self_view.set_camera_on)
        controls.keypad_toggled.connect(p.set_keypad_open)
        controls.typing_toggled.connect(self._on_typing)
        controls.input_device_chosen.connect(c.choose_input)
        controls.output_device_chosen.connect(c.choose_output)
        controls.end_requested.connect(self.hang_up)
        p.self_view.state_changed.connect(self._on_camera_state)
        p.self_view.camera_chosen.connect(c.choose_camera)
        p.keypad.key_pressed.connect(self.dtmf.play)
        p.keypad.digits_entered.connect(self._send)
        p.typing.send_requested.connect(self._send)
        p.confirm.confirmed.connect(self.hang_up)
        p.confirm.cancelled.connect(self._cancel_confirm)
        self.dialing.cancel.clicked.connect(self.hang_up)
        f = self.failure_page
        f.retry_requested.connect(c.retry)
        f.type_instead_requested.connect(c.retry_typed)
        f.settings_requested.connect(self.settings_requested)
        f.review_requested.connect(self.call_finished)
        f.dismissed.connect(self.closed)

    def _shortcuts(self) -> None:
        # Window-wide while the screen is visible; a text field keeps its own Space (Qt lets it override).
        mute = QShortcut(QKeySequence(Qt.Key.Key_Space), self)
        mute.activated.connect(self.toggle_mute)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.activated.connect(self.request_end)

    # --- layout, remembered by the main window (add_page calls these with its QSettings group) ----------------------

    def save_layout(self, settings: QSettings) -> None:
        settings.setValue("splitter", self.page.splitter.saveState())

    def restore_layout(self, settings: QSettings) -> None:
        state = settings.value("splitter")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.page.splitter.restoreState(state)

    # --- the trainee's actions ------------------------------------------------------------------------------------

    @property
    def in_call(self) -> bool:
        return self.state is CallState.CONNECTED

    @property
    def call_running(self) -> bool:
        """Being placed, ringing or connected: a call the trainee must not lose track of (ending, ended and failed
        calls are not)."""
        return self.controller.busy and self.state not in (CallState.ENDING, CallState.ENDED)

    def toggle_mute(self) -> None:
        button = self.page.controls.mute_button
        if self.in_call and button.isEnabled():
            button.toggle()

    def request_end(self) -> None:
        """Esc: while dialing it cancels; in a call it closes the keypad, or asks first; asked already, it takes the
        question back."""
        if self.pages.currentWidget() is self.dialing:
            self.hang_up()
        elif self.page.confirm.isVisible():
            self._cancel_confirm()
        elif self.page.keypad.isVisible():  # a popover first closes itself
            self.page.controls.keypad_button.setChecked(False)
        elif self.in_call:
            self.page.confirm.show()
            self.page.confirm.end.setFocus()

    def hang_up(self) -> None:
        self.page.confirm.hide()
        if self.state in (CallState.ENDING, CallState.ENDED):
            return
        if self.pages.currentWidget() is self.dialing:
            self._cancelling = True
            self.dialing.set_status("Cancelling\u2026")
        else:
            self.page.header.timer.setText("Ending\u2026")
        self.controller.hang_up()

    def _cancel_confirm(self) -> None:
        self.page.confirm.hide()
        self.setFocus()

    def _send(self, text: str) -> None:
        if self.adapter.send_text(text):
            self.page.ai_panel.set_status(THINKING)

    def _on_typing(self, typing: bool) -> None:
        self.page.typing.setVisible(typing)
        if typing:
            self.page.info_banner.hide()  # the partner note's advice has been taken
            self.page.typing.input.setFocus()

    # --- what the controller reports ------------------------------------------------------------------------------

    @Slot(object)
    def _on_preparing(self, plan: CallPlan) -> None:
        self.plan, self.state, self.session_id, self.outcome = plan, None, None, None
        self._cancelling = False
        persona = plan.persona
        mode_text = ("Practice" if plan.practice_mode else "Exam") + (
            " \u00b7 Typed" if plan.typed else " \u00b7 Voice"
        )
        self.dialing.show_call(persona, plan.scenario.title, plan.difficulty.value, mode_text)
        p = self.page
        p.header.set_call(
            persona.name, f"{plan.scenario.title} \u00b7 {plan.difficulty.value.title()} \u00b7 {mode_text}"
        )
        p.ai_panel.set_persona(persona)
        p.ai_panel.set_status(LISTENING)
        p.transcript.clear()
        p.transcript.set_names("You", persona.first_name)
        p.hints.setVisible(plan.practice_mode)
        if plan.practice_mode:
            p.hints.reset(persona.objection_patterns)
        for banner in (p.info_banner, p.time_banner, p.problem_banner, p.confirm):
            banner.hide()
        p.controls.mute_button.setChecked(False)
        p.controls.set_voice_available(not plan.typed)
        p.controls.keypad_button.setChecked(False)
        p.controls.typing_button.setChecked(plan.typed)
        p.typing.setVisible(plan.typed)
        p.typing.input.clear()
        self._set_controls_enabled(False)
        p.self_view.set_preferred_camera(getattr(self.controller.settings, "camera", ""))
        p.self_view.set_camera_on(p.controls.camera_button.isChecked())
        self.pages.setCurrentWidget(self.dialing)
        self.dialing.start_ringing()
        self.ringer.start()
        if not plan.typed:
            self.controller.list_devices()
        self.setFocus()

    @Slot(object)
    def _on_placed(self, _plan: CallPlan) -> None:
        """The day's allowance ("3 of 5 practice calls left today") joins the call's details, when there is a cap."""
        note = self.controller.usage_note
        details = self.page.header.details
        if note and note not in details.text():
            details.setText(f"{details.text()} \u00b7 {note}")
        if self.controller.partner_note:
            self.page.info_banner.show_text(self.controller.partner_note)

    @Slot(object)
    def _show_failure(self, failure: Failure) -> None:
        self._stop_ringing()
        self.page.self_view.stop()
        self.failure_page.show_failure(failure)
        if self.plan is not None:
            self.failure_page.context.setText(
                f"Your call to {self.plan.persona.name} \u00b7 {self.plan.scenario.title}"
            )
        self.pages.setCurrentWidget(self.failure_page)

    @Slot()
    def _on_cancelled(self) -> None:
        self._stop_ringing()
        self.page.self_view.stop()
        self.closed.emit()

    # --- what the call reports ------------------------------------------------------------------------------------

    @Slot(object)
    def _on_state(self, state: CallState) -> None:
        self.state = state
        if state is CallState.CONNECTED:
            self._stop_ringing()
            self._set_controls_enabled(True)
            self.pages.setCurrentWidget(self.page)
            self.dialing.set_status("Connected")
            if self.plan is not None and self.plan.typed:
                self.page.typing.input.setFocus()
            else:
                self.setFocus()
        elif state is CallState.ENDING:
            self._set_controls_enabled(False)
            self.page.confirm.hide()

    @Slot(int)
    def _on_session(self, session_id: int) -> None:
        self.session_id = session_id

    @Slot(object)
    def _on_partial(self, partial) -> None:
        self.page.transcript.add_partial(partial)
        if partial.speaker is Speaker.TRAINEE:
            self.page.ai_panel.set_status(LISTENING)

    @Slot(object)
    def _on_final(self, line: TranscriptLine) -> None:
        self.page.transcript.add_final(line)
        if self.plan is not None and self.plan.practice_mode:
            self.page.hints.add_line(line)
        panel = self.page.ai_panel
        if line.speaker is Speaker.TRAINEE:
            panel.set_status(THINKING)
        elif panel.status_key == THINKING:
            panel.set_status(LISTENING)

    @Slot(object)
    def _on_corrected(self, event: LineCorrected) -> None:
        self.page.transcript.correct(event.line)

    @Slot(bool)
    def _on_agent_speaking(self, speaking: bool) -> None:
        self.page.ai_panel.set_status(SPEAKING if speaking else LISTENING)

    @Slot(object)
    def _on_tick(self, state: TimerState) -> None:
        self.page.header.show_time(state)

    @Slot(float)
    def _on_time_warning(self, remaining_s: float) -> None:
        self.page.time_banner.show_text(TIME_WARNING_TEXT.format(left=time_left_words(remaining_s)))

    @Slot(float, float)
    def _on_levels(self, mic: float, agent: float) -> None:
        self.page.controls.set_level(mic)
        self.page.ai_panel.ring.set_level(agent)

    @Slot(str)
    def _on_camera_state(self, _state: str) -> None:
        self.page.controls.set_camera_available(self.page.self_view.has_camera or self.page.self_view.surface.has_frame)

    @Slot(object)
    def _on_ended(self, outcome: CallOutcome) -> None:
        self.outcome = outcome
        self.state = CallState.ENDED
        self._stop_ringing()
        self._set_controls_enabled(False)
        self.page.self_view.stop()
        self.page.keypad.clear()
        if self._cancelling and outcome.end_reason is EndReason.USER_HANGUP:
            self.closed.emit()  # hung up while it rang: nothing to grade
            return
        failure = describe_outcome(outcome)
        if failure is not None:
            self._show_failure(failure)
            return
        self.page.header.timer.setText(ENDED_TEXT.get(outcome.end_reason, "Call ended"))
        self.page.header.countdown.hide()
        if outcome.session_id is not None:
            session_id = outcome.session_id
            # Tied to the screen: a screen deleted during the pause (the app quitting) emits nothing.
            QTimer.singleShot(self._end_pause_ms, self, lambda: self.call_finished.emit(session_id))

    # --- helpers ---------------------------------------------------------------------------------------------------

    def _stop_ringing(self) -> None:
        self.ringer.stop()
        self.dialing.stop_ringing()

    def _set_controls_enabled(self, enabled: bool) -> None:
        p = self.page
        for widget in (p.controls.keypad_button, p.controls.typing_button, p.controls.end_button, p.keypad):
            widget.setEnabled(enabled)
        voice = self.plan is not None and not self.plan.typed
        p.controls.mute_button.setEnabled(enabled and voice)
        p.controls.typing_button.setEnabled(enabled and voice)
        p.typing.input.setEnabled(enabled)
        p.typing.send.setEnabled(enabled)

"""A running call is never lost out of sight: closing the main window mid-call asks (end the call, keep it in a small
always-on-top window, or cancel), and the tray shows the live call with a way to end it.

Without this, closing the window hid a call that went on with the microphone open, while the tray offered a quick
call that could not start and no way to hang up.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.core.limits import TimerState
from desktop.ui.call.controller import CallPlan
from desktop.ui.call.mini_window import MiniCallWindow
from desktop.ui.call.screen import CallScreen
from desktop.ui.shell.tray_data import LiveCall
from desktop.voice.call.events import CallState

END = "end"
KEEP = "keep"
STAY = "stay"  # cancel: the window stays open, the call goes on in it
END_TEXT = "End the call"
KEEP_TEXT = "Keep it in a small window"


class CallCloseGuard(QObject):
    """`window` is the main window (`set_close_guard`, `close_past_guard`, `bring_to_front`); `tray`, when given,
    is the TrayIcon (`set_live_call`, `end_call_requested`). Neither is imported here: the shell owns them."""

    def __init__(self, window: QWidget, screen: CallScreen, tray: QObject | None = None) -> None:
        super().__init__(screen)
        self.window = window
        self.screen = screen
        self.tray = tray
        self.mini = MiniCallWindow(screen)
        self.question: QMessageBox | None = None
        window.set_close_guard(self.allow_close)
        window.installEventFilter(self)
        self.mini.open_requested.connect(self.back_to_window)
        controller, adapter = screen.controller, screen.adapter
        controller.preparing.connect(self._on_preparing)
        adapter.timer_tick.connect(self._on_tick)
        adapter.state_changed.connect(self._on_state)
        adapter.ended.connect(self._on_over)
        controller.setup_failed.connect(self._on_over)
        controller.cancelled.connect(self._on_over)
        if tray is not None:
            tray.end_call_requested.connect(screen.hang_up)

    # --- closing the window ----------------------------------------------------------------------------------------

    def allow_close(self) -> bool:
        """The main window's close guard: yes when no call runs; otherwise ask, and act on the answer later."""
        if not self.screen.call_running:
            return True
        if self.question is None:
            self._ask()
        else:
            self.question.raise_()
        return False

    def _ask(self) -> None:
        plan = self.screen.plan
        name = plan.persona.name if plan is not None else "the seller"
        question = QMessageBox(
            QMessageBox.Icon.Question,
            "Your call is still running",
            f"Your call with {name} is still running.",
            QMessageBox.StandardButton.Cancel,
            self.window,
        )
        typed = plan is not None and plan.typed
        question.setInformativeText(
            "End it now (it is saved and graded), or keep it in a small window on top of your other windows"
            + ("." if typed else ", with your microphone still on.")
        )
        end = question.addButton(END_TEXT, QMessageBox.ButtonRole.DestructiveRole)
        keep = question.addButton(KEEP_TEXT, QMessageBox.ButtonRole.AcceptRole)
        question.setDefaultButton(keep)
        question.setEscapeButton(QMessageBox.StandardButton.Cancel)

        def answered() -> None:
            self.question = None
            clicked = question.clickedButton()
            question.deleteLater()
            self.choose(END if clicked is end else KEEP if clicked is keep else STAY)

        question.finished.connect(answered)
        self.question = question
        question.open()  # not exec(): the call's events keep reaching the screen while the question waits

    def choose(self, choice: str) -> None:
        if choice == END:
            self.screen.hang_up()
            self._show_live(None)  # ending now: the tray's note and menu must not offer a call that is going away
            self.window.close_past_guard()
        elif choice == KEEP and self.screen.call_running:
            self.mini.show_for_call()
            self.window.hide()

    @Slot()
    def back_to_window(self) -> None:
        self.mini.hide()
        self.window.bring_to_front()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        # The full window is back (from the tray, a second launch, the small window's Open): one view of the call.
        if watched is self.window and event.type() == QEvent.Type.Show and self.mini.isVisible():
            self.mini.hide()
        return False

    # --- what the call reports --------------------------------------------------------------------------------------

    @Slot(object)
    def _on_preparing(self, plan: CallPlan) -> None:
        self._show_live(plan.persona.name, 0.0)

    @Slot(object)
    def _on_tick(self, state: TimerState) -> None:
        if self.screen.call_running and self.screen.plan is not None:
            self._show_live(self.screen.plan.persona.name, state.elapsed_s)

    @Slot(object)
    def _on_state(self, state: CallState) -> None:
        if state in (CallState.ENDING, CallState.ENDED):
            self._show_live(None)

    def _on_over(self, *_args: object) -> None:
        """The call ended, failed or was cancelled: the question is moot, and the trainee sees how it ended."""
        self._show_live(None)
        if self.question is not None:
            self.question.reject()
        if self.mini.isVisible():
            self.back_to_window()

    def _show_live(self, name: str | None, elapsed_s: float = 0.0) -> None:
        if self.tray is None:
            return
        self.tray.set_live_call(LiveCall(name, elapsed_s) if name is not None else None)

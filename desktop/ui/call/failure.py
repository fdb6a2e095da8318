"""What went wrong with a call, in plain words with what to do next, and the page that shows it.

The engine's messages already name the cause ("The ElevenLabs API key was rejected (401). Check it in Settings.");
this adds a headline, the next step, whether Settings can fix it, and whether anything of the call was kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.core.vocabulary import EndReason, Status
from desktop.ui.call.panels import centred_card
from desktop.ui.widgets import theme
from desktop.ui.widgets.icons import icon_pixmap
from desktop.voice.call.events import CallOutcome

SETTINGS_CODES = {401, 403, 404, 1008}


@dataclass(frozen=True)
class Failure:
    headline: str
    message: str
    next_step: str
    settings_help: bool = False  # the fix is in Settings (key, agent id, overrides)
    session_id: int | None = None
    kept_lines: int = 0
    typing_helps: bool = False  # the sound system failed, and a typed call needs none

    @property
    def kept_text(self) -> str:
        if self.session_id is None:
            return "Nothing was saved, because the call never started."
        if self.kept_lines:
            lines = "line" if self.kept_lines == 1 else "lines"
            return f"Your call so far ({self.kept_lines} {lines}) is saved in your history."
        return "The attempt is saved in your history."


def _mentions_settings(text: str) -> bool:
    low = text.lower()
    return "settings" in low or "api key" in low or "agent id" in low or "override" in low


def describe_outcome(outcome: CallOutcome) -> Failure | None:
    """None for an ordinary end (either side hung up, or the time ran out)."""
    if not outcome.is_error:
        return None
    message = outcome.message or "The call stopped for a reason the app could not tell."
    settings_help = outcome.code in SETTINGS_CODES or _mentions_settings(message)
    if "microphone" in message.lower() or "speaker" in message.lower() or "device" in message.lower():
        headline = "There is a problem with your microphone or speaker"
        next_step = (
            "Check that your headset is plugged in, pick it under Devices or in Settings, then call again. "
            "Or type the call instead: it needs no sound."
        )
        return Failure(headline, message, next_step, True, outcome.session_id, outcome.line_count, typing_helps=True)
    if outcome.status == Status.FAILED:
        headline = "The call could not connect"
        next_step = (
            "Fix it in Settings, then call again."
            if settings_help
            else "Check your internet connection, then call again. The built-in practice partner works without one."
        )
    elif outcome.end_reason is EndReason.CONNECTION_LOST:
        headline = "The call dropped"
        next_step = "Check your internet connection, then call again."
    else:
        headline = "The call was ended by the agent service"
        next_step = "Fix it in Settings, then call again." if settings_help else "Wait a moment, then call again."
    return Failure(headline, message, next_step, settings_help, outcome.session_id, outcome.line_count)


def setup_failure(message: str, settings_help: bool = False) -> Failure:
    """The call could not even be placed (no agent configured, the partner did not start...)."""
    next_step = "Fix it in Settings, then call again." if settings_help else "Try again in a moment."
    return Failure("The call was not placed", message, next_step, settings_help)


class FailurePage(QWidget):
    retry_requested = Signal()
    settings_requested = Signal()
    review_requested = Signal(int)  # session id: see what was kept
    type_instead_requested = Signal()  # the same call, typed
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.failure: Failure | None = None
        layout = QVBoxLayout(centred_card(self, "failureCard", 36))
        layout.setSpacing(10)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.addStretch(1)
        self.context = QLabel(objectName="muted", alignment=Qt.AlignmentFlag.AlignCenter)
        self.context.setTextFormat(Qt.TextFormat.PlainText)  # the persona's name
        self.icon = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.icon.setPixmap(icon_pixmap("warning", theme.DANGER, self.fontMetrics().height() * 3))
        # Wrapped: a long headline in a narrow window was cut mid-sentence.
        self.headline = QLabel(objectName="failureHeadline", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.context.setWordWrap(True)
        self.message = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.next_step = QLabel(objectName="failureNext", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.kept = QLabel(objectName="muted", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        for widget in (self.icon, self.context, self.headline, self.message, self.next_step, self.kept):
            layout.addWidget(widget)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry = QPushButton("Call again", objectName="primary", toolTip="Place the same call again")
        self.type_instead = QPushButton("Type the call instead", toolTip="Place the same call in typing mode")
        self.settings = QPushButton("Open Settings", toolTip="Check your keys, agent id and devices")
        self.review = QPushButton("See what was saved", toolTip="Open the part of the call that was kept")
        self.close = QPushButton("Back", toolTip="Back to your contacts")
        layout.addSpacing(self.fontMetrics().height() // 2)
        # Two rows, ways to call first: five buttons in one row of a card this wide were cut to their middles.
        for row in ((self.retry, self.type_instead), (self.settings, self.review, self.close)):
            buttons = QHBoxLayout()
            buttons.addStretch(1)
            for button in row:
                button.setCursor(Qt.CursorShape.PointingHandCursor)
                buttons.addWidget(button)
            buttons.addStretch(1)
            layout.addLayout(buttons)
        layout.addStretch(2)
        self.retry.clicked.connect(self.retry_requested)
        self.settings.clicked.connect(self.settings_requested)
        self.type_instead.clicked.connect(self.type_instead_requested)
        self.review.clicked.connect(self._review)
        self.close.clicked.connect(self.dismissed)

    def show_failure(self, failure: Failure) -> None:
        self.failure = failure
        self.headline.setText(failure.headline)
        self.message.setText(failure.message)
        self.next_step.setText(failure.next_step)
        self.kept.setText(failure.kept_text)
        self.settings.setVisible(failure.settings_help)
        self.type_instead.setVisible(failure.typing_helps)
        self.review.setVisible(failure.session_id is not None and failure.kept_lines > 0)

    def _review(self) -> None:
        if self.failure is not None and self.failure.session_id is not None:
            self.review_requested.emit(self.failure.session_id)

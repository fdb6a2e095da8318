"""Correcting what the recogniser heard, in the review: which lines may be corrected (and why not, in the user's
words), and the small dialog that takes the corrected words. The presenter saves them through the repository and has
the call graded again; nothing here touches the store.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from desktop.core.transcript import MAX_LINE_CHARS, TranscriptLine, why_line_stays_as_heard
from desktop.core.vocabulary import Status
from desktop.store.records import SessionRecord
from desktop.ui.widgets import icons
from desktop.ui.widgets.report import section_title

TITLE = "Correct what was heard"
ACTION_TEXT = "Correct what was heard…"
PICK_A_LINE = "Click one of your own lines first, then correct it (F2)."


def why_not_correctable(record: SessionRecord | None, line: TranscriptLine | None, origin_device: str = "") -> str:
    """Empty when the line may be corrected; otherwise why not, for a tooltip."""
    if record is None or line is None:
        return PICK_A_LINE
    if origin_device:
        return "This call was made on another device; its lines can be corrected there."
    summary = record.summary
    active = summary.status == Status.ACTIVE
    return why_line_stays_as_heard(mode=summary.mode, active=active, practice=record.practice_mode, line=line)


def heard_as(heard: str) -> str:
    return f"Heard as: {heard}"


class _LineEditor(QPlainTextEdit):
    """A wrapping field for a line that may be long; Enter saves (a line has no line breaks), Shift+Enter too."""

    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submitted.emit()
            return
        super().keyPressEvent(event)


class CorrectHeardDialog(QDialog):
    """Shows the words as stored now (the recogniser's, or an earlier correction) for the trainee to edit."""

    def __init__(self, text: str, heard: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setMinimumWidth(520)
        self.setAccessibleName(TITLE)
        layout = QVBoxLayout(self)
        layout.addWidget(section_title(TITLE))  # also where a window manager draws no title bar
        prompt = QLabel("Type what you actually said. The call is graded again on your words.")
        prompt.setWordWrap(True)
        layout.addWidget(prompt)
        self.editor = _LineEditor()
        self.editor.setPlainText(text)
        self.editor.setTabChangesFocus(True)
        self.editor.setAccessibleName("What you said")
        self.editor.setFixedHeight(self.editor.fontMetrics().lineSpacing() * 4 + 16)
        layout.addWidget(self.editor)
        # The words first heard, when an earlier correction replaced them: kept, and shown so nothing seems lost.
        if heard:
            note = f"{heard_as(heard)}\nThe recogniser's words stay saved with the line."
        else:
            note = "These are the words the speech recogniser heard; they stay saved with the line."
        self.heard = QLabel(note)
        self.heard.setTextFormat(Qt.TextFormat.PlainText)  # transcript text is data, never markup
        self.heard.setObjectName("muted")
        self.heard.setWordWrap(True)
        layout.addWidget(self.heard)
        self.problem = QLabel("")
        self.problem.setObjectName("muted")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)
        self.save_button.setObjectName("primary")
        # The app's own line icons; the style's stock ones clash with them (and vanish in dark mode).
        self.save_button.setIcon(icons.icon("check", "ON_ACCENT"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setIcon(icons.icon("close"))
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        self.editor.submitted.connect(self._save)
        self.editor.textChanged.connect(self._check)
        self._check()
        self.editor.setFocus()
        self.editor.selectAll()

    @property
    def text(self) -> str:
        return self.editor.toPlainText().strip()

    def _check(self) -> None:
        words = self.text
        too_long = len(words) > MAX_LINE_CHARS
        self.save_button.setEnabled(bool(words) and not too_long)
        if too_long:
            self.problem.setText(f"Too long: {len(words)} characters; a line holds at most {MAX_LINE_CHARS}.")
        else:
            self.problem.setText("" if words else "Type what you said, or cancel to keep the line as heard.")
        self.problem.setVisible(bool(self.problem.text()))

    def _save(self) -> None:
        if self.save_button.isEnabled():
            self.accept()

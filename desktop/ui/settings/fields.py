"""Form pieces of the settings page: a key field that never shows a stored key, a labelled row with its error
message, and a "test connection" result line."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from desktop.ui.settings.connection_checks import ERROR, OK, ConnectionResult
from desktop.ui.settings.form import FROM_ENV, FROM_KEYRING, FROM_SESSION, SecretState
from desktop.ui.widgets import icons, theme
from desktop.ui.widgets.controls import FieldError


class SecretField(QWidget):
    """A password-style field. A stored key stays where it is: the field only takes a new one, or a request to
    forget it."""

    changed = Signal()

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label
        self.state: SecretState | None = None
        self.forget_pending = False
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName(label)
        self.edit.setToolTip(f"Paste your {label}. It is kept in your OS keyring, never in a file.")
        self.edit.textChanged.connect(self._typed)
        row.addWidget(self.edit, 1)
        self.reveal = QToolButton(objectName="flat", checkable=True)
        self.reveal.setIcon(icons.icon("eye"))
        self.reveal.setIconSize(QSize(18, 18))
        self.reveal.setToolTip("Show what you typed")
        self.reveal.toggled.connect(
            lambda on: self.edit.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
        )
        row.addWidget(self.reveal)
        self.forget = QToolButton(objectName="flat")
        self.forget.setIcon(icons.icon("trash"))
        self.forget.setIconSize(QSize(18, 18))
        self.forget.setToolTip(f"Remove the stored {label} when you save")
        self.forget.clicked.connect(self._toggle_forget)
        row.addWidget(self.forget)
        self.set_state(None)

    def set_state(self, state: SecretState | None) -> None:
        self.state = state
        self.forget_pending = False
        self.edit.clear()
        source = state.source if state else ""
        self.edit.setEnabled(source != FROM_ENV)
        self.forget.setEnabled(source in (FROM_KEYRING, FROM_SESSION))
        self.edit.setPlaceholderText(self.describe())

    def describe(self) -> str:
        source = self.state.source if self.state else ""
        if self.forget_pending:
            return "Will be removed when you save"
        if source == FROM_ENV and self.state is not None:
            return f"Set by the environment variable {self.state.env_var}"
        if source == FROM_KEYRING:
            return "Saved in your keyring. Type a new one to replace it"
        if source == FROM_SESSION:
            return "Kept for this session only. Type a new one to replace it"
        return "Not set"

    def value(self) -> str:
        return self.edit.text().strip()

    def _typed(self, _text: str) -> None:
        if self.forget_pending and self.edit.text():
            self.forget_pending = False
            self.edit.setPlaceholderText(self.describe())
        self.changed.emit()

    def _toggle_forget(self) -> None:
        self.forget_pending = not self.forget_pending
        self.edit.clear()
        self.edit.setPlaceholderText(self.describe())
        self.changed.emit()


class ResultLine(QLabel):
    """The answer of a connection test, coloured by how it went."""

    def __init__(self) -> None:
        super().__init__(wordWrap=True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_running(self) -> None:
        self.setStyleSheet(f"color: {theme.MUTED};")
        self.setText("Testing...")
        self.show()

    def show_result(self, result: ConnectionResult) -> None:
        color = {OK: theme.SUCCESS, ERROR: theme.DANGER}.get(result.kind, theme.WARNING)
        mark = {OK: "✓ ", ERROR: "✕ "}.get(result.kind, "! ")
        self.setStyleSheet(f"color: {color};")
        self.setText(mark + result.message)
        self.kind = result.kind
        self.show()


class FormCard(QFrame):
    """A titled card of label / field / message rows."""

    def __init__(self, title: str, intro: str = "") -> None:
        super().__init__(objectName="card")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(20, 16, 20, 16)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(4)
        self.grid.setColumnStretch(1, 1)
        # One label width for every card, so the fields line up down the page.
        self.grid.setColumnMinimumWidth(0, QFontMetrics(self.font()).horizontalAdvance("ElevenLabs API key") + 12)
        self.grid.addWidget(QLabel(title, objectName="sectionTitle"), 0, 0, 1, 2)
        self._row = 1
        if intro:
            note = QLabel(intro, objectName="muted", wordWrap=True)
            self.grid.addWidget(note, self._row, 0, 1, 2)
            self._row += 1
        self.grid.setRowMinimumHeight(self._row, 6)
        self._row += 1

    def add_row(self, label: str, field: QWidget, tooltip: str = "") -> FieldError:
        caption = QLabel(label)
        if tooltip:
            caption.setToolTip(tooltip)
            if not field.toolTip():
                field.setToolTip(tooltip)
        self.grid.addWidget(caption, self._row, 0)
        self.grid.addWidget(field, self._row, 1)
        error = FieldError()
        self.grid.addWidget(error, self._row + 1, 1)
        self._row += 2
        return error

    def add_gap(self, height: int = 8) -> None:
        """Air between two groups of rows."""
        self.grid.setRowMinimumHeight(self._row, height)
        self._row += 1

    def add_wide(self, widget: QWidget) -> None:
        self.grid.addWidget(widget, self._row, 0, 1, 2)
        self._row += 1

    def add_test_button(self, text: str, tooltip: str) -> tuple[QPushButton, ResultLine]:
        button = QPushButton(" " + text)
        button.setIcon(icons.icon("pulse"))
        button.setToolTip(tooltip)
        result = ResultLine()
        row = QHBoxLayout()
        row.setSpacing(12)
        row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(result, 1)
        row.addStretch(0)
        button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.grid.addLayout(row, self._row, 0, 1, 2)
        self._row += 1
        return button, result

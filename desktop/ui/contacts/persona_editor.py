"""The form for the trainee's own sellers: every field checked as you go, each message right under its field."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.personas import (
    CONVERSATION_STYLES,
    MOTIVATION_LEVELS,
    OBJECTION_LINES,
    Persona,
    normalize_phone,
    validate_persona,
)
from desktop.ui.widgets import icons
from desktop.ui.widgets.controls import FieldError, mark_invalid

AVATAR_COLORS = ("#5B7083", "#2E7DA6", "#2F8F83", "#5E8C61", "#8A6D3B", "#C76B2E", "#B5452F", "#C0568A", "#6C4F9C")

# field -> (label, tooltip); the order is the form's order.
FIELDS = {
    "name": ("Name", "The seller's full name, as the trainee would hear it"),
    "phone": ("Phone", "Optional: a 10-digit number so you can dial them from the dial pad"),
    "property_type": ("Property", "What they own, e.g. '12 acres of wooded land' or '3-bed ranch house'"),
    "location": ("Location", "County and state, e.g. 'Bastrop County, TX'"),
    "motivation_level": ("Motivation", "How keen they are to sell"),
    "conversation_style": ("Style", "How they talk on the phone"),
    "asking_price": ("Asking price", "What they hope to get, in dollars"),
    "fair_price": ("Fair price", "Optional: what they would really accept (default: 70% of the asking price)"),
    "objection_patterns": ("Objections", "One per line: what they push back with (up to 6)"),
    "backstory": ("Backstory", "Optional: who they are and why they might sell; the AI seller plays it"),
    "avatar_color": ("Colour", "The colour of their avatar"),
    "voice_id": (
        "Voice id",
        "Optional: the ElevenLabs voice this seller speaks with (copy it from your voice library)",
    ),
}


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(32, 32)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class ReservedError(FieldError):
    """A field's message in room kept for it whether or not it shows, so the form does not jump as messages come and
    go. A message longer than its lines is cut with "…"; the whole of it is in the tooltip and read to screen
    readers."""

    def __init__(self, lines: int = 1) -> None:
        super().__init__()
        self._message = ""
        self._lines = lines
        self.setWordWrap(lines > 1)
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)  # a long message never widens the form
        self.setSizePolicy(policy)
        self.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 2)

    def show_message(self, message: str | None) -> None:
        self._message = message or ""
        self.setToolTip(self._message)
        self.setAccessibleDescription(self._message)
        self._fit()
        self.setVisible(bool(self._message))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        metrics = self.fontMetrics()
        room = max(0, self.width()) * self._lines - metrics.horizontalAdvance("…") * (self._lines - 1)
        self.setText(metrics.elidedText(self._message, Qt.TextElideMode.ElideRight, room))


class PersonaEditor(QDialog):
    """`save_requested(data)` when the form is valid; the page hands it to the presenter, which answers with
    `show_problem` (or the page closes the dialog once it is stored)."""

    save_requested = Signal(dict)

    def __init__(self, personas: list[Persona], persona: Persona | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.persona = persona
        self._others: list[Persona] = []
        self._touched: set[str] = set()
        self._tried_to_save = False
        self.setWindowTitle(f"Edit {persona.name}" if persona else "New seller persona")
        self.setMinimumWidth(560)
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, FieldError] = {}

        outer = QVBoxLayout(self)
        title = QLabel("Edit persona" if persona else "Create your own seller", objectName="title")
        outer.addWidget(title)
        outer.addWidget(
            QLabel("The AI seller plays this person on your calls. Required fields are marked *.", objectName="muted")
        )
        scroll = QScrollArea(objectName="pageScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self.grid = QGridLayout(body)
        self.grid.setContentsMargins(0, 8, 14, 8)
        self.grid.setVerticalSpacing(4)
        self.grid.setHorizontalSpacing(12)
        self._build_fields()
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        self.form_error = ReservedError(lines=2)
        outer.addWidget(self.form_error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Close without saving (Esc)")
        self.cancel_button.clicked.connect(self.reject)
        self.save_button = QPushButton(" Save", objectName="primary")
        self.save_button.setIcon(icons.icon("check", "ON_ACCENT"))
        self.save_button.setToolTip("Check the form and save the persona (Ctrl+S)")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.try_save)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.try_save)
        self.set_other_personas(personas)
        if persona is not None:
            self._fill(persona)
        self.resize(620, 720)

    # --- building ----------------------------------------------------------------------------------------------------

    def _build_fields(self) -> None:
        row = 0
        required = {"name", "property_type", "location", "motivation_level", "conversation_style", "asking_price"}
        required.add("objection_patterns")
        for key, (label, tooltip) in FIELDS.items():
            widget = self._make_input(key)
            widget.setToolTip(tooltip)
            widget.setAccessibleName(label)
            caption = QLabel(label + (" *" if key in required else ""))
            caption.setBuddy(widget)
            caption.setToolTip(tooltip)
            top = Qt.AlignmentFlag.AlignTop if isinstance(widget, QPlainTextEdit) else Qt.AlignmentFlag.AlignVCenter
            self.grid.addWidget(caption, row, 0, top)
            if key == "objection_patterns":
                box = QVBoxLayout()
                box.addWidget(widget)
                box.addWidget(self._objection_picker(), 0, Qt.AlignmentFlag.AlignLeft)
                self.grid.addLayout(box, row, 1)
            else:
                self.grid.addWidget(widget, row, 1)
            error = ReservedError()
            self.grid.addWidget(error, row + 1, 1)
            self.inputs[key] = widget
            self.errors[key] = error
            row += 2
        self.grid.setColumnStretch(1, 1)

    def _make_input(self, key: str) -> QWidget:
        if key in ("motivation_level", "conversation_style"):
            combo = QComboBox()
            for value in MOTIVATION_LEVELS if key == "motivation_level" else CONVERSATION_STYLES:
                combo.addItem(value.title(), value)
            combo.currentIndexChanged.connect(lambda _i, k=key: self._changed(k))
            return combo
        if key in ("objection_patterns", "backstory"):
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            lines = 5 if key == "objection_patterns" else 6
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 16)
            if key == "objection_patterns":
                edit.setPlaceholderText("price too low\nnot in a hurry\nwants to talk to family")
            edit.textChanged.connect(lambda k=key: self._changed(k))
            return edit
        if key == "avatar_color":
            return self._color_picker()
        line = QLineEdit()
        placeholders = {
            "name": "e.g. Walter Briggs",
            "phone": "(555) 010-1234",
            "property_type": "20 acres of vacant rural land",
            "location": "Bastrop County, TX",
            "asking_price": "$85,000",
            "fair_price": "leave empty for 70% of the asking price",
            "voice_id": "leave empty for the agent's own voice",
        }
        line.setPlaceholderText(placeholders.get(key, ""))
        line.textChanged.connect(lambda _t, k=key: self._changed(k))
        line.editingFinished.connect(lambda k=key: self._touch(k))
        return line

    def _objection_picker(self) -> QToolButton:
        button = QToolButton()
        button.setText(" Add a common objection")
        button.setIcon(icons.icon("plus"))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setToolTip("Pick from the objections sellers raise most often")
        button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        menu = QMenu(button)
        for label, line in OBJECTION_LINES.items():
            action = menu.addAction(label)
            action.setToolTip(f"“{line}”")
            action.triggered.connect(lambda _checked=False, text=label: self._add_objection(text))
        button.setMenu(menu)
        return button

    def _color_picker(self) -> QWidget:
        box = QWidget()
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.color_group = QButtonGroup(box)
        self.color_group.setExclusive(True)
        for color in AVATAR_COLORS:
            swatch = QToolButton(objectName="swatch", checkable=True)
            swatch.setIcon(_swatch(color))
            swatch.setIconSize(QSize(18, 18))
            swatch.setProperty("color", color)
            swatch.setToolTip(f"Avatar colour {color}")
            self.color_group.addButton(swatch)
            layout.addWidget(swatch)
        self.color_group.buttons()[0].setChecked(True)
        layout.addStretch(1)
        return box

    def _fill(self, persona: Persona) -> None:
        values = {
            "name": persona.name,
            "phone": persona.phone,
            "property_type": persona.property_type,
            "location": persona.location,
            "asking_price": f"{persona.asking_price:,}" if persona.asking_price else "",
            "fair_price": f"{persona.fair_price:,}" if persona.fair_price else "",
            "objection_patterns": "\n".join(persona.objection_patterns),
            "backstory": persona.backstory,
            "voice_id": persona.voice_id or "",
        }
        for key, value in values.items():
            widget = self.inputs[key]
            if isinstance(widget, QPlainTextEdit):
                widget.setPlainText(value)
            elif isinstance(widget, QLineEdit):
                widget.setText(value)
        for key, value in (("motivation_level", persona.motivation_level), ("conversation_style",
                                                                            persona.conversation_style)):  # fmt: skip
            combo = self.inputs[key]
            assert isinstance(combo, QComboBox)
            combo.setCurrentIndex(max(0, combo.findData(value)))
        for swatch in self.color_group.buttons():
            swatch.setChecked(swatch.property("color").lower() == persona.avatar_color.lower())
        self._touched.clear()
        self.show_problem({})

    # --- values and checks -------------------------------------------------------------------------------------------

    def set_other_personas(self, personas: list[Persona]) -> None:
        own_id = self.persona.id if self.persona else None
        self._others = [p for p in personas if p.id != own_id]

    def data(self) -> dict:
        """The form as the persona validator reads it (prices and objections as typed)."""
        values: dict = {}
        for key, widget in self.inputs.items():
            if isinstance(widget, QComboBox):
                values[key] = widget.currentData()
            elif isinstance(widget, QPlainTextEdit):
                values[key] = widget.toPlainText()
            elif isinstance(widget, QLineEdit):
                values[key] = widget.text()
        checked = self.color_group.checkedButton()
        values["avatar_color"] = checked.property("color") if checked else AVATAR_COLORS[0]
        values["source"] = "user"
        if self.persona is not None:
            values["id"] = self.persona.id
            values["facts"] = dict(self.persona.facts)
        values["voice_id"] = values.get("voice_id", "").strip() or None
        return values

    def check(self) -> dict[str, str]:
        """Every problem with the form: the persona rules plus a phone number another seller already has."""
        data = self.data()
        errors = validate_persona(data)
        phone = normalize_phone(data.get("phone") or "")
        if phone and "phone" not in errors:
            taken = next((p for p in self._others if p.phone and normalize_phone(p.phone) == phone), None)
            if taken is not None:
                errors["phone"] = f"{taken.name} already has this number; pick another so the dial pad knows whom."
        return errors

    def show_problem(self, problem: dict[str, str] | str) -> None:
        """Per-field messages (a dict), or one message for the whole form (a string, e.g. the disk was full)."""
        self.save_button.setEnabled(True)
        self.save_button.setText(" Save")
        errors = problem if isinstance(problem, dict) else {}
        self.form_error.show_message(problem if isinstance(problem, str) else None)
        leftover = [message for key, message in errors.items() if key not in self.errors]
        if leftover and isinstance(problem, dict):
            self.form_error.show_message(" ".join(leftover))
        for key, label in self.errors.items():
            label.show_message(errors.get(key))
            mark_invalid(self.inputs[key], key in errors)

    def try_save(self) -> bool:
        self._tried_to_save = True
        errors = self.check()
        self.show_problem(errors)
        if errors:
            first = next((key for key in FIELDS if key in errors), None)
            if first is not None:
                self.inputs[first].setFocus()
            return False
        self.save_button.setEnabled(False)
        self.save_button.setText(" Saving...")
        self.save_requested.emit(self.data())
        return True

    def _touch(self, key: str) -> None:
        self._touched.add(key)
        self._revalidate()

    def _changed(self, key: str) -> None:
        # Messages appear once a field was left or a save was tried, so typing a name does not start with red.
        if self._tried_to_save or key in self._touched:
            self._touched.add(key)
            self._revalidate()

    def _revalidate(self) -> None:
        errors = self.check()
        shown = errors if self._tried_to_save else {k: v for k, v in errors.items() if k in self._touched}
        for key, label in self.errors.items():
            label.show_message(shown.get(key))
            mark_invalid(self.inputs[key], key in shown)

    def _add_objection(self, text: str) -> None:
        edit = self.inputs["objection_patterns"]
        assert isinstance(edit, QPlainTextEdit)
        lines = [line for line in edit.toPlainText().splitlines() if line.strip()]
        if text.lower() not in (line.strip().lower() for line in lines):
            lines.append(text)
        edit.setPlainText("\n".join(lines))
        self._touch("objection_patterns")

"""The dial pad: type or tap a seller's number and call them; the sellers' numbers are listed beside it. Each key
plays its phone tone, through the same player as the in-call keypad."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, QRegularExpression, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPen,
    QRegularExpressionValidator,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.personas import Persona, find_persona_by_phone, normalize_phone
from desktop.core.scenarios import Scenario
from desktop.ui.call.options import CallOptionsPanel
from desktop.ui.call.sounds import DtmfPlayer
from desktop.ui.shell.requests import CallRequest
from desktop.ui.widgets import icons, theme
from desktop.ui.widgets.controls import Avatar, avatar_icon
from desktop.ui.widgets.plain_text import escape, plain, tooltip

KEYS = (
    ("1", ""), ("2", "ABC"), ("3", "DEF"),
    ("4", "GHI"), ("5", "JKL"), ("6", "MNO"),
    ("7", "PQRS"), ("8", "TUV"), ("9", "WXYZ"),
    ("*", ""), ("0", "+"), ("#", ""),
)  # fmt: skip
DIAL_KEYS = "0123456789*#"
MAX_DIGITS = 11


def format_partial(digits: str) -> str:
    """A number as it is being typed: 555, 555-01, (555) 010-38, (555) 010-3817."""
    if len(digits) == 11 and digits.startswith("1"):
        return "+1 " + format_partial(digits[1:])
    if len(digits) <= 3:
        return digits
    if len(digits) <= 7:
        return f"{digits[:3]}-{digits[3:]}"
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:10]}{digits[10:]}"


class DialKey(QAbstractButton):
    """A round key with the digit large and its letters small, like a phone's keypad."""

    def __init__(self, digit: str, letters: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.digit, self.letters = digit, letters
        self.setText(digit)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"Dial {digit}" + (f" ({letters})" if letters else ""))
        self.setAccessibleName(digit)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_Hover, True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        side = QFontMetrics(self.font()).height() * 4
        return QSize(side, side)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        side = QFontMetrics(self.font()).height() * 3
        return QSize(side, side)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height()) - 2
        circle = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        pressed = self.isDown()
        fill = theme.ACCENT if pressed else theme.ACCENT_SOFT if self.underMouse() else theme.SURFACE
        painter.setPen(QPen(QColor(theme.ACCENT if self.hasFocus() else theme.BORDER), 1.2))
        painter.setBrush(QColor(fill))
        painter.drawEllipse(circle)
        digit_font = QFont(self.font())
        digit_font.setPointSizeF(self.font().pointSizeF() * 1.9)
        painter.setFont(digit_font)
        painter.setPen(QColor(theme.ON_ACCENT if pressed else theme.TEXT))
        digit_height = QFontMetrics(digit_font).height()
        top = circle.center().y() - digit_height * (0.62 if self.letters else 0.5)
        painter.drawText(QRectF(circle.left(), top, side, digit_height), Qt.AlignmentFlag.AlignCenter, self.digit)
        if self.letters:
            small = QFont(self.font())
            small.setPointSizeF(self.font().pointSizeF() * 0.72)
            small.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 130)
            painter.setFont(small)
            painter.setPen(QColor(theme.ON_ACCENT if pressed else theme.MUTED))
            height = QFontMetrics(small).height()
            painter.drawText(QRectF(circle.left(), top + digit_height - height * 0.15, side, height),
                             Qt.AlignmentFlag.AlignCenter, self.letters)  # fmt: skip


class DialerPage(QWidget):
    call_requested = Signal(object)  # CallRequest
    practice_mode_changed = Signal(bool)
    key_pressed = Signal(str)  # a key of the pad, tapped or typed: its tone plays
    opened = Signal()  # the trainee came to the pad (not a window restored from the taskbar)

    def __init__(self, parent: QWidget | None = None, *, tones: DtmfPlayer | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self._personas: list[Persona] = []
        self._digits = ""
        self.tones = tones if tones is not None else DtmfPlayer(self)
        self.key_pressed.connect(self.tones.play)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 16, 16, 16)
        row.setSpacing(16)
        row.addStretch(1)
        row.addWidget(self._build_pad(), 3)
        row.addWidget(self._build_side(), 2)
        row.addStretch(1)
        for keys, slot in (("Return", self.dial), ("Enter", self.dial), ("Backspace", self.backspace),
                           ("Escape", self.clear)):  # fmt: skip
            QShortcut(QKeySequence(keys), self, activated=slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._update_match()

    # --- building ----------------------------------------------------------------------------------------------------

    def _build_pad(self) -> QWidget:
        card = QFrame(objectName="card")
        card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(24, 20, 24, 24)
        layout.setSpacing(12)
        self.display = QLineEdit(objectName="dialDisplay", placeholderText="Enter a number")
        self.display.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9()+\-\s.*#]{0,20}")))
        self.display.setToolTip("The number to call: type digits, paste a number, or tap the keys")
        self.display.setAccessibleName("Number to dial")
        self.display.textEdited.connect(self._on_typed)
        self.display.installEventFilter(self)  # keys typed into the number sound too
        layout.addWidget(self.display)

        match_row = QHBoxLayout()
        match_row.setSpacing(10)
        self.match_avatar = Avatar(36)
        self.match_text = QLabel(wordWrap=True)
        self.match_text.setTextFormat(Qt.TextFormat.RichText)  # our markup; the persona's words are escaped
        self.match_text.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        match_row.addStretch(1)
        match_row.addWidget(self.match_avatar)
        match_row.addWidget(self.match_text, 0)
        match_row.addStretch(1)
        layout.addLayout(match_row)

        grid = QGridLayout()
        grid.setSpacing(10)
        self.key_buttons: dict[str, DialKey] = {}
        side = QFontMetrics(self.font()).height() * 4
        for index, (digit, letters) in enumerate(KEYS):
            button = DialKey(digit, letters)
            button.clicked.connect(lambda _checked=False, d=digit: self.press(d))
            grid.addWidget(button, index // 3, index % 3)
            self.key_buttons[digit] = button
        layout.addLayout(grid)

        actions = QHBoxLayout()
        actions.setSpacing(10)
        self.clear_button = QToolButton(objectName="flat")
        self.clear_button.setIcon(icons.icon("close"))
        self.clear_button.setIconSize(QSize(22, 22))
        self.clear_button.setToolTip("Clear the number (Esc)")
        self.clear_button.clicked.connect(self.clear)
        self.call_button = QPushButton(" Call", objectName="callButton")
        self.call_button.setIcon(icons.icon("phone", "ON_ACCENT"))
        self.call_button.setIconSize(QSize(22, 22))
        self.call_button.setMinimumHeight(side * 3 // 4)
        self.call_button.setToolTip("Call this number (Enter)")
        self.call_button.setStyleSheet(f"border-radius: {side * 3 // 8}px;")
        self.call_button.clicked.connect(self.dial)
        self.backspace_button = QToolButton(objectName="flat")
        self.backspace_button.setIcon(icons.icon("backspace"))
        self.backspace_button.setIconSize(QSize(22, 22))
        self.backspace_button.setToolTip("Delete the last digit (Backspace)")
        self.backspace_button.clicked.connect(self.backspace)
        actions.addWidget(self.clear_button)
        actions.addWidget(self.call_button, 1)
        actions.addWidget(self.backspace_button)
        layout.addLayout(actions)
        self.message = QLabel(wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
        plain(self.message)  # "Calling <persona name>..."
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        layout.addWidget(self.message)
        return card

    def _build_side(self) -> QWidget:
        column = QWidget()
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        options_card = QFrame(objectName="card")
        options_layout = QVBoxLayout(options_card)
        options_layout.setContentsMargins(16, 14, 16, 14)
        options_layout.addWidget(QLabel("Your call", objectName="sectionTitle"))
        self.options = CallOptionsPanel(show_help=False)
        self.options.practice_mode_changed.connect(self.practice_mode_changed)
        options_layout.addWidget(self.options)
        layout.addWidget(options_card)

        book = QFrame(objectName="card")
        book_layout = QVBoxLayout(book)
        book_layout.setContentsMargins(16, 14, 16, 14)
        book_layout.addWidget(QLabel("Sellers' numbers", objectName="sectionTitle"))
        self.numbers = QListWidget()
        self.numbers.setIconSize(QSize(32, 32))
        self.numbers.setToolTip("Click a number to put it on the dial pad; double-click to call")
        self.numbers.setAccessibleName("Sellers' numbers")
        self.numbers.itemClicked.connect(lambda item: self.set_number(item.data(Qt.ItemDataRole.UserRole)))
        self.numbers.itemActivated.connect(lambda item: (self.set_number(item.data(Qt.ItemDataRole.UserRole)),
                                                         self.dial()))  # fmt: skip
        book_layout.addWidget(self.numbers, 1)
        layout.addWidget(book, 1)
        return column

    # --- data in -----------------------------------------------------------------------------------------------------

    def set_personas(self, personas: list[Persona]) -> None:
        self._personas = list(personas)
        self.numbers.clear()
        for persona in sorted((p for p in personas if p.phone), key=lambda p: p.name):
            item = QListWidgetItem(avatar_icon(persona.name, persona.avatar_color), f"{persona.name}\n{persona.phone}")
            item.setData(Qt.ItemDataRole.UserRole, persona.phone)
            item.setToolTip(tooltip(f"{persona.property_type}, {persona.location}"))
            self.numbers.addItem(item)
        self._update_match()

    def set_scenarios(self, scenarios: list[Scenario]) -> None:
        self.options.set_scenarios(scenarios)

    def set_practice_mode(self, practice: bool) -> None:
        self.options.set_practice_mode(practice)

    # --- the number --------------------------------------------------------------------------------------------------

    def number(self) -> str:
        return self._digits

    def set_number(self, text: str) -> None:
        self._digits = normalize_phone(text) if len(_digits_of(text)) == 11 else _digits_of(text)[:MAX_DIGITS]
        self._render()

    def press(self, key: str) -> None:
        """A key of the pad; * and # are accepted like a phone does but are not part of any seller's number."""
        self.key_pressed.emit(key)
        if key.isdigit() and len(self._digits) < MAX_DIGITS:
            self._digits += key
        self._render()

    def backspace(self) -> None:
        self._digits = self._digits[:-1]
        self._render()

    def clear(self) -> None:
        self._digits = ""
        self._render()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if not event.spontaneous():
            self.opened.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        text = event.text()
        if len(text) == 1 and text in DIAL_KEYS and not self.display.hasFocus():
            self.press(text)
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.display and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            text = event.text()
            if len(text) == 1 and text in DIAL_KEYS and not event.isAutoRepeat():
                self.key_pressed.emit(text)
        return super().eventFilter(watched, event)

    def _on_typed(self, text: str) -> None:
        self._digits = _digits_of(text)[:MAX_DIGITS]
        self._update_match()

    def _render(self) -> None:
        self.display.setText(format_partial(self._digits))
        self._update_match()

    def _update_match(self) -> None:
        self.message.hide()
        persona = find_persona_by_phone(self._personas, self._digits) if self._digits else None
        self.match_avatar.setVisible(persona is not None)
        if persona is not None:
            self.match_avatar.set_person(persona.name, persona.avatar_color)
            self.match_text.setText(
                f"<b>{escape(persona.name)}</b><br><span style='color:{theme.MUTED}'>{escape(persona.location)}</span>"
            )
        elif self._digits:
            self.match_text.setText("")
        else:
            example = next((p.phone for p in self._personas if p.phone), "(555) 010-3817")
            self.match_text.setText(f"<span style='color:{theme.MUTED}'>Dial a seller's number, e.g. {example}</span>")
        self.call_button.setEnabled(bool(self._digits))

    # --- calling -----------------------------------------------------------------------------------------------------

    def dial(self) -> Persona | None:
        """Calls the seller with this number, or says in plain words why it cannot."""
        digits = normalize_phone(self._digits)
        if not digits:
            self._say("Enter a seller's number first, or pick one from the list.", theme.WARNING)
            return None
        persona = find_persona_by_phone(self._personas, digits)
        if persona is None:
            if len(digits) not in (7, 10):
                self._say("Dial all 10 digits of the number (or the last 7 for a (555) number).", theme.WARNING)
            else:
                self._say(
                    f"No seller answers at {format_partial(digits)}. Check the number, or pick someone from the "
                    "list or from Contacts.",
                    theme.WARNING,
                )
            return None
        options = self.options
        self._say(f"Calling {persona.name}...", theme.SUCCESS)
        self.call_requested.emit(
            CallRequest(persona.id, options.scenario_id(), options.difficulty_value(), options.practice_mode(), False)
        )
        return persona

    def _say(self, text: str, color: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {color};")
        self.message.show()


def _digits_of(text: str) -> str:
    return "".join(ch for ch in text if ch.isascii() and ch.isdigit())

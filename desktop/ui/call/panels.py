"""The three panels of a call beside the trainee's self-view: the seller (avatar, voice ring, status) and the
human coach (coming soon); plus the persona card shown while dialing."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from desktop.core.personas import Persona
from desktop.ui.call.voice_ring import VoiceRing
from desktop.ui.widgets import theme
from desktop.ui.widgets.icons import icon, icon_pixmap
from desktop.ui.widgets.plain_text import plain, tooltip
from desktop.ui.widgets.whole_lines import WholeLinesLabel

LISTENING = "listening"
SPEAKING = "speaking"
THINKING = "thinking"
STATUS_TEXT = {LISTENING: "Listening", SPEAKING: "Speaking", THINKING: "Thinking\u2026"}
STATUS_TIPS = {
    LISTENING: "The seller is listening to you",
    SPEAKING: "The seller is talking",
    THINKING: "The seller is working out an answer",
}


def persona_line(persona: Persona) -> str:
    return f"{persona.property_type} \u00b7 {persona.location}"


class AiPanel(QFrame):
    """The seller: avatar with a voice ring, their name, and whether they are listening, speaking or thinking."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="callPanel")
        layout = QVBoxLayout(self)
        self.title = QLabel("Seller", objectName="panelTitle")
        layout.addWidget(self.title)
        self.ring = VoiceRing()
        layout.addWidget(self.ring, 1)
        self.name = QLabel(objectName="panelHeadline", alignment=Qt.AlignmentFlag.AlignCenter)
        self.status = QLabel(objectName="agentStatus", alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.name)
        layout.addWidget(self.status)
        plain(self.title, self.name)
        self._status = ""
        self.set_status(LISTENING)

    @property
    def status_key(self) -> str:
        return self._status

    def set_persona(self, persona: Persona) -> None:
        self.title.setText(f"{persona.name} (AI seller)")
        self.title.setToolTip(tooltip(persona_line(persona)))
        self.name.setText(persona.name)
        self.ring.set_persona(persona.name, persona.avatar_color)

    def set_status(self, status: str) -> None:
        if status == self._status:
            return
        self._status = status
        self.status.setText(STATUS_TEXT[status])
        self.status.setToolTip(STATUS_TIPS[status])
        self.status.setProperty("status", status)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.ring.set_speaking(status == SPEAKING)


class CoachPanel(QFrame):
    """A human coach who can listen in and whisper: not built yet, and the panel says so plainly."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="coachPanel")
        self.setEnabled(False)
        self.setToolTip("Live coaching by a person is coming in a later version")
        # A placeholder, not a rival to the seller: a narrow column whatever the window's width.
        self.setMaximumWidth(self.fontMetrics().height() * 10)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Human coach", objectName="panelTitle"))
        layout.addStretch(1)
        picture = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        picture.setPixmap(icon_pixmap("person", theme.BORDER, self.fontMetrics().height() * 2))
        layout.addWidget(picture)
        layout.addWidget(QLabel("Coming soon", objectName="panelHeadline", alignment=Qt.AlignmentFlag.AlignCenter))
        note = WholeLinesLabel(
            "A coach will be able to listen in and guide you live.",
            objectName="muted",
            alignment=Qt.AlignmentFlag.AlignCenter,
        )
        layout.addWidget(note)
        layout.addStretch(1)


def centred_card(outer: QWidget, name: str, width_in_lines: int) -> QFrame:
    """A card of readable width in the middle of `outer`, like a phone screen; returns the card to fill."""
    row = QHBoxLayout(outer)
    row.setContentsMargins(0, 0, 0, 0)
    card = QFrame(objectName=name)
    card.setMaximumWidth(outer.fontMetrics().height() * width_in_lines)
    card.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    row.addStretch(1)
    row.addWidget(card, 3)
    row.addStretch(1)
    return card


class DialingCard(QWidget):
    """While the call connects: who you are calling, a ringing pulse, and a way to give up."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        card = centred_card(self, "dialingCard", 30)
        layout = QVBoxLayout(card)
        layout.setSpacing(8)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.addStretch(1)
        self.ring = VoiceRing()
        self.ring.setToolTip("The seller you are calling")
        side = self.fontMetrics().height() * 11
        self.ring.setFixedHeight(side)
        layout.addWidget(self.ring)
        self.name = QLabel(objectName="dialName", alignment=Qt.AlignmentFlag.AlignCenter)
        self.number = QLabel(objectName="muted", alignment=Qt.AlignmentFlag.AlignCenter)
        self.details = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.location = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.scenario = QLabel(objectName="muted", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.chips = QLabel(objectName="dialChips", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.status = QLabel("Calling\u2026", objectName="dialStatus", alignment=Qt.AlignmentFlag.AlignCenter)
        plain(self.name, self.number, self.details, self.location, self.scenario, self.chips)
        for widget in (self.name, self.number, self.details, self.location, self.scenario, self.chips):
            layout.addWidget(widget)
        layout.addSpacing(self.fontMetrics().height())
        layout.addWidget(self.status)
        layout.addSpacing(self.fontMetrics().height())
        self.cancel = QPushButton(" Cancel call", objectName="endCallPill")
        self.cancel.setIcon(icon("hang_up", "white"))
        self.cancel.setToolTip("Stop calling (Esc)")
        self.cancel.setCursor(Qt.CursorShape.PointingHandCursor)
        layout.addWidget(self.cancel, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self._pulse = QTimer(self, interval=90)
        self._pulse.timeout.connect(self._step)
        self._phase = 0

    def show_call(self, persona: Persona, scenario_title: str, difficulty: str, mode_text: str) -> None:
        self.ring.set_persona(persona.name, persona.avatar_color)
        self.name.setText(persona.name)
        self.number.setText(persona.phone or "")
        self.number.setVisible(bool(persona.phone))
        # Separate lines rather than one wrapped label: a wrapped label in a centred column can lose its 2nd line.
        self.details.setText(persona.property_type)
        self.location.setText(persona.location)
        self.scenario.setText(scenario_title)
        traits = f"{persona.motivation_level.title()} motivation \u00b7 {persona.conversation_style.title()}"
        self.chips.setText(f"{traits} \u00b7 {difficulty.title()} \u00b7 {mode_text}")
        self.set_status("Calling\u2026")

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def start_ringing(self) -> None:
        self._phase = 0
        self._pulse.start()

    def stop_ringing(self) -> None:
        self._pulse.stop()
        self.ring.set_level(0.0)

    @property
    def ringing(self) -> bool:
        return self._pulse.isActive()

    def _step(self) -> None:
        # Two quick swells and a rest, in time with the double ring.
        self._phase = (self._phase + 1) % 33
        swell = self._phase % 7 / 7 if self._phase < 14 else 0.0
        self.ring.set_level(0.12 * swell)

"""The selected seller in full: who they are, what they own, the options for the call, and the call buttons."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.core.personas import Persona
from desktop.ui.call.options import CallOptionsPanel
from desktop.ui.widgets import icons, theme
from desktop.ui.widgets.controls import Avatar, Chip
from desktop.ui.widgets.plain_text import escape, plain

if TYPE_CHECKING:
    from desktop.sync.assignments import Assignment


class ContactDetail(QWidget):
    """Everything about the selected seller, the call options and the call buttons."""

    def __init__(self) -> None:
        super().__init__()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(12)

        profile = QFrame(objectName="card")
        profile_layout = QVBoxLayout(profile)
        profile_layout.setContentsMargins(20, 20, 20, 20)
        profile_layout.setSpacing(10)
        header = QHBoxLayout()
        header.setSpacing(16)
        self.avatar = Avatar(72)
        header.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignTop)
        names = QVBoxLayout()
        names.setSpacing(4)
        self.name = QLabel(objectName="bigName", wordWrap=True)
        self.phone = QLabel(objectName="muted")
        self.phone.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chips = QHBoxLayout()
        self.chips.setSpacing(6)
        names.addWidget(self.name)
        names.addWidget(self.phone)
        names.addLayout(self.chips)
        self.assignment = Chip(
            "", "The call your coach assigned with this seller: it counts in this scenario and level"
        )
        self.assignment.setObjectName("assignmentChip")
        self.assignment.hide()
        names.addWidget(self.assignment, 0, Qt.AlignmentFlag.AlignLeft)
        header.addLayout(names, 1)
        self.best = QLabel(objectName="scoreBadge", alignment=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.best.setToolTip("Your best overall score with this seller")
        header.addWidget(self.best)
        profile_layout.addLayout(header)
        self.property = QLabel(wordWrap=True)
        self.backstory = QLabel(objectName="muted", wordWrap=True)
        self.objections = QLabel(objectName="muted", wordWrap=True)
        self.objections.setToolTip("Shown in Practice mode only")
        plain(self.name, self.phone, self.backstory, self.objections)
        for label in (self.property, self.backstory, self.objections):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            profile_layout.addWidget(label)
        outer.addWidget(profile)

        setup = QFrame(objectName="card")
        setup_layout = QVBoxLayout(setup)
        setup_layout.setContentsMargins(20, 16, 20, 16)
        setup_layout.addWidget(QLabel("Your call", objectName="sectionTitle"))
        self.options = CallOptionsPanel()
        setup_layout.addWidget(self.options)
        outer.addWidget(setup)

        actions = QHBoxLayout()
        self.call_button = QPushButton(" Call", objectName="callButton")
        self.call_button.setIcon(icons.icon("phone", "ON_ACCENT"))
        self.call_button.setIconSize(QSize(20, 20))
        self.call_button.setToolTip("Call this seller with your voice (Enter)")
        self.call_button.setMinimumHeight(40)
        self.type_button = QPushButton(" Type instead")
        self.type_button.setIcon(icons.icon("keyboard"))
        self.type_button.setToolTip("Call in typing mode: you type, the seller answers in text (Ctrl+Enter)")
        self.type_button.setMinimumHeight(40)
        self.edit_button = QPushButton(" Edit")
        self.edit_button.setIcon(icons.icon("edit"))
        self.edit_button.setToolTip("Edit this persona (Ctrl+E)")
        self.delete_button = QPushButton(" Delete", objectName="dangerButton")
        self.delete_button.setIcon(icons.icon("trash", "DANGER"))
        self.delete_button.setToolTip("Delete this persona; past calls with them stay in your history (Delete)")
        actions.addWidget(self.call_button, 2)
        actions.addWidget(self.type_button, 1)
        actions.addStretch(1)
        actions.addWidget(self.edit_button)
        actions.addWidget(self.delete_button)
        outer.addLayout(actions)
        outer.addStretch(1)
        self.persona: Persona | None = None
        self.options.practice_mode_changed.connect(lambda _practice: self.update_objections())

    def show_persona(self, persona: Persona, best: int | None, assignment: Assignment | None = None) -> None:
        self.persona = persona
        self.avatar.set_person(persona.name, persona.avatar_color)
        self.name.setText(persona.name)
        self.phone.setText(persona.phone or "No phone number: call from the contact list")
        while self.chips.count():
            old = self.chips.takeAt(0).widget()
            if old is not None:
                old.deleteLater()
        self.chips.addWidget(Chip(f"{persona.motivation_level.title()} motivation", "How keen they are to sell"))
        self.chips.addWidget(Chip(persona.conversation_style.title(), "How they talk on the phone"))
        if persona.source != "builtin":
            self.chips.addWidget(Chip("Yours" if persona.source == "user" else "Team", "Where this persona comes from"))
        self.chips.addStretch(1)
        self.assignment.setVisible(assignment is not None)
        if assignment is not None:
            what = f"{assignment.scenario_title or assignment.scenario_id}, {assignment.difficulty.title()}"
            mode = " (exam)" if assignment.mode == "exam" else ""
            self.assignment.setText(f"{assignment.badge()}\n{what}{mode}")
            self.assignment.setStyleSheet(  # the scheme's colours now (light or dark)
                f"QLabel#assignmentChip {{ color: {theme.ACCENT}; background: {theme.ACCENT_SOFT};"
                " border-radius: 8px; padding: 4px 10px; }"
            )
        if best is None:
            self.best.setText("Not called yet")
            self.best.setStyleSheet(f"color: {theme.MUTED};")
        else:
            self.best.setText(f"Best {best}")
            self.best.setStyleSheet(f"color: {theme.score_color(best)}; font-size: 14pt;")
        self.property.setTextFormat(Qt.TextFormat.RichText)  # our markup, the persona's words escaped
        self.property.setText(f"<b>{escape(persona.property_type)}</b><br>{escape(persona.location)}")
        self.backstory.setText(persona.backstory)
        self.backstory.setVisible(bool(persona.backstory))
        editable = persona.source == "user"
        self.edit_button.setVisible(editable)
        self.delete_button.setVisible(editable)
        self.update_objections()

    def update_objections(self) -> None:
        persona = self.persona
        shown = persona is not None and bool(persona.objection_patterns) and self.options.practice_mode()
        self.objections.setVisible(shown)
        if shown and persona is not None:
            self.objections.setText("Objections to expect: " + " · ".join(persona.objection_patterns))

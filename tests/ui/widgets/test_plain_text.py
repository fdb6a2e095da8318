"""Markup (issue 14, item 14): a persona synced from a team server can carry HTML in any field. Wherever a label or a
tooltip shows that data (the contact card, the contact list, the dial pad, the call screen), it must show as the
characters typed, never as rich text: no bold, no links, no image loaded from a path."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGui
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QListWidget, QWidget

from desktop.core.difficulty import Difficulty
from desktop.core.personas import load_builtin_personas
from desktop.ui.call.controller import CallPlan
from desktop.ui.contacts.detail import ContactDetail
from desktop.ui.contacts.dialer import DialerPage
from desktop.ui.contacts.seller_list import ContactList
from desktop.ui.widgets.plain_text import tooltip
from tests.ui.call.call_screen_kit import SCENARIO, WAIT_MS

HOSTILE = '<b>Evil</b><img src="/tmp/roleplay-evil.png"><a href="javascript:alert(1)">x</a>'
BASE = next(p for p in load_builtin_personas() if p.name == "Dale Pruitt")
PERSONA = replace(
    BASE,
    name=f"Dale {HOSTILE}",
    property_type=f"Lot {HOSTILE}",
    location=f"Coal County {HOSTILE}",
    backstory=f"Backstory {HOSTILE}",
    objection_patterns=(f"price {HOSTILE}",),
    source="team",
)


def rich_data(root: QWidget) -> list[str]:
    """Every label or tooltip under `root` that would render the hostile markup as rich text."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        tips = [widget.toolTip()]
        if isinstance(widget, QListWidget):
            tips += [widget.item(i).toolTip() for i in range(widget.count())]
        for tip in tips:
            if "<img" in tip and QtGui.mightBeRichText(tip):
                found.append(f"{type(widget).__name__} tooltip {tip[:60]!r}")
        if isinstance(widget, QLabel) and "<img" in widget.text():
            rich = widget.textFormat() == Qt.TextFormat.RichText or (
                widget.textFormat() == Qt.TextFormat.AutoText and QtGui.mightBeRichText(widget.text())
            )
            if rich:
                found.append(f"QLabel {widget.objectName()!r} {widget.text()[:60]!r}")
    return found


def test_the_contact_card_shows_persona_text_as_typed(qtbot) -> None:
    card = ContactDetail()
    qtbot.addWidget(card)
    card.show_persona(PERSONA, 72)
    card.show()
    assert rich_data(card) == []
    assert card.name.text() == PERSONA.name  # the characters, not an escaped copy


def test_the_contact_list_tooltips_are_plain(qtbot) -> None:
    sellers = ContactList()
    qtbot.addWidget(sellers)
    sellers.set_personas([PERSONA], {})
    assert sellers.count() == 1
    assert rich_data(sellers) == []


def test_the_dial_pad_shows_who_answers_as_typed(qtbot) -> None:
    pad = DialerPage()
    qtbot.addWidget(pad)
    pad.set_personas([PERSONA])
    pad.show()
    pad.set_number(PERSONA.phone)
    shown = QTextDocument()
    shown.setHtml(pad.match_text.text())
    assert PERSONA.name in shown.toPlainText()  # the name as typed, inside the card's own markup
    pad.dial()
    assert rich_data(pad) == []


def test_the_call_screen_shows_persona_text_as_typed(qtbot, make_screen) -> None:
    screen = make_screen()
    plan = CallPlan(PERSONA, SCENARIO, Difficulty.PRO, practice_mode=True, typed=True)
    assert screen.controller.place(plan)
    qtbot.waitUntil(lambda: len(screen.page.transcript.model.entries()) >= 1, timeout=WAIT_MS)
    assert rich_data(screen) == []


def test_a_tooltip_of_data_renders_its_characters() -> None:
    tip = tooltip("a <b>b</b>\nc & d")
    assert QtGui.mightBeRichText(tip) and "<b>" not in tip and "&lt;b&gt;" in tip and "<br>" in tip

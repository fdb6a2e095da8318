"""Issue 15, item 8: the "Human coach: coming soon" panel is a small placeholder beside the seller, not a rival to it:
at any window size it takes well under the seller panel's room, and still says what it is."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

from desktop.ui.call.page import InCallPage


@pytest.mark.parametrize("size", [(760, 540), (1120, 740), (1600, 1000), (2400, 1400)])
def test_the_coach_placeholder_takes_less_room_than_the_seller(qtbot, size) -> None:
    page = InCallPage()
    qtbot.addWidget(page)
    page.resize(*size)
    page.show()
    qtbot.waitExposed(page)
    coach, seller = page.coach_panel, page.ai_panel
    qtbot.waitUntil(lambda: seller.width() > 0)
    assert coach.width() * coach.height() <= 0.5 * seller.width() * seller.height()
    assert coach.isVisible()
    texts = " ".join(label.text() for label in coach.findChildren(QLabel))
    assert "Human coach" in texts and "Coming soon" in texts

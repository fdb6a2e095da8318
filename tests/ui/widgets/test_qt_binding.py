"""Guards against a broken Qt binding: PySide6 6.12.0 on Python 3.11 drops a reference to None on every call that
returns nothing, and a busy app dies with "deallocating None" after a few thousand calls (pyproject pins < 6.12)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_calls_that_return_nothing_keep_none_alive(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
    # Other threads may hold or release a few references meanwhile; the bug loses one per call.
    assert sys.getrefcount(None) - before > -100

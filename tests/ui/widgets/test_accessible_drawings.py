"""Issue 15, item 8: the custom-drawn widgets (progress chart, voice ring, score ring) have accessible names and a
text equivalent a screen reader can read, and the chart's points are reachable by keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible

from desktop.core.progress import ProgressPoint
from desktop.ui.call.voice_ring import VoiceRing
from desktop.ui.history.progress_chart import ProgressChart
from desktop.ui.widgets.report import OverallBadge, ScoreBar


def _read(widget) -> tuple[str, str]:
    """What assistive technology is told: the accessible interface's name and description."""
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return interface.text(QAccessible.Text.Name), interface.text(QAccessible.Text.Description)


def test_the_score_ring_and_bars_say_their_score(qtbot) -> None:
    badge = OverallBadge()
    qtbot.addWidget(badge)
    name, description = _read(badge)
    assert name == "Overall score" and "not graded" in description
    badge.set_score(72)
    assert _read(badge)[1] == "72 out of 100"
    bar = ScoreBar("Discovery")
    qtbot.addWidget(bar)
    bar.set_score(55)
    assert _read(bar) == ("Discovery", "55 out of 100")


def test_the_voice_ring_names_the_seller_and_says_when_they_speak(qtbot) -> None:
    ring = VoiceRing()
    qtbot.addWidget(ring)
    ring.set_persona("Walter Briggs", "#2563eb")
    name, description = _read(ring)
    assert "Walter Briggs" in name and "silent" in description.lower()
    ring.set_speaking(True)
    assert "speaking" in _read(ring)[1].lower()


def _points() -> list[ProgressPoint]:
    return [
        ProgressPoint(1, "2025-06-01T10:00:00.000Z", "w", "Walter Briggs", "PRO", (40, 50, 60, 70), 55),
        ProgressPoint(2, "2025-06-10T10:00:00.000Z", "d", "Dale Pruitt", "ROOKIE", (60, 60, 60, 60), 60),
        ProgressPoint(3, "2025-06-20T10:00:00.000Z", "m", "Maria Lopez", "ELITE", (80, 80, 90, 90), 85),
    ]


def test_the_chart_has_a_summary_and_its_points_are_reachable_by_keyboard(qtbot) -> None:
    chart = ProgressChart()
    qtbot.addWidget(chart)
    chart.resize(600, 300)
    chart.set_points(_points())
    chart.show()
    qtbot.waitExposed(chart)
    name, description = _read(chart)
    assert name == "Progress chart"
    assert "3 graded calls" in description and "55" in description and "85" in description

    assert chart.focusPolicy() & Qt.FocusPolicy.TabFocus
    chart.setFocus()
    assert chart.current_point is None
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    assert chart.current_point == 0 and "Walter Briggs" in _read(chart)[1] and "overall 55" in _read(chart)[1]
    qtbot.keyClick(chart, Qt.Key.Key_Right)
    assert chart.current_point == 1 and "Dale Pruitt" in _read(chart)[1]
    qtbot.keyClick(chart, Qt.Key.Key_End)
    assert chart.current_point == 2 and "Maria Lopez" in _read(chart)[1]
    qtbot.keyClick(chart, Qt.Key.Key_Right)  # stays on the last
    assert chart.current_point == 2
    qtbot.keyClick(chart, Qt.Key.Key_Home)
    assert chart.current_point == 0
    qtbot.keyClick(chart, Qt.Key.Key_Left)
    assert chart.current_point == 0

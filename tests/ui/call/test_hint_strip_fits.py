"""The practice hints' chips (stages, discovery topics, the persona's objections) show their words whole: in a wide
window every chip, in the app's window at its smallest one line that sums them up, instead of every chip squeezed
until "Intro" read "Intrc" and the objections were cut in half."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSize

from desktop.ui.call.screen import CallScreen
from tests.ui.call.call_screen_kit import call_plan, connect_call, screenshot
from tests.ui.call.test_keypad_fits import window_with_call


def chip_problems(screen: CallScreen) -> list[str]:
    """Every chip or label of the strip that is cut, overlaps another or lies outside the strip, in words."""
    strip = screen.page.hints
    problems, seen = [], []
    for label in strip.findChildren(type(strip.tip)):
        if label is strip.tip or not label.isVisibleTo(strip):
            continue
        where = QRect(label.mapTo(strip, QPoint(0, 0)), label.size())
        text = label.text()
        # The glyphs' own height: a chip's padding may leave less than the font's full line spacing, harmlessly.
        metrics = label.fontMetrics()
        needed = QSize(metrics.horizontalAdvance(text), metrics.tightBoundingRect(text).height())
        inside = label.contentsRect().size()
        if needed.width() > inside.width() or needed.height() > inside.height():
            has = f"{inside.width()}x{inside.height()}"
            problems.append(f"{text!r}: needs {needed.width()}x{needed.height()}, has {has}")
        if not strip.rect().contains(where):
            problems.append(f"{text!r}: {where} is outside the strip {strip.rect()}")
        problems += [f"{text!r} overlaps {other!r}" for other, rect in seen if rect.intersects(where)]
        seen.append((text, where))
    return problems


def chips_whole(screen: CallScreen) -> None:
    """Asserts every chip is whole; for qtbot.waitUntil, which retries it until the strip's layout has settled (a
    check made while the window is still being laid out saw a chip 9 pixels high, under load)."""
    assert chip_problems(screen) == []


def test_the_hint_chips_are_whole_in_the_smallest_window(qtbot, make_screen, tmp_path: Path) -> None:
    screen = make_screen()
    window_with_call(qtbot, screen, tmp_path)
    connect_call(qtbot, screen, call_plan(typed=True))
    strip = screen.page.hints
    qtbot.waitUntil(lambda: strip.isVisible() and len(strip.objection_chips) >= 1, timeout=5000)
    assert strip.compact
    qtbot.waitUntil(lambda: chips_whole(screen), timeout=5000)
    screenshot(screen.window(), "call-smallest-window", tmp_path)
    assert strip.tip.isVisible() and strip.tip.height() >= strip.tip.fontMetrics().height()
    assert strip.stage_summary.text() == "Intro (1 of 5)" and "Rapport" in strip.stage_summary.toolTip()
    assert strip.topic_summary.text() == "0 of 4 asked"
    assert strip.objection_summary.text() == "none yet"
    assert all(chip.text() in strip.objection_summary.toolTip() for chip in strip.objection_chips.values())

    screen.window().resize(1400, 900)
    qtbot.waitUntil(lambda: not strip.compact, timeout=5000)
    assert all(chip.isVisible() for chip in strip.stage_chips.values())
    qtbot.waitUntil(lambda: chips_whole(screen), timeout=5000)

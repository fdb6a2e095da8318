"""The in-call keypad's keys show their digit and letters whole (issue 14, item 19): at 100 % and at 200 % scaling
(QT_SCALE_FACTOR=2 in a subprocess: a 1280 x 800 laptop at 200 % leaves 640 x 400 points), in the app's window at its
smallest and in the call screen at the smallest it allows. A key counts as whole when it is on screen, nothing
covers it, and its text, measured with the key's own font, fits inside the key's contents."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, QSize, Qt
from PySide6.QtWidgets import QLabel, QStyle, QStyleOptionButton

from desktop.ui.call.screen import CallScreen
from desktop.ui.shell.main_window import MINIMUM_SIZE, RAIL, MainWindow
from tests.ui.call.call_screen_kit import WAIT_MS, MemoryPorts, call_plan, connect_call, screenshot

ROOT = Path(__file__).resolve().parents[3]
SCALE = float(os.environ.get("QT_SCALE_FACTOR", "1"))


def key_problems(screen: CallScreen) -> list[str]:
    """Every way a key is not whole, in words: empty when all twelve are."""
    top = screen.window()
    problems = []
    for key, button in screen.page.keypad.buttons.items():
        where = QRect(button.mapTo(top, QPoint(0, 0)), button.size())
        if not button.isVisible():
            problems.append(f"{key}: hidden")
            continue
        if not top.rect().contains(where):
            problems.append(f"{key}: {where} is outside the window {top.rect()}")
        if top.childAt(where.center()) is not button:
            problems.append(f"{key}: covered by {top.childAt(where.center())!r}")
        option = QStyleOptionButton()
        button.initStyleOption(option)
        inside = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
        lines = button.text().split("\n")
        metrics = button.fontMetrics()
        needed = QSize(max(metrics.horizontalAdvance(line) for line in lines), metrics.height() * len(lines))
        if needed.width() > inside.width() or needed.height() > inside.height():
            problems.append(f"{key}: text needs {needed.width()}x{needed.height()}, the key holds {inside.size()}")
    return problems


def window_with_call(qtbot, screen: CallScreen, tmp_path: Path) -> MainWindow:
    """The app's window at its smallest, with the rail's four pages, holding the call screen."""
    window = MainWindow(QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    for key, *_ in RAIL:
        window.add_page(key, QLabel(key))
    window.add_page("call", screen)
    window.show_page("call")
    window.show()
    window.resize(MINIMUM_SIZE)
    qtbot.waitExposed(window)
    return window


@pytest.mark.parametrize("where", ["window", "screen"])
@pytest.mark.parametrize("typed", [True, False], ids=["typed", "voice"])
def test_keypad_keys_are_whole_at_the_smallest_sizes(qtbot, make_screen, tmp_path, where, typed):
    screen = make_screen(ports=None if typed else MemoryPorts())
    assert screen.devicePixelRatioF() == SCALE  # the subprocess below runs this at 200 %
    if where == "window":
        window_with_call(qtbot, screen, tmp_path)
    else:
        screen.resize(1, 1)  # the smallest the call screen allows
    connect_call(qtbot, screen, call_plan(typed=typed))
    qtbot.mouseClick(screen.page.controls.keypad_button, Qt.MouseButton.LeftButton)
    keypad = screen.page.keypad
    qtbot.waitUntil(keypad.isVisible, timeout=WAIT_MS)
    if where == "window" and not typed:  # the one worth keeping in docs/screenshots (with ROLEPLAY_SCREENSHOTS=1)
        screenshot(screen.window(), f"call-keypad-{int(SCALE * 100)}", tmp_path)
    else:
        assert screen.window().grab().save(str(tmp_path / f"call-keypad-{where}-{typed}.png"))
    assert key_problems(screen) == []
    assert keypad.display.isVisible() and not keypad.display.visibleRegion().isEmpty()

    qtbot.mouseClick(keypad.buttons["7"], Qt.MouseButton.LeftButton)  # a click reaches the key it lands on
    assert keypad.pending == "7"
    qtbot.mouseClick(screen.page.controls.keypad_button, Qt.MouseButton.LeftButton)
    assert not keypad.isVisible()


@pytest.mark.skipif(SCALE != 1, reason="this is the 100 % run that starts the 200 % one")
def test_keypad_keys_are_whole_at_200_percent(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": "2"}
    test = f"{Path(__file__).relative_to(ROOT)}::test_keypad_keys_are_whole_at_the_smallest_sizes"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            test,
            "--basetemp",
            str(tmp_path / "at-200"),
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "4 passed" in run.stdout

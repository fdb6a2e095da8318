"""Issue 15, item 7: Help lists the keyboard shortcuts; F1 or Ctrl+/ opens the sheet from anywhere in the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel

from desktop.ui.shell.help_menu import KEYBOARD_SHORTCUTS
from desktop.ui.shell.main_window import RAIL, MainWindow


def _native(keys: str) -> str:
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


@pytest.fixture
def window(qtbot, tmp_path) -> MainWindow:
    window = MainWindow(QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.add_page("contacts", QLabel("contacts"))
    with qtbot.waitActive(window):  # shortcuts only reach the active window
        window.show()
        window.activateWindow()
    return window


@pytest.mark.parametrize("key", [(Qt.Key.Key_F1, Qt.KeyboardModifier.NoModifier),
                                 (Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)])  # fmt: skip
def test_f1_or_ctrl_slash_opens_the_sheet(qtbot, window, key) -> None:
    assert window.help_button.shortcut_sheet is None or not window.help_button.shortcut_sheet.isVisible()
    qtbot.keyClick(window, key[0], key[1])
    qtbot.waitUntil(
        lambda: window.help_button.shortcut_sheet is not None and window.help_button.shortcut_sheet.isVisible()
    )
    sheet = window.help_button.shortcut_sheet
    text = sheet.text()
    for _key, label, _icon, keys in RAIL:  # every rail shortcut is listed, in the platform's spelling
        assert _native(keys) in text and label in text
    for words in ("Mute", "Send a typed line", "End the call", "Play or pause"):
        assert words in text
    assert "F1" in text
    sheet.close()


def test_help_lists_the_sheet(qtbot, window) -> None:
    action = window.help_button.action(KEYBOARD_SHORTCUTS)
    assert "F1" in action.shortcut().toString()
    action.trigger()
    qtbot.waitUntil(
        lambda: window.help_button.shortcut_sheet is not None and window.help_button.shortcut_sheet.isVisible()
    )
    assert window.help_button.shortcut_sheet.accessibleName() == "Keyboard shortcuts"

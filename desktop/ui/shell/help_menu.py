"""The Help button at the foot of the navigation rail: the keyboard shortcuts (F1 or Ctrl+/), open the log folder, and
an About box with the version and where the data lives (what support asks first)."""

from __future__ import annotations

import logging
from importlib import metadata
from pathlib import Path

from PySide6.QtCore import QPointF, QRect, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QIcon,
    QIconEngine,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop import settings as app_settings
from desktop.ui.widgets import theme

log = logging.getLogger(__name__)

GETTING_STARTED = "Getting started…"
KEYBOARD_SHORTCUTS = "Keyboard shortcuts"
SHEET_KEYS = ("F1", "Ctrl+/")

# What the keys do, page by page (the keys as Qt spells them; the sheet shows each platform's own spelling).
SHORTCUTS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Anywhere", (
        ("Ctrl+1", "Contacts"), ("Ctrl+2", "Dial pad"), ("Ctrl+3", "History"), ("Ctrl+,", "Settings"),
        ("F1", "This list of shortcuts (also Ctrl+/)"),
    )),
    ("Contacts", (
        ("Ctrl+F", "Search your sellers"), ("Enter", "Call the seller found (in the search box)"),
        ("Ctrl+Return", "Call the seller in typing mode"), ("Ctrl+N", "New persona"), ("Ctrl+E", "Edit the persona"),
        ("Delete", "Delete your persona"),
    )),
    ("Dial pad", (
        ("0-9, *, #", "Dial a number"), ("Enter", "Call the number"), ("Backspace", "Remove the last digit"),
        ("Esc", "Clear the number"),
    )),
    ("During a call", (
        ("Space", "Mute or unmute"), ("Enter", "Send a typed line"), ("Esc", "End the call (asks first)"),
    )),
    ("Reviewing a call", (
        ("Space", "Play or pause the recording"), ("Left", "Back a few seconds"), ("Right", "On a few seconds"),
        ("Ctrl+E", "Export the call"), ("Delete", "Delete the call"), ("Alt+Left", "Back to History"),
        ("F2", "Correct what was heard on the line you clicked"),
    )),
    ("Settings and the persona editor", (("Ctrl+S", "Save"),)),
)  # fmt: skip

OPEN_LOG_FOLDER = "Open log folder"
ABOUT = f"About {app_settings.APP_NAME}"


def app_version() -> str:
    try:
        return metadata.version("roleplay-trainer")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "development"


def open_folder_in_file_manager(folder: Path) -> bool:
    """Shows `folder` in Explorer, Finder or the desktop's file manager; False when the system has none."""
    folder.mkdir(parents=True, exist_ok=True)
    opened = QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
    if not opened:
        log.warning("no file manager opened %s", folder)
    return opened


def open_log_folder() -> bool:
    # Looked up at call time, so tests can stand in for the file manager.
    return open_folder_in_file_manager(app_settings.logs_dir())


def about_text() -> str:
    return (
        f"<b>{app_settings.APP_NAME}</b> {app_version()}<br><br>"
        "Practise acquisition calls against an AI seller that talks back.<br><br>"
        f"Your calls, recordings and settings: {app_settings.data_dir()}<br>"
        f"Logs: {app_settings.logs_dir()}"
    )


def _native(keys: str) -> str:
    sequence = QKeySequence(keys)
    spelled = sequence.toString(QKeySequence.SequenceFormat.NativeText)
    return spelled if spelled and not sequence.isEmpty() and "," not in keys[:-1] else keys


class ShortcutSheet(QDialog):
    """The keyboard shortcuts, page by page, in a window that stays open beside the app."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(KEYBOARD_SHORTCUTS)
        self.setAccessibleName(KEYBOARD_SHORTCUTS)
        layout = QVBoxLayout(self)
        rows = []
        for section, entries in SHORTCUTS:
            rows.append(f"<tr><td colspan='2'><br><b>{section}</b></td></tr>")
            rows.extend(
                f"<tr><td style='padding-right:18px'><code>{_native(keys)}</code></td><td>{what}</td></tr>"
                for keys, what in entries
            )
        self.table = QLabel(f"<table>{''.join(rows)}</table>", objectName="shortcutSheet")
        self.table.setTextFormat(Qt.TextFormat.RichText)
        self.table.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.table.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.table.setAccessibleName(KEYBOARD_SHORTCUTS)
        self.table.setAccessibleDescription(self.text())
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)

    def text(self) -> str:
        """The sheet as plain lines, what a screen reader reads: "Ctrl+1: Contacts"."""
        lines = []
        for section, entries in SHORTCUTS:
            lines.append(f"{section}:")
            lines.extend(f"{_native(keys)}: {what}" for keys, what in entries)
        return "\n".join(lines)


class _HelpIcon(QIconEngine):
    """A question mark in a circle, drawn like the rail's other line icons, in the theme's text colour."""

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(rect.width(), rect.height())
        painter.translate(rect.x() + (rect.width() - side) / 2, rect.y() + (rect.height() - side) / 2)
        painter.scale(side / 24, side / 24)
        color = theme.MUTED if mode == QIcon.Mode.Disabled else theme.TEXT
        pen = QPen(QColor(color), 2.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.drawEllipse(QPointF(12, 12), 9, 9)
        hook = QPainterPath(QPointF(9.5, 9.5))
        hook.cubicTo(9.5, 6.5, 14.5, 6.5, 14.5, 9.5)
        hook.cubicTo(14.5, 11.5, 12, 11.5, 12, 13.8)
        painter.drawPath(hook)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(color))
        painter.drawEllipse(QPointF(12, 17), 1.2, 1.2)
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(0, 0, size.width(), size.height()), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return _HelpIcon()


class HelpButton(QToolButton):
    """Looks like the rail's page buttons; opens a menu instead of a page."""

    guide_requested = Signal()  # "Getting started": the first-run guide again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="navButton", text="Help")
        self.setIcon(QIcon(_HelpIcon()))
        self.setIconSize(QSize(24, 24))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("Help: getting started, keyboard shortcuts (F1), the log folder, the version")
        self.setAccessibleName("Help")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0; }")  # a rail button, not a combo
        menu = QMenu(self)
        self.shortcut_sheet: ShortcutSheet | None = None
        menu.addAction(GETTING_STARTED, self.guide_requested.emit)
        sheet = menu.addAction(KEYBOARD_SHORTCUTS, self.show_shortcuts)
        # Shown in the menu; the window owns the keys themselves (a second F1 in the window would be ambiguous).
        sheet.setShortcut(QKeySequence(SHEET_KEYS[0]))
        sheet.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        menu.addAction(OPEN_LOG_FOLDER, open_log_folder)
        menu.addAction(ABOUT, self._show_about)
        self.setMenu(menu)

    def action(self, text: str):
        return next(action for action in self.menu().actions() if action.text() == text)

    def show_shortcuts(self) -> None:
        if self.shortcut_sheet is None:
            self.shortcut_sheet = ShortcutSheet(self.window())
        self.shortcut_sheet.show()
        self.shortcut_sheet.raise_()
        self.shortcut_sheet.activateWindow()

    def _show_about(self) -> None:
        QMessageBox.about(self.window(), ABOUT, about_text())

"""The Help button at the foot of the navigation rail: open the log folder, and an About box with the version and
where the data lives (what support asks first)."""

from __future__ import annotations

import logging
from importlib import metadata
from pathlib import Path

from PySide6.QtCore import QPointF, QRect, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QIcon, QIconEngine, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QMenu, QMessageBox, QSizePolicy, QToolButton, QWidget

from desktop import settings as app_settings
from desktop.ui.widgets import theme

log = logging.getLogger(__name__)

GETTING_STARTED = "Getting started…"
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
        self.setToolTip("Help: getting started, the log folder, the version")
        self.setAccessibleName("Help")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0; }")  # a rail button, not a combo
        menu = QMenu(self)
        menu.addAction(GETTING_STARTED, self.guide_requested.emit)
        menu.addAction(OPEN_LOG_FOLDER, open_log_folder)
        menu.addAction(ABOUT, self._show_about)
        self.setMenu(menu)

    def action(self, text: str):
        return next(action for action in self.menu().actions() if action.text() == text)

    def _show_about(self) -> None:
        QMessageBox.about(self.window(), ABOUT, about_text())

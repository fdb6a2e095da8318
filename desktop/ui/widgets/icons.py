"""Line icons drawn with QPainter at any size (crisp at 200 % scaling) in the theme's colours: the one icon module.

`icon(name)` follows the active theme when no colour is given, because it reads the colour each time it paints;
`icon_pixmap(name, color, size)` is a picture for a label, drawn for the screen's pixel ratio. The drawings are in
icon_shapes.py.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QPainter, QPen, QPixmap

from desktop.ui.widgets import theme
from desktop.ui.widgets.icon_shapes import DRAWINGS, Draw

__all__ = ["DRAWINGS", "app_icon", "icon", "icon_color", "icon_pixmap"]


class _PaintedIcon(QIconEngine):
    def __init__(self, draw: Draw, color: str | None) -> None:
        super().__init__()
        self._draw = draw
        self._color = color

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        color = theme.MUTED if mode == QIcon.Mode.Disabled else self._resolve()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(rect.width(), rect.height())
        painter.translate(rect.x() + (rect.width() - side) / 2, rect.y() + (rect.height() - side) / 2)
        painter.scale(side / 24, side / 24)
        painter.setPen(QPen(QColor(color)))
        self._draw(painter)
        painter.restore()

    def _resolve(self) -> str:
        return icon_color(self._color)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(0, 0, size.width(), size.height()), mode, state)
        painter.end()
        return pixmap

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:  # noqa: N802
        # Drawn at the screen's density (200 %: twice the pixels), not drawn small and blown up.
        pixmap = self.pixmap(size * scale, mode, state)
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def clone(self) -> QIconEngine:
        return _PaintedIcon(self._draw, self._color)


def icon_color(color: str | None = None) -> str:
    """The colour an icon made with `color` paints in now. A theme colour's name (e.g. "ON_ACCENT") is looked up at
    paint time, so the icon follows a light/dark switch; the default is the theme's text colour."""
    if color is None:
        return theme.TEXT
    return getattr(theme, color) if color.isupper() else color


def icon(name: str, color: str | None = None) -> QIcon:
    """A named line icon in `color`: a colour like "#ffffff", or a theme colour's name like "ON_ACCENT" (looked up
    at paint time, as is the default, "TEXT")."""
    return QIcon(_PaintedIcon(DRAWINGS[name], color))


def icon_pixmap(name: str, color: str | None, size: int) -> QPixmap:
    """The icon as a `size` x `size` picture (logical pixels) for a QLabel, sharp on a 200 % screen too."""
    app = QGuiApplication.instance()
    ratio = app.devicePixelRatio() if isinstance(app, QGuiApplication) else 1.0
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.setDevicePixelRatio(ratio)  # painted in logical pixels, stored at the screen's density
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    _PaintedIcon(DRAWINGS[name], color).paint(painter, QRect(0, 0, size, size), QIcon.Mode.Normal, QIcon.State.Off)
    painter.end()
    return pixmap


def app_icon(size: int = 64) -> QIcon:
    """The app's mark: a white handset on the accent colour, for the window and the tray."""
    result = QIcon()
    for side in (16, 22, 24, 32, 48, size, 128, 256):
        pixmap = QPixmap(side, side)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.LIGHT.accent))
        painter.drawRoundedRect(QRectF(0, 0, side, side), side * 0.28, side * 0.28)
        painter.scale(side / 24, side / 24)
        painter.translate(2.4, 2.4)
        painter.scale(0.8, 0.8)
        painter.setPen(QPen(QColor("white")))
        DRAWINGS["phone"](painter)
        painter.end()
        result.addPixmap(pixmap)
    return result

"""Line icons drawn with QPainter at any size (crisp at 200 % scaling) in the theme's colours.

`icon(name)` follows the active theme when no colour is given, because it reads the colour each time it paints.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPainterPath, QPen, QPixmap

from desktop.ui.widgets import theme

Draw = Callable[[QPainter], None]


def _pen(painter: QPainter, width: float = 2.0) -> None:
    pen = painter.pen()
    pen.setWidthF(width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)


def _fill(painter: QPainter) -> None:
    painter.setBrush(painter.pen().color())
    painter.setPen(Qt.PenStyle.NoPen)


def _handset(painter: QPainter, angle: float) -> None:
    """An old-style handset, drawn upright (handle to the left) and turned by `angle` degrees."""
    painter.save()
    painter.translate(12, 12)
    painter.rotate(angle)
    _pen(painter, 3.6)
    path = QPainterPath(QPointF(1, -7.5))
    path.lineTo(-1.5, -7.5)
    path.quadTo(-7.5, 0, -1.5, 7.5)
    path.lineTo(1, 7.5)
    painter.drawPath(path)
    painter.restore()


def _phone(p: QPainter) -> None:
    _handset(p, -45)


def _hang_up(p: QPainter) -> None:
    _handset(p, 90)


def _contacts(p: QPainter) -> None:
    _pen(p)
    p.drawEllipse(QPointF(12, 8), 4, 4)
    path = QPainterPath(QPointF(4, 21))
    path.cubicTo(4, 14, 20, 14, 20, 21)
    p.drawPath(path)


def _dialpad(p: QPainter) -> None:
    _fill(p)
    for row in range(3):
        for col in range(3):
            p.drawEllipse(QPointF(6 + 6 * col, 4 + 5.5 * row), 1.8, 1.8)
    p.drawEllipse(QPointF(12, 20.5), 1.8, 1.8)


def _history(p: QPainter) -> None:
    _pen(p)
    p.drawEllipse(QPointF(12, 12), 9, 9)
    p.drawPolyline([QPointF(12, 7), QPointF(12, 12), QPointF(15.5, 14)])


def _settings(p: QPainter) -> None:
    _pen(p)
    p.drawEllipse(QPointF(12, 12), 3, 3)
    p.drawEllipse(QPointF(12, 12), 6.5, 6.5)
    _pen(p, 3.0)
    for tooth in range(8):
        angle = tooth * math.pi / 4
        inner = QPointF(12 + 7.5 * math.cos(angle), 12 + 7.5 * math.sin(angle))
        outer = QPointF(12 + 9.5 * math.cos(angle), 12 + 9.5 * math.sin(angle))
        p.drawLine(inner, outer)


def _search(p: QPainter) -> None:
    _pen(p)
    p.drawEllipse(QPointF(10.5, 10.5), 6.5, 6.5)
    p.drawLine(QPointF(15.5, 15.5), QPointF(20.5, 20.5))


def _plus(p: QPainter) -> None:
    _pen(p)
    p.drawLine(QPointF(12, 5), QPointF(12, 19))
    p.drawLine(QPointF(5, 12), QPointF(19, 12))


def _edit(p: QPainter) -> None:
    _pen(p)
    p.drawPolygon([QPointF(4, 20), QPointF(4.5, 15.5), QPointF(15.5, 4.5), QPointF(19.5, 8.5), QPointF(8.5, 19.5)])
    p.drawLine(QPointF(13, 7), QPointF(17, 11))


def _trash(p: QPainter) -> None:
    _pen(p)
    p.drawLine(QPointF(4, 6.5), QPointF(20, 6.5))
    p.drawPolyline([QPointF(9, 6.5), QPointF(9, 4), QPointF(15, 4), QPointF(15, 6.5)])
    p.drawPolyline([QPointF(6, 6.5), QPointF(7, 20), QPointF(17, 20), QPointF(18, 6.5)])
    p.drawLine(QPointF(10.5, 10.5), QPointF(10.5, 16))
    p.drawLine(QPointF(13.5, 10.5), QPointF(13.5, 16))


def _keyboard(p: QPainter) -> None:
    _pen(p)
    p.drawRoundedRect(QRectF(2.5, 6, 19, 12), 2, 2)
    _pen(p, 2.2)
    for col in range(5):
        p.drawPoint(QPointF(6 + 3 * col, 10))
    for col in range(4):
        p.drawPoint(QPointF(7.5 + 3 * col, 12.5))
    _pen(p)
    p.drawLine(QPointF(8, 15.2), QPointF(16, 15.2))


def _mic(p: QPainter) -> None:
    _pen(p)
    p.drawRoundedRect(QRectF(9, 3, 6, 11), 3, 3)
    path = QPainterPath(QPointF(5.5, 11))
    path.cubicTo(5.5, 19, 18.5, 19, 18.5, 11)
    p.drawPath(path)
    p.drawLine(QPointF(12, 17), QPointF(12, 21))


def _speaker(p: QPainter) -> None:
    _pen(p)
    p.drawPolygon([QPointF(4, 9.5), QPointF(8, 9.5), QPointF(12.5, 5.5), QPointF(12.5, 18.5), QPointF(8, 14.5),
                   QPointF(4, 14.5)])  # fmt: skip
    p.drawArc(QRectF(11, 8, 6, 8), -60 * 16, 120 * 16)
    p.drawArc(QRectF(11, 5, 10, 14), -60 * 16, 120 * 16)


def _key(p: QPainter) -> None:
    _pen(p)
    p.drawEllipse(QPointF(8, 16), 4, 4)
    p.drawLine(QPointF(11, 13), QPointF(20, 4))
    p.drawLine(QPointF(17, 7), QPointF(19.5, 9.5))
    p.drawLine(QPointF(14.5, 9.5), QPointF(16.5, 11.5))


def _pulse(p: QPainter) -> None:
    _pen(p)
    p.drawPolyline([QPointF(3, 12), QPointF(7, 12), QPointF(10, 5), QPointF(14, 19), QPointF(17, 12), QPointF(21, 12)])


def _check(p: QPainter) -> None:
    _pen(p, 2.4)
    p.drawPolyline([QPointF(5, 12.5), QPointF(10, 17.5), QPointF(19, 7)])


def _close(p: QPainter) -> None:
    _pen(p)
    p.drawLine(QPointF(6, 6), QPointF(18, 18))
    p.drawLine(QPointF(18, 6), QPointF(6, 18))


def _backspace(p: QPainter) -> None:
    _pen(p)
    p.drawPolygon([QPointF(8.5, 5.5), QPointF(21, 5.5), QPointF(21, 18.5), QPointF(8.5, 18.5), QPointF(2.5, 12)])
    p.drawLine(QPointF(11.5, 9), QPointF(17.5, 15))
    p.drawLine(QPointF(17.5, 9), QPointF(11.5, 15))


def _play(p: QPainter) -> None:
    _fill(p)
    p.drawPolygon([QPointF(7, 4.5), QPointF(19.5, 12), QPointF(7, 19.5)])


def _pause(p: QPainter) -> None:
    _fill(p)
    p.drawRoundedRect(QRectF(6.5, 5, 4, 14), 1.2, 1.2)
    p.drawRoundedRect(QRectF(13.5, 5, 4, 14), 1.2, 1.2)


def _back(p: QPainter) -> None:
    _pen(p)
    p.drawLine(QPointF(19, 12), QPointF(5, 12))
    p.drawPolyline([QPointF(11, 6), QPointF(5, 12), QPointF(11, 18)])


def _export(p: QPainter) -> None:
    _pen(p)
    p.drawLine(QPointF(12, 4), QPointF(12, 15))
    p.drawPolyline([QPointF(7.5, 10.5), QPointF(12, 15), QPointF(16.5, 10.5)])
    p.drawPolyline([QPointF(4, 15), QPointF(4, 20), QPointF(20, 20), QPointF(20, 15)])


def _eye(p: QPainter) -> None:
    _pen(p)
    path = QPainterPath(QPointF(2.5, 12))
    path.quadTo(12, 2, 21.5, 12)
    path.quadTo(12, 22, 2.5, 12)
    p.drawPath(path)
    p.drawEllipse(QPointF(12, 12), 3, 3)


def _power(p: QPainter) -> None:
    _pen(p)
    p.drawArc(QRectF(4, 4.5, 16, 16), 125 * 16, 290 * 16)
    p.drawLine(QPointF(12, 3), QPointF(12, 11))


def _window(p: QPainter) -> None:
    _pen(p)
    p.drawRoundedRect(QRectF(3, 4.5, 18, 15), 2.5, 2.5)
    p.drawLine(QPointF(3, 9), QPointF(21, 9))


def _person_plus(p: QPainter) -> None:
    _pen(p)
    p.drawEllipse(QPointF(9.5, 8), 4, 4)
    path = QPainterPath(QPointF(2.5, 21))
    path.cubicTo(2.5, 14, 16.5, 14, 16.5, 21)
    p.drawPath(path)
    p.drawLine(QPointF(19.5, 6), QPointF(19.5, 12))
    p.drawLine(QPointF(16.5, 9), QPointF(22.5, 9))


def _filter(p: QPainter) -> None:
    _pen(p)
    p.drawPolygon([QPointF(3.5, 5), QPointF(20.5, 5), QPointF(14, 12.5), QPointF(14, 19), QPointF(10, 17),
                   QPointF(10, 12.5)])  # fmt: skip


def _exam(p: QPainter) -> None:
    _pen(p)
    p.drawRoundedRect(QRectF(5, 3.5, 14, 17), 2, 2)
    p.drawLine(QPointF(8.5, 8.5), QPointF(15.5, 8.5))
    p.drawLine(QPointF(8.5, 12), QPointF(15.5, 12))
    p.drawPolyline([QPointF(8.5, 16), QPointF(10.5, 18), QPointF(15, 14)])


def _bulb(p: QPainter) -> None:
    _pen(p)
    path = QPainterPath(QPointF(9, 16.5))
    path.cubicTo(9, 13.5, 5.5, 12.5, 5.5, 9)
    path.cubicTo(5.5, 2, 18.5, 2, 18.5, 9)
    path.cubicTo(18.5, 12.5, 15, 13.5, 15, 16.5)
    path.closeSubpath()
    p.drawPath(path)
    p.drawLine(QPointF(9.5, 20), QPointF(14.5, 20))


DRAWINGS: dict[str, Draw] = {
    "phone": _phone,
    "hang_up": _hang_up,
    "contacts": _contacts,
    "dialpad": _dialpad,
    "history": _history,
    "settings": _settings,
    "search": _search,
    "plus": _plus,
    "edit": _edit,
    "trash": _trash,
    "keyboard": _keyboard,
    "mic": _mic,
    "speaker": _speaker,
    "key": _key,
    "pulse": _pulse,
    "check": _check,
    "close": _close,
    "backspace": _backspace,
    "play": _play,
    "pause": _pause,
    "back": _back,
    "export": _export,
    "eye": _eye,
    "power": _power,
    "window": _window,
    "person_plus": _person_plus,
    "filter": _filter,
    "exam": _exam,
    "bulb": _bulb,
}


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
        _phone(painter)
        painter.end()
        result.addPixmap(pixmap)
    return result

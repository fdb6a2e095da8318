"""The call screen's icons, drawn with QPainter on a 24-unit grid so they stay crisp at any scaling."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

RENDER_PX = 96  # drawn large once; QIcon scales down smoothly for 100 % and 200 % screens

Draw = Callable[[QPainter], None]


def _stroke(painter: QPainter, color: QColor, width: float = 2.0) -> None:
    pen = QPen(color, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)


def _mic(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(9, 3, 6, 11), 3, 3)
    path = QPainterPath(QPointF(5.5, 11))
    path.cubicTo(5.5, 19, 18.5, 19, 18.5, 11)
    p.drawPath(path)
    p.drawLine(QPointF(12, 17.5), QPointF(12, 21))
    p.drawLine(QPointF(8.5, 21), QPointF(15.5, 21))


def _slash(p: QPainter) -> None:
    p.drawLine(QPointF(4, 4), QPointF(20, 20))


def _mic_off(p: QPainter) -> None:
    _mic(p)
    _slash(p)


def _camera(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(2.5, 6.5, 13, 11), 2.5, 2.5)
    path = QPainterPath(QPointF(15.5, 10.5))
    path.lineTo(21.5, 7.5)
    path.lineTo(21.5, 16.5)
    path.lineTo(15.5, 13.5)
    p.drawPath(path)


def _camera_off(p: QPainter) -> None:
    _camera(p)
    _slash(p)


def _keypad(p: QPainter) -> None:
    brush = p.pen().color()
    p.setBrush(brush)
    p.setPen(Qt.PenStyle.NoPen)
    for row in range(4):
        for col in range(3):
            if row == 3 and col != 1:
                continue
            p.drawEllipse(QPointF(6 + 6 * col, 4 + 5.3 * row), 1.8, 1.8)


def _handset(p: QPainter) -> None:
    path = QPainterPath(QPointF(6.5, 3))
    path.lineTo(9.5, 3)
    path.lineTo(11, 7.5)
    path.lineTo(8.8, 9.2)
    path.cubicTo(10, 11.8, 12.2, 14, 14.8, 15.2)
    path.lineTo(16.5, 13)
    path.lineTo(21, 14.5)
    path.lineTo(21, 17.5)
    path.cubicTo(21, 19.5, 19.5, 21, 17.5, 21)
    path.cubicTo(10.5, 20.5, 3.5, 13.5, 3, 6.5)
    path.cubicTo(3, 4.5, 4.5, 3, 6.5, 3)
    p.setBrush(p.pen().color())
    p.drawPath(path)


def _hang_up(p: QPainter) -> None:
    p.translate(12, 12)
    p.rotate(135)
    p.translate(-12, -12)
    _handset(p)


def _keyboard(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(2.5, 6, 19, 12), 2.5, 2.5)
    for x in (6, 9.5, 13, 16.5):
        p.drawPoint(QPointF(x, 10))
    for x in (7.5, 11, 14.5, 18):
        p.drawPoint(QPointF(x, 13))
    p.drawLine(QPointF(8, 15.5), QPointF(16, 15.5))


def _waveform(p: QPainter) -> None:
    for x, half in ((4, 2), (8, 5), (12, 8), (16, 5), (20, 2)):
        p.drawLine(QPointF(x, 12 - half), QPointF(x, 12 + half))


def _devices(p: QPainter) -> None:
    path = QPainterPath(QPointF(4, 15))
    path.lineTo(4, 12)
    path.cubicTo(4, 1.5, 20, 1.5, 20, 12)
    path.lineTo(20, 15)
    p.drawPath(path)
    p.drawRoundedRect(QRectF(3, 13, 4.5, 7), 1.5, 1.5)
    p.drawRoundedRect(QRectF(16.5, 13, 4.5, 7), 1.5, 1.5)


def _send(p: QPainter) -> None:
    path = QPainterPath(QPointF(3, 11))
    path.lineTo(21, 3)
    path.lineTo(13, 21)
    path.lineTo(11, 13)
    path.closeSubpath()
    p.drawPath(path)
    p.drawLine(QPointF(11, 13), QPointF(21, 3))


def _person(p: QPainter) -> None:
    p.drawEllipse(QPointF(12, 8), 4, 4)
    path = QPainterPath(QPointF(4, 21))
    path.cubicTo(4, 14, 20, 14, 20, 21)
    p.drawPath(path)


def _warning(p: QPainter) -> None:
    path = QPainterPath(QPointF(12, 3))
    path.lineTo(22, 20.5)
    path.lineTo(2, 20.5)
    path.closeSubpath()
    p.drawPath(path)
    p.drawLine(QPointF(12, 9.5), QPointF(12, 14))
    p.drawPoint(QPointF(12, 17.3))


SHAPES: dict[str, Draw] = {
    "mic": _mic,
    "mic_off": _mic_off,
    "camera": _camera,
    "camera_off": _camera_off,
    "keypad": _keypad,
    "call": _handset,
    "hang_up": _hang_up,
    "keyboard": _keyboard,
    "voice": _waveform,
    "devices": _devices,
    "send": _send,
    "person": _person,
    "warning": _warning,
}

_cache: dict[tuple[str, str], QIcon] = {}


def icon_pixmap(name: str, color: str, size: int = RENDER_PX) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 24, size / 24)
    _stroke(painter, QColor(color))
    SHAPES[name](painter)
    painter.end()
    return pixmap


def icon(name: str, color: str) -> QIcon:
    key = (name, color)
    if key not in _cache:
        _cache[key] = QIcon(icon_pixmap(name, color))
    return _cache[key]

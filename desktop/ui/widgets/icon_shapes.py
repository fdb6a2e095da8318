"""The drawings behind the app's icons, one a name, on a 24-unit grid (desktop/ui/widgets/icons.py scales them to any
size and colours them). A drawing sets its own pen width or fill; the painter arrives with the colour."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath

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


def _handset(p: QPainter) -> None:
    """An old-style handset, earpiece at the top left, filled: it reads as "phone" even at 16 px."""
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
    _fill(p)
    p.drawPath(path)


def _phone(p: QPainter) -> None:
    _handset(p)


def _hang_up(p: QPainter) -> None:
    """The handset laid down, as on a phone's red button."""
    p.translate(12, 12)
    p.rotate(135)
    p.translate(-12, -12)
    _handset(p)


def _person(p: QPainter) -> None:
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
    p.drawLine(QPointF(12, 17.5), QPointF(12, 21))
    p.drawLine(QPointF(8.5, 21), QPointF(15.5, 21))


def _slash(p: QPainter) -> None:
    _pen(p)
    p.drawLine(QPointF(4, 4), QPointF(20, 20))


def _mic_off(p: QPainter) -> None:
    _mic(p)
    _slash(p)


def _camera(p: QPainter) -> None:
    _pen(p)
    p.drawRoundedRect(QRectF(2.5, 6.5, 13, 11), 2.5, 2.5)
    path = QPainterPath(QPointF(15.5, 10.5))
    path.lineTo(21.5, 7.5)
    path.lineTo(21.5, 16.5)
    path.lineTo(15.5, 13.5)
    p.drawPath(path)


def _camera_off(p: QPainter) -> None:
    _camera(p)
    _slash(p)


def _voice(p: QPainter) -> None:
    _pen(p)
    for x, half in ((4, 2), (8, 5), (12, 8), (16, 5), (20, 2)):
        p.drawLine(QPointF(x, 12 - half), QPointF(x, 12 + half))


def _devices(p: QPainter) -> None:
    _pen(p)
    path = QPainterPath(QPointF(4, 15))
    path.lineTo(4, 12)
    path.cubicTo(4, 1.5, 20, 1.5, 20, 12)
    path.lineTo(20, 15)
    p.drawPath(path)
    p.drawRoundedRect(QRectF(3, 13, 4.5, 7), 1.5, 1.5)
    p.drawRoundedRect(QRectF(16.5, 13, 4.5, 7), 1.5, 1.5)


def _send(p: QPainter) -> None:
    _pen(p)
    path = QPainterPath(QPointF(3, 11))
    path.lineTo(21, 3)
    path.lineTo(13, 21)
    path.lineTo(11, 13)
    path.closeSubpath()
    p.drawPath(path)
    p.drawLine(QPointF(11, 13), QPointF(21, 3))


def _warning(p: QPainter) -> None:
    _pen(p)
    path = QPainterPath(QPointF(12, 3))
    path.lineTo(22, 20.5)
    path.lineTo(2, 20.5)
    path.closeSubpath()
    p.drawPath(path)
    p.drawLine(QPointF(12, 9.5), QPointF(12, 14))
    p.drawPoint(QPointF(12, 17.3))


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
    "person": _person,
    "dialpad": _dialpad,
    "history": _history,
    "settings": _settings,
    "search": _search,
    "plus": _plus,
    "edit": _edit,
    "trash": _trash,
    "keyboard": _keyboard,
    "mic": _mic,
    "mic_off": _mic_off,
    "camera": _camera,
    "camera_off": _camera_off,
    "voice": _voice,
    "devices": _devices,
    "send": _send,
    "warning": _warning,
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

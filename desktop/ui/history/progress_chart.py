"""The progress chart: overall and each score over time, drawn with QPainter.

With many calls, points that would land within a few pixels of each other are averaged into one, so the chart stays
readable (and fast) with thousands of calls. The lines are worked out once per size and data, not on every paint.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QAccessible, QAccessibleEvent, QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from desktop.core.clock import parse_iso
from desktop.core.progress import ProgressPoint
from desktop.ui.widgets import theme
from desktop.ui.widgets.report import SCORE_LABELS, scaled_font

SERIES = ("overall", "rapport", "discovery", "objection_handling", "closing")
SERIES_LABELS = {"overall": "Overall", **SCORE_LABELS}
# Theme names (a colour or a difficulty level); looked up when painting so a light/dark switch applies at once.
_SERIES_COLORS = {
    "overall": "ACCENT",
    "rapport": "ROOKIE",
    "discovery": "ELITE",
    "objection_handling": "WARNING",
    "closing": "SUCCESS",
}


def series_color(name: str) -> str:
    color = _SERIES_COLORS[name]
    if color in theme.DIFFICULTY_COLORS:
        return theme.DIFFICULTY_COLORS[color]
    return color if color.startswith("#") else getattr(theme, color)


# Points closer than this many pixels on the time axis are averaged into one.
BUCKET_PX = 6
DOT_LIMIT = 60


class ProgressChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._points: list[ProgressPoint] = []
        self._times: list[float] = []
        self._values: list[tuple[int, ...]] = []
        self._visible: set[str] = set(SERIES)
        self._cache_key: tuple | None = None
        self._lines: dict[str, list[QPointF]] = {}
        self._hover: list[tuple[QPointF, range]] = []
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._current: int | None = None  # the point picked with the keyboard (an index into _hover)
        self.setToolTip("Your scores over time. Hover a point for the call, or use the arrow keys.")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Progress chart")
        self._announce()

    # -- API -------------------------------------------------------------------------------------------------------

    @property
    def point_count(self) -> int:
        return len(self._points)

    @property
    def current_point(self) -> int | None:
        """The point picked with the arrow keys (several close calls averaged into one count as one), or None."""
        return self._current

    def summary(self) -> str:
        """The chart in words: how many calls, when, and where the overall score started and stands."""
        if not self._points:
            return "No graded calls yet."
        count = len(self._points)
        first, last = self._points[0], self._points[-1]
        when = [parse_iso(p.started_at).astimezone().strftime("%d %b %Y") for p in (first, last)]
        best = max(p.overall for p in self._points)
        return (
            f"{count} graded call{'s' if count != 1 else ''} from {when[0]} to {when[1]}. Overall score "
            f"{first.overall} at first, {last.overall} in the latest call, best {best}. "
            "Use the arrow keys to go through the calls."
        )

    @property
    def visible_series(self) -> set[str]:
        return set(self._visible)

    def set_points(self, points: Sequence[ProgressPoint]) -> None:
        """Graded calls, oldest first."""
        self._points = list(points)
        self._times = [
            point.timestamp if point.timestamp is not None else parse_iso(point.started_at).timestamp()
            for point in self._points
        ]
        # The five values per call in SERIES order, read once rather than at every layout.
        self._values = [(p.overall, *p.scores) for p in self._points]
        self._cache_key = None
        self._current = None
        self._announce()
        self.update()

    def set_series_visible(self, name: str, visible: bool) -> None:
        if visible:
            self._visible.add(name)
        else:
            self._visible.discard(name)
        self.update()

    def line(self, name: str) -> list[QPointF]:
        """The points drawn for one series at the current size (for tests and tooltips)."""
        self._layout()
        return list(self._lines.get(name, []))

    # -- painting --------------------------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        height = self.fontMetrics().height()
        return QSize(height * 30, height * 11)

    def minimumSizeHint(self) -> QSize:
        height = self.fontMetrics().height()
        return QSize(height * 12, height * 7)

    def _plot_rect(self) -> QRectF:
        metrics = self.fontMetrics()
        left = metrics.horizontalAdvance("100") + 10
        return QRectF(left, metrics.height() * 0.6, self.width() - left - 12, self.height() - metrics.height() * 2.4)

    def _layout(self) -> None:
        key = (self.width(), self.height(), len(self._points), id(self._points))
        if key == self._cache_key:
            return
        self._cache_key = key
        self._lines = {name: [] for name in SERIES}
        self._hover = []
        if not self._points:
            return
        plot = self._plot_rect()
        first, last = self._times[0], self._times[-1]
        scale = max(plot.width(), 1.0) / max(last - first, 1.0)
        left, bottom, per_point = plot.left(), plot.bottom(), plot.height() / 100
        single = len(self._points) == 1
        lines = [self._lines[name] for name in SERIES]

        # One pass over the calls (they are in time order): calls that land in the same BUCKET_PX-wide column are
        # averaged into one point at their mean x, so 10,000 calls lay out in a few milliseconds.
        def flush(start: int, end: int, x_sum: float, sums: list[float]) -> None:
            count = end - start
            x = plot.center().x() if single else x_sum / count
            for line, total in zip(lines, sums, strict=True):
                line.append(QPointF(x, bottom - total / count * per_point))
            self._hover.append((lines[0][-1], range(start, end)))

        start, bucket, x_sum, sums = 0, None, 0.0, [0.0] * len(SERIES)
        for index, t in enumerate(self._times):
            x = left + (t - first) * scale
            key = int(x // BUCKET_PX)
            if key != bucket and bucket is not None:
                flush(start, index, x_sum, sums)
                start, x_sum, sums = index, 0.0, [0.0] * len(SERIES)
            bucket = key
            x_sum += x
            for slot, value in enumerate(self._values[index]):
                sums[slot] += value
        flush(start, len(self._times), x_sum, sums)

    def _describe(self, members: range) -> str:
        if len(members) == 1:
            point = self._points[members[0]]
            when = parse_iso(point.started_at).astimezone().strftime("%d %b %Y %H:%M")
            return f"{when} · {point.persona_name} · {point.difficulty.title()} · overall {point.overall}"
        first = parse_iso(self._points[members[0]].started_at).astimezone().strftime("%d %b")
        last = parse_iso(self._points[members[-1]].started_at).astimezone().strftime("%d %b %Y")
        mean = round(sum(self._points[i].overall for i in members) / len(members))
        return f"{len(members)} calls, {first} – {last} · average overall {mean}"

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        plot = self._plot_rect()
        metrics = self.fontMetrics()
        small = scaled_font(self.font(), 0.85)
        painter.setFont(small)
        for value in (0, 25, 50, 75, 100):
            y = plot.bottom() - value / 100 * plot.height()
            painter.setPen(QPen(QColor(theme.BORDER), 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(QColor(theme.MUTED))
            label_rect = QRectF(0, y - metrics.height() / 2, plot.left() - 6, metrics.height())
            painter.drawText(label_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(value))
        if not self._points:
            painter.setFont(self.font())
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(
                plot,
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                "Your scores will be charted here after your first graded call.",
            )
            painter.end()
            return
        self._layout()
        self._draw_time_axis(painter, plot)
        for name in reversed(SERIES):  # overall last, on top
            if name not in self._visible or not self._lines[name]:
                continue
            line = self._lines[name]
            width = 3.0 if name == "overall" else 1.6
            pen = QPen(QColor(series_color(name)), width)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            path = QPainterPath(line[0])
            for point in line[1:]:
                path.lineTo(point)
            painter.drawPath(path)
            if name == "overall" and len(line) <= DOT_LIMIT:
                painter.setBrush(QColor(theme.SURFACE))
                radius = max(3.0, metrics.height() / 5)
                for point in line:
                    painter.drawEllipse(point, radius, radius)
        if self._current is not None and self._current < len(self._hover):
            picked = self._hover[self._current][0]
            radius = max(5.0, metrics.height() / 3)
            painter.setPen(QPen(QColor(theme.TEXT), 2.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(picked, radius, radius)
            painter.setPen(QPen(QColor(theme.MUTED), 1.0, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(picked.x(), plot.top()), QPointF(picked.x(), plot.bottom()))
        painter.end()

    def _draw_time_axis(self, painter: QPainter, plot: QRectF) -> None:
        metrics = self.fontMetrics()
        painter.setPen(QColor(theme.MUTED))
        top = plot.bottom() + 4
        first = datetime.fromtimestamp(self._times[0])
        last = datetime.fromtimestamp(self._times[-1])
        same_year = first.year == last.year
        fmt = "%d %b" if same_year else "%b %Y"
        rect = QRectF(plot.left(), top, plot.width(), metrics.height() * 1.4)
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, first.strftime(fmt))
        if len(self._points) > 1:
            painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, last.strftime(fmt))
        count = len(self._points)
        caption = f"{count} graded call{'s' if count != 1 else ''}"
        painter.drawText(rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, caption)

    # -- keyboard and screen readers ----------------------------------------------------------------------------------

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._layout()
        last = len(self._hover) - 1
        key = event.key()
        moves = {
            Qt.Key.Key_Right: lambda i: 0 if i is None else min(i + 1, last),
            Qt.Key.Key_Left: lambda i: 0 if i is None else max(i - 1, 0),
            Qt.Key.Key_Home: lambda _i: 0,
            Qt.Key.Key_End: lambda _i: last,
        }
        if key not in moves or last < 0:
            super().keyPressEvent(event)
            return
        self._current = moves[key](self._current)
        self._announce()
        self.update()
        # Sighted keyboard users read the same words as a mouse user's hover.
        where = self.mapToGlobal(self._hover[self._current][0].toPoint())
        QToolTip.showText(where, self._describe(self._hover[self._current][1]), self)
        event.accept()

    def _announce(self) -> None:
        """The text equivalent: the picked point, or the summary; screen readers are told when it changes."""
        if self._current is not None and self._current >= len(self._hover):
            self._current = len(self._hover) - 1 if self._hover else None
        if self._current is None:
            text = self.summary()
        else:
            text = f"Call {self._current + 1} of {len(self._hover)}: {self._describe(self._hover[self._current][1])}"
        if text != self.accessibleDescription():
            self.setAccessibleDescription(text)
            if QAccessible.isActive():
                QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.DescriptionChanged))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self._current is not None:  # the points may merge or split at a new width
            self._layout()
            self._announce()

    def mouseMoveEvent(self, event) -> None:
        self._layout()
        position = event.position()
        near = min(self._hover, key=lambda item: abs(item[0].x() - position.x()), default=None)
        if near is not None and abs(near[0].x() - position.x()) <= max(BUCKET_PX, 8):
            QToolTip.showText(event.globalPosition().toPoint(), self._describe(near[1]), self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)

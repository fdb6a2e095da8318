"""The history table's model: past sessions newest first, one page at a time through fetchMore.

The model never reads the store. When the view scrolls near the end it asks for more (`more_wanted`); the presenter
loads the page off the GUI thread and hands back ready-to-show rows (`HistoryRow`, built on the worker), so that
`data()` only returns prepared values and scrolling 10,000 sessions stays smooth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

from desktop.core.clock import format_clock
from desktop.core.vocabulary import Status
from desktop.store.records import SessionSummary
from desktop.ui.widgets import theme
from desktop.ui.widgets.report import local_time

COLUMNS = ("When", "Seller", "Level", "Mode", "Length", "Status", "Score")
WHEN, SELLER, LEVEL, MODE, LENGTH, STATUS, SCORE = range(len(COLUMNS))
STATUS_LABELS = {
    Status.COMPLETED: "Completed",
    Status.INTERRUPTED: "Cut short",
    Status.FAILED: "Did not connect",
    Status.ACTIVE: "Live",
}
SESSION_ID_ROLE = Qt.ItemDataRole.UserRole + 1
HEADER_TIPS = (
    "When the call started (your local time)",
    "The seller you called",
    "Difficulty level",
    "Voice call or typed",
    "How long the call lasted",
    "How the call ended",
    "Overall score out of 100",
)


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One session as the table shows it; every string is prepared off the GUI thread.

    Only what the table needs is kept, in slots: with 10,000 rows loaded, fewer and smaller objects keep Python's
    garbage collector passes (which pause the GUI thread) short.
    """

    session_id: int
    persona_id: str
    difficulty: str
    status: str
    overall: int | None
    texts: tuple[str, ...]  # one per column
    tooltip: str
    origin_device: str = ""  # the device id when the session came from another device


def score_text(summary: SessionSummary) -> str:
    if summary.overall is not None:
        return str(summary.overall)
    if summary.needs_grading:
        return "grading…"
    return "–"


def history_row(summary: SessionSummary, origin_device: str = "") -> HistoryRow:
    texts = (
        local_time(summary.started_at),
        summary.persona_name,
        summary.difficulty.title(),
        "Typed" if summary.mode == "text" else "Voice + typed" if summary.typed_into else "Voice",
        format_clock(summary.duration_seconds) if summary.duration_seconds is not None else "–",
        STATUS_LABELS.get(summary.status, summary.status),
        score_text(summary),
    )
    tip = f"{summary.persona_name}, {texts[WHEN]}. Double-click or press Enter to review this call."
    if origin_device:
        tip += f"\nMade on another device ({origin_device[:8]}); its recording stays there."
    return HistoryRow(
        summary.id, summary.persona_id, summary.difficulty, summary.status, summary.overall, texts, tip, origin_device
    )


def history_rows(summaries: Sequence[SessionSummary], origins: Mapping[int, str]) -> list[HistoryRow]:
    return [history_row(summary, origins.get(summary.id, "")) for summary in summaries]


def _device_icon() -> QIcon:
    """A small phone outline: marks calls that were made on another device."""
    size = 16
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(theme.ACCENT), 1.6))
    painter.drawRoundedRect(QRectF(4.5, 1.5, 7, 13), 1.5, 1.5)
    painter.drawLine(7, 12, 9, 12)
    painter.end()
    return QIcon(pixmap)


class SessionTableModel(QAbstractTableModel):
    more_wanted = Signal(int)  # the offset of the page the view wants next

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[HistoryRow] = []
        self._total = 0
        self._generation = 0
        self._loading = False
        self._row_of: dict[int, int] = {}
        self._colors: dict[str, QColor] = {}
        self._device_icon: QIcon | None = None

    # -- what the presenter calls -------------------------------------------------------------------------------

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def total(self) -> int:
        return self._total

    @property
    def loading(self) -> bool:
        return self._loading

    def reset(self, generation: int, total: int, rows: Sequence[HistoryRow]) -> None:
        """A new listing (new filter or refresh): replaces every row."""
        self.beginResetModel()
        self._generation = generation
        self._total = max(total, len(rows))
        self._rows = list(rows)
        self._row_of = {row.session_id: index for index, row in enumerate(self._rows)}
        self._loading = False
        self.endResetModel()

    def append_page(self, generation: int, offset: int, rows: Sequence[HistoryRow]) -> bool:
        """Adds a page fetched for `generation`; False (and nothing changes) when the listing has moved on."""
        if generation != self._generation or offset != len(self._rows):
            return False
        self._loading = False
        fresh = [row for row in rows if row.session_id not in self._row_of]
        if not rows:
            # The store holds fewer rows than counted (deleted meanwhile): stop asking.
            self._total = len(self._rows)
        if fresh:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._rows.extend(fresh)
            for index, row in enumerate(fresh, start):
                self._row_of[row.session_id] = index
            self.endInsertRows()
        return True

    def page_failed(self, generation: int) -> None:
        """A page could not be read: allow fetchMore to try again later."""
        if generation == self._generation:
            self._loading = False

    def update_row(self, row: HistoryRow) -> bool:
        """Replaces a loaded session's row (its grade arrived); False when that session is not loaded."""
        index = self._row_of.get(row.session_id)
        if index is None:
            return False
        self._rows[index] = replace(row, origin_device=row.origin_device or self._rows[index].origin_device)
        self.dataChanged.emit(self.index(index, 0), self.index(index, len(COLUMNS) - 1))
        return True

    def remove_session(self, session_id: int) -> bool:
        index = self._row_of.get(session_id)
        if index is None:
            return False
        self.beginRemoveRows(QModelIndex(), index, index)
        del self._rows[index]
        self._total = max(0, self._total - 1)
        self._row_of = {row.session_id: i for i, row in enumerate(self._rows)}
        self.endRemoveRows()
        return True

    def theme_changed(self) -> None:
        """Light/dark switch: the marker icon is drawn again in the new accent."""
        self._device_icon = None
        if self._rows:
            self.dataChanged.emit(self.index(0, SELLER), self.index(len(self._rows) - 1, SELLER))

    def row_at(self, row: int) -> HistoryRow:
        return self._rows[row]

    def session_id_at(self, row: int) -> int:
        return self._rows[row].session_id

    def row_of(self, session_id: int) -> int | None:
        return self._row_of.get(session_id)

    # -- QAbstractTableModel ------------------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and not self._loading and len(self._rows) < self._total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if self.canFetchMore(parent):
            self._loading = True
            self.more_wanted.emit(len(self._rows))

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts[column]
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == SCORE:
                return self._color(theme.score_color(row.overall))
            if column == LEVEL:
                return self._color(theme.DIFFICULTY_COLORS.get(row.difficulty, theme.TEXT))
            if column == STATUS and row.status != Status.COMPLETED:
                return self._color(theme.WARNING if row.status == Status.INTERRUPTED else theme.DANGER)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (LENGTH, SCORE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole and column == SELLER and row.origin_device:
            if self._device_icon is None:
                self._device_icon = _device_icon()
            return self._device_icon
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip
        if role == SESSION_ID_ROLE:
            return row.session_id
        return None

    def _color(self, name: str) -> QColor:
        color = self._colors.get(name)
        if color is None:
            color = self._colors[name] = QColor(name)
        return color

"""The live transcript as chat bubbles: partial lines in grey, final lines solid, corrections applied in place.

A list model plus the shared bubble painter (desktop/ui/widgets/bubbles.py, LIVE style), so a long call costs only
the rows on screen. It follows the newest line
until the user scrolls up, then stays put and offers a "Jump to latest" button.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QGridLayout, QListView, QPushButton, QWidget

from desktop.core.clock import format_clock
from desktop.core.live_transcript import LinePartial
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.ui.widgets.bubbles import LIVE, Bubble, BubbleDelegate

EntryRole = Qt.ItemDataRole.UserRole + 1
STICK_SLACK_PX = 4


@dataclass
class Entry:
    speaker: Speaker
    text: str
    offset_ms: int = 0
    seq: int | None = None  # None while partial
    interrupted: bool = False

    @property
    def final(self) -> bool:
        return self.seq is not None


class TranscriptModel(QAbstractListModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._entries: list[Entry] = []
        self._row_of_seq: dict[int, int] = {}
        self._partial_rows: dict[Speaker, int] = {}

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        if role == EntryRole:
            return entry
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return entry.text
        return None

    def entry(self, row: int) -> Entry:
        return self._entries[row]

    def entries(self) -> list[Entry]:
        return list(self._entries)

    def set_partial(self, partial: LinePartial) -> None:
        row = self._partial_rows.get(partial.speaker)
        if row is None:
            self._append(Entry(partial.speaker, partial.text, partial.offset_ms))
            self._partial_rows[partial.speaker] = len(self._entries) - 1
        else:
            self._update(row, text=partial.text)

    def add_final(self, line: TranscriptLine) -> None:
        if line.seq in self._row_of_seq:  # already shown (a repeated event): keep the newest text
            self._update(self._row_of_seq[line.seq], text=line.text, interrupted=line.interrupted)
            return
        row = self._partial_rows.pop(line.speaker, None)
        if row is None:
            self._append(Entry(line.speaker, line.text, line.offset_ms, line.seq, line.interrupted))
            row = len(self._entries) - 1
        else:  # the partial becomes the final line where it stands
            self._update(row, text=line.text, seq=line.seq, offset_ms=line.offset_ms, interrupted=line.interrupted)
        self._row_of_seq[line.seq] = row

    def correct(self, line: TranscriptLine) -> bool:
        row = self._row_of_seq.get(line.seq)
        if row is None:
            return False
        self._update(row, text=line.text, interrupted=True)
        return True

    def _append(self, entry: Entry) -> None:
        row = len(self._entries)
        self.beginInsertRows(QModelIndex(), row, row)
        self._entries.append(entry)
        self.endInsertRows()

    def _update(self, row: int, **changes) -> None:
        entry = self._entries[row]
        for name, value in changes.items():
            setattr(entry, name, value)
        index = self.index(row)
        self.dataChanged.emit(index, index)


def caption_of(entry: Entry, name: str) -> str:
    """ "Dale · 00:12", or "Dale · speaking…" while the line is still being heard."""
    if not entry.final:
        return f"{name} \u00b7 speaking\u2026"
    return f"{name} \u00b7 {format_clock(entry.offset_ms / 1000)}" + ("  \u00b7 cut off" if entry.interrupted else "")


class TranscriptView(QWidget):
    """`add_partial`, `add_final`, `correct`; `following` is False once the user has scrolled up."""

    following_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TranscriptModel(self)
        self.names = {Speaker.TRAINEE: "You", Speaker.SELLER: "Seller", Speaker.COACH: "Coach"}
        self.delegate = BubbleDelegate(LIVE, self._bubble, self)
        self.list = QListView(objectName="transcript")
        self.list.setModel(self.model)
        self.list.setItemDelegate(self.delegate)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setUniformItemSizes(False)
        self.list.setToolTip("What was said. Grey lines are still being heard.")
        self.jump = QPushButton("Jump to latest \u2193", objectName="jumpButton")
        self.jump.setToolTip("Scroll to the newest line and keep following the conversation")
        self.jump.setCursor(Qt.CursorShape.PointingHandCursor)
        self.jump.clicked.connect(self.follow)
        self.jump.hide()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.list, 0, 0)
        grid.addWidget(self.jump, 0, 0, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter)
        self._following = True
        bar = self.list.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range)

    @property
    def following(self) -> bool:
        return self._following

    def _bubble(self, index) -> Bubble:
        entry: Entry = index.data(EntryRole)
        name = self.names.get(entry.speaker, entry.speaker.value.title())
        text = entry.text + (" \u2014" if entry.interrupted else "") if entry.text else "\u2026"
        return Bubble(entry.speaker, text, caption_of(entry, name), partial=not entry.final)

    def set_names(self, trainee: str, seller: str) -> None:
        self.names.update({Speaker.TRAINEE: trainee, Speaker.SELLER: seller})
        self.list.viewport().update()

    def clear(self) -> None:
        old, self.model = self.model, TranscriptModel(self)
        self.list.setModel(self.model)
        old.deleteLater()
        self.follow()

    def add_partial(self, partial: LinePartial) -> None:
        self.model.set_partial(partial)
        self._new_content()

    def add_final(self, line: TranscriptLine) -> None:
        self.model.add_final(line)
        self._new_content()

    def correct(self, line: TranscriptLine) -> None:
        self.model.correct(line)

    def follow(self) -> None:
        self._set_following(True)
        self.list.scrollToBottom()

    def _new_content(self) -> None:
        if not self._following:
            self.jump.show()

    def _on_scrolled(self, value: int) -> None:
        bar = self.list.verticalScrollBar()
        self._set_following(value >= bar.maximum() - STICK_SLACK_PX)

    def _on_range(self, _minimum: int, maximum: int) -> None:
        if self._following:
            self.list.verticalScrollBar().setValue(maximum)

    def _set_following(self, following: bool) -> None:
        if following == self._following:
            return
        self._following = following
        if following:
            self.jump.hide()
        self.following_changed.emit(following)

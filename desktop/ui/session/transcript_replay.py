"""The review's transcript: chat bubbles with their time in the call (the shared bubble painter, REPLAY style); the
line being played is highlighted, and clicking a line asks to jump there. A line the trainee corrected carries a
"corrected" mark whose tooltip says what was heard; the context menu offers the correction."""

from __future__ import annotations

import html
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QMenu

from desktop.core.clock import format_clock
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.ui.session.correction import ACTION_TEXT, heard_as
from desktop.ui.widgets.bubbles import REPLAY, Bubble, BubbleDelegate

LINE_ROLE = Qt.ItemDataRole.UserRole + 1
CURRENT_ROLE = Qt.ItemDataRole.UserRole + 2
HEARD_ROLE = Qt.ItemDataRole.UserRole + 3
CORRECTED_MARK = "  \u00b7 corrected \u270e"


def plain_tooltip(text: str) -> str:
    """A tooltip showing `text` literally: Qt renders a tooltip that looks like markup as rich text. Short lines stay
    on one line (Qt wraps rich tooltips early); long ones wrap."""
    wrap = "pre-wrap" if max(map(len, text.splitlines()), default=0) > 80 else "pre"
    return f"<p style='white-space:{wrap}'>" + html.escape(text).replace("\n", "<br>") + "</p>"


class TranscriptReplay(QListWidget):
    line_clicked = Signal(int)  # index of the line; ReviewScreen seeks to its offset
    correct_requested = Signal(int)  # index of the line; ReviewScreen opens the correction dialog
    current_changed = Signal(int)  # the marked line (clicked, or playing) changed; -1: none

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.seller_name = "Seller"
        self.coach_name = "Coach hint"  # a hint during a call; in a debrief the coach is the one talking: "Coach"
        self._lines: list[TranscriptLine] = []
        self._starts: list[int] = []
        self._order: list[int] = []
        self._current = -1
        self._heard: dict[int, str] = {}
        self.context_menu: QMenu | None = None
        # Why a line may not be corrected ("" when it may): set by the screen, which knows the call.
        self.why_not_correctable: Callable[[TranscriptLine], str] = lambda _line: "Nothing to correct here."
        self.delegate = BubbleDelegate(REPLAY, self._bubble, self)
        self.setItemDelegate(self.delegate)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QListWidget.Shape.NoFrame)
        self.setStyleSheet("QListWidget { border: none; padding: 0; }")
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setMouseTracking(True)
        self.setToolTip("Click a line to hear that moment")
        self.itemClicked.connect(lambda item: self.line_clicked.emit(self.row(item)))
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)

    def _bubble(self, index) -> Bubble:
        line: TranscriptLine = index.data(LINE_ROLE)
        who = {Speaker.TRAINEE: "You", Speaker.SELLER: self.seller_name, Speaker.COACH: self.coach_name}[line.speaker]
        cut = "  \u00b7 cut off" if line.interrupted else ""
        mark = CORRECTED_MARK if index.data(HEARD_ROLE) is not None else ""
        caption = f"{who}  {format_clock(line.offset_ms / 1000)}{cut}{mark}"
        return Bubble(line.speaker, line.text, caption, current=bool(index.data(CURRENT_ROLE)))

    def bubble(self, index: int) -> Bubble:
        """What the line at `index` is painted as (its caption carries the "corrected" mark)."""
        return self._bubble(self.model().index(index, 0))

    @property
    def lines(self) -> list[TranscriptLine]:
        return list(self._lines)

    @property
    def current_index(self) -> int:
        return self._current

    def heard_text(self, index: int) -> str | None:
        """What the recogniser heard on a line the trainee corrected since; None when it was never corrected."""
        return self._heard.get(self._lines[index].seq) if 0 <= index < len(self._lines) else None

    def set_lines(
        self,
        lines: Sequence[TranscriptLine],
        seller_name: str,
        coach_name: str = "Coach hint",
        heard: Mapping[int, str] | None = None,
    ) -> None:
        """Shows the lines; `heard`: what was heard on each corrected line (by seq). The current line and the
        scroll position stay when the same lines come back (a correction, a new grade)."""
        same_call = [ln.seq for ln in lines] == [ln.seq for ln in self._lines] and bool(lines)
        keep_current = self._current if same_call else -1
        keep_scroll = self.verticalScrollBar().value() if same_call else 0
        self.clear()
        self.seller_name = seller_name
        self.coach_name = coach_name
        self._heard = dict(heard or {})
        self._lines = list(lines)
        # Lines are in seq order; their offsets almost always rise with seq, but a late correction need not, so
        # the search for "the line playing at t" runs over offsets sorted once.
        self._order = sorted(range(len(self._lines)), key=lambda i: (self._lines[i].offset_ms, i))
        self._starts = [self._lines[i].offset_ms for i in self._order]
        self._current = -1
        for line in self._lines:
            item = QListWidgetItem()
            item.setData(LINE_ROLE, line)
            item.setData(CURRENT_ROLE, False)
            heard = self._heard.get(line.seq)
            item.setData(HEARD_ROLE, heard)
            jump = f"Jump to {format_clock(line.offset_ms / 1000)}"
            if heard is None:
                item.setToolTip(jump)
            else:
                item.setToolTip(plain_tooltip(f"{heard_as(heard)}\n{jump}"))
                item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, heard_as(heard))
            self.addItem(item)
        if keep_current >= 0:
            self.set_current(keep_current)
            self.verticalScrollBar().setValue(keep_scroll)

    def index_at_time(self, position_ms: int) -> int:
        """The line being spoken at position_ms: the last one started by then; -1 before the first."""
        found = bisect_right(self._starts, position_ms) - 1
        return self._order[found] if found >= 0 else -1

    def follow(self, position_ms: int) -> int:
        """Highlights the line playing at position_ms and keeps it in view; returns its index."""
        self.set_current(self.index_at_time(position_ms))
        return self._current

    def set_current(self, index: int) -> None:
        if index == self._current:
            return
        if 0 <= self._current < self.count():
            self.item(self._current).setData(CURRENT_ROLE, False)
        self._current = index
        if 0 <= index < self.count():
            item = self.item(index)
            item.setData(CURRENT_ROLE, True)
            self.scrollToItem(item, QAbstractItemView.ScrollHint.EnsureVisible)
        self.current_changed.emit(index)

    def _context_menu(self, pos: QPoint) -> None:
        item = self.itemAt(pos)
        if item is None:
            return
        index = self.row(item)
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        action = menu.addAction(ACTION_TEXT)
        action.setShortcut("F2")
        why_not = self.why_not_correctable(self._lines[index])
        action.setEnabled(not why_not)
        action.setToolTip(why_not or "Fix the words the speech recogniser misheard; the call is graded again")
        action.triggered.connect(lambda: self.correct_requested.emit(index))
        menu.popup(self.viewport().mapToGlobal(pos))
        self.context_menu = menu  # kept for tests and so it is not collected while open

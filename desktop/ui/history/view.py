"""History: every past call newest first, with filters, transcript search, streaks and XP, and a progress chart.

The view holds no data access: HistoryPresenter feeds it and listens to `filter_changed`; `open_requested` carries the
session the user double-clicked (or pressed Enter on) to the review.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.clock import to_iso
from desktop.core.difficulty import Difficulty
from desktop.core.progress import PracticeTotals, ProgressPoint, for_persona
from desktop.core.vocabulary import Status
from desktop.store.queries import SessionFilter
from desktop.ui.history.model import SELLER, SessionTableModel
from desktop.ui.history.progress_chart import SERIES, SERIES_LABELS, ProgressChart, series_color
from desktop.ui.widgets import theme
from desktop.ui.widgets.report import card, follow_theme, section_title

SEARCH_DEBOUNCE_MS = 300
PREFETCH_SCREENS = 3
DATE_PRESETS = (
    ("any", "Any time"),
    ("today", "Today"),
    ("week", "Last 7 days"),
    ("month", "Last 30 days"),
    ("year", "Last 12 months"),
    ("custom", "Between dates…"),
)
STATUS_CHOICES = (
    (Status.COMPLETED, "Completed"),
    (Status.INTERRUPTED, "Cut short"),
    (Status.FAILED, "Did not connect"),
)
MODE_CHOICES = (("voice", "Voice"), ("text", "Typed"))


def style() -> str:
    """Extra rules on top of the app's stylesheet (which already styles the table, cards and inputs)."""
    return f"""
QLabel#statValue {{ font-size: 17pt; font-weight: 600; }}
QLabel#statCaption {{ color: {theme.MUTED}; }}
QLabel#empty {{ color: {theme.MUTED}; padding: 12px; }}
"""


def series_toggle_style(name: str) -> str:
    color = series_color(name)
    return (
        f"QCheckBox {{ color: {theme.TEXT}; spacing: 6px; }}"
        f"QCheckBox::indicator {{ width: 10px; height: 10px; border: 2px solid {color}; border-radius: 4px; }}"
        f"QCheckBox::indicator:checked {{ background: {color}; }}"
    )


def date_bounds(
    preset: str, today: date, custom_from: date | None = None, custom_to: date | None = None
) -> tuple[str | None, str | None]:
    """A date preset as (started_from inclusive, started_before exclusive) in stored UTC form; days are local."""

    def local_midnight(day: date) -> str:
        return to_iso(datetime.combine(day, time()).astimezone().astimezone(timezone.utc))

    tomorrow = today + timedelta(days=1)
    if preset == "today":
        return local_midnight(today), local_midnight(tomorrow)
    if preset in ("week", "month", "year"):
        days = {"week": 7, "month": 30, "year": 365}[preset]
        return local_midnight(tomorrow - timedelta(days=days)), None
    if preset == "custom" and custom_from and custom_to:
        low, high = sorted((custom_from, custom_to))
        return local_midnight(low), local_midnight(high + timedelta(days=1))
    return None, None


class SessionTable(QTableView):
    """The history table; Enter opens the selected call as double-click does."""

    open_requested = Signal(int)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open(self.currentIndex())
            return
        super().keyPressEvent(event)

    def _open(self, index: QModelIndex) -> None:
        model = self.model()
        if isinstance(model, SessionTableModel) and index.isValid():
            self.open_requested.emit(model.session_id_at(index.row()))


class StatTile(QFrame):
    """One figure with a caption under it: calls, streak, XP..."""

    def __init__(self, caption: str, tip: str) -> None:
        super().__init__()
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        self.value = QLabel("–")
        self.value.setObjectName("statValue")
        self.caption = QLabel(caption)
        self.caption.setObjectName("statCaption")
        self.caption.setWordWrap(True)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        self.setToolTip(tip)

    def set_value(self, value: str, caption: str | None = None) -> None:
        self.value.setText(value)
        if caption is not None:
            self.caption.setText(caption)


class HistoryView(QWidget):
    filter_changed = Signal(object)  # SessionFilter
    open_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.setStyleSheet(style())
        self._points: list[ProgressPoint] = []
        self.model = SessionTableModel(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 16)

        header = QHBoxLayout()
        header.addWidget(_label("History", "title"))
        header.addStretch(1)
        self.caption = _label("Loading your calls…", "muted")
        header.addWidget(self.caption)
        outer.addLayout(header)

        tiles = QHBoxLayout()
        self.calls_tile = StatTile("calls", "Every practice call you made (graded or not)")
        self.streak_tile = StatTile(
            "day streak", "Days in a row with at least one call; today still counts until midnight"
        )
        self.xp_tile = StatTile("XP earned", "Practice points from every graded call")
        self.earnings_tile = StatTile("virtual earnings", "What the deals you closed in practice might have made")
        self.average_tile = StatTile("average of the last 10", "Mean overall score of your 10 latest graded calls")
        for tile in (self.calls_tile, self.streak_tile, self.xp_tile, self.earnings_tile, self.average_tile):
            tiles.addWidget(tile)
        outer.addLayout(tiles)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_chart_card())
        splitter.addWidget(self._build_list())
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        outer.addWidget(splitter, 1)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._emit_filter)
        follow_theme(self.restyle)
        self.model.modelReset.connect(self._update_caption)
        self.model.rowsInserted.connect(self._update_caption)
        self.model.rowsRemoved.connect(self._update_caption)

    # -- building ------------------------------------------------------------------------------------------------

    def _build_chart_card(self) -> QWidget:
        chart_card = card()
        layout = QVBoxLayout(chart_card)
        top = QHBoxLayout()
        top.addWidget(section_title("Progress"))
        top.addStretch(1)
        self.chart_persona = QComboBox()
        self.chart_persona.setToolTip("Chart one seller's calls, or all of them")
        self.chart_persona.addItem("All sellers", None)
        self.chart_persona.currentIndexChanged.connect(self._update_chart)
        top.addWidget(self.chart_persona)
        layout.addLayout(top)
        toggles = QHBoxLayout()
        self.series_boxes: dict[str, QCheckBox] = {}
        for name in SERIES:
            box = QCheckBox(SERIES_LABELS[name])
            box.setChecked(True)
            box.setToolTip(f"Show or hide {SERIES_LABELS[name].lower()} on the chart")
            box.setStyleSheet(series_toggle_style(name))
            box.toggled.connect(lambda on, n=name: self.chart.set_series_visible(n, on))
            self.series_boxes[name] = box
            toggles.addWidget(box)
        toggles.addStretch(1)
        layout.addLayout(toggles)
        self.chart = ProgressChart()
        layout.addWidget(self.chart, 1)
        return chart_card

    def _build_list(self) -> QWidget:
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 8, 0, 0)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search what was said in your calls")
        self.search.setToolTip("Finds calls whose transcript contains every word you type")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        bar.addWidget(self.search, 2)
        self.persona_filter = self._combo("All sellers", (), "Only calls with this seller")
        self.difficulty_filter = self._combo(
            "All levels", [(d.value, d.value.title()) for d in Difficulty], "Only calls at this level"
        )
        self.mode_filter = self._combo("Voice and typed", MODE_CHOICES, "Only voice calls or only typed ones")
        self.status_filter = self._combo("Any outcome", STATUS_CHOICES, "Only calls that ended this way")
        self.date_filter = self._combo(None, DATE_PRESETS, "Only calls in this period")
        for combo in (self.persona_filter, self.difficulty_filter, self.mode_filter, self.status_filter):
            bar.addWidget(combo)
        bar.addWidget(self.date_filter)
        self.date_from = self._date_edit("From this day")
        self.date_to = self._date_edit("To this day (included)")
        bar.addWidget(self.date_from)
        bar.addWidget(self.date_to)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Show every call again")
        self.clear_button.clicked.connect(self.clear_filters)
        bar.addWidget(self.clear_button)
        layout.addLayout(bar)

        self.table = SessionTable()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setToolTip("Double-click a call, or select it and press Enter, to review it")
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        # Fixed row heights: the view never measures rows, which keeps scrolling cheap however many are loaded.
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(round(self.fontMetrics().height() * 2.1))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        char = self.fontMetrics().horizontalAdvance("0")
        for column, chars in enumerate((20, 22, 11, 8, 8, 15, 9)):
            header.resizeSection(column, char * chars)
        header.setSectionResizeMode(SELLER, QHeaderView.ResizeMode.Stretch)
        self.table.verticalScrollBar().valueChanged.connect(self._prefetch)
        self.model.rowsInserted.connect(self._prefetch)
        self.table.doubleClicked.connect(self.table._open)
        self.table.open_requested.connect(self.open_requested)
        layout.addWidget(self.table, 1)
        self.empty = _label("", "empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        layout.addWidget(self.empty)
        return holder

    def _combo(self, everything: str | None, choices: Sequence[tuple[str, str]], tip: str) -> QComboBox:
        combo = QComboBox()
        combo.setToolTip(tip)
        if everything is not None:
            combo.addItem(everything, None)
        for value, label in choices:
            combo.addItem(label, value)
        combo.currentIndexChanged.connect(self._filters_edited)
        return combo

    def _date_edit(self, tip: str) -> QDateEdit:
        edit = QDateEdit(QDate.currentDate())
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd MMM yyyy")
        edit.setToolTip(tip)
        edit.hide()
        edit.dateChanged.connect(self._filters_edited)
        return edit

    # -- what the presenter calls --------------------------------------------------------------------------------

    def set_personas(self, personas: Sequence[tuple[str, str]]) -> None:
        """(id, name) of every seller to offer in the filters, keeping what is selected."""
        for combo, everything in ((self.persona_filter, "All sellers"), (self.chart_persona, "All sellers")):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, None)
            for persona_id, name in personas:
                combo.addItem(name, persona_id)
            combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen else 0)
            combo.blockSignals(False)
        self._update_chart()

    def show_progress(self, points: Sequence[ProgressPoint], totals: PracticeTotals) -> None:
        self._points = list(points)
        self._update_chart()
        self.calls_tile.set_value(f"{totals.calls:,}", f"calls · {totals.graded_calls:,} graded")
        streak_caption = f"day streak · best {totals.best_streak_days}"
        if totals.current_streak_days and not totals.practised_today:
            streak_caption = f"day streak: call today to keep it · best {totals.best_streak_days}"
        elif not totals.current_streak_days:
            streak_caption = f"day streak: call today to start one · best {totals.best_streak_days}"
        self.streak_tile.set_value(str(totals.current_streak_days), streak_caption)
        self.xp_tile.set_value(f"{totals.xp:,}")
        self.earnings_tile.set_value(f"${totals.earnings:,}")
        recent = [point.overall for point in self._points[-10:]]
        self.average_tile.set_value(str(round(sum(recent) / len(recent))) if recent else "–")

    def show_error(self, message: str) -> None:
        self.caption.setText(message)
        self.caption.setStyleSheet(f"color: {theme.DANGER};")

    def current_filter(self) -> SessionFilter:
        started_from, started_before = date_bounds(
            self.date_filter.currentData(),
            date.today(),
            self.date_from.date().toPython(),
            self.date_to.date().toPython(),
        )
        return SessionFilter(
            persona_id=self.persona_filter.currentData(),
            difficulty=self.difficulty_filter.currentData(),
            mode=self.mode_filter.currentData(),
            status=self.status_filter.currentData(),
            kind="roleplay",
            started_from=started_from,
            started_before=started_before,
            search=self.search.text().strip() or None,
        )

    def clear_filters(self) -> None:
        widgets = (self.search, self.persona_filter, self.difficulty_filter, self.mode_filter, self.status_filter)
        for widget in (*widgets, self.date_filter):
            widget.blockSignals(True)
        self.search.clear()
        for combo in (*widgets[1:], self.date_filter):
            combo.setCurrentIndex(0)
        for widget in (*widgets, self.date_filter):
            widget.blockSignals(False)
        self._filters_edited()

    def restyle(self, *_palette) -> None:
        """Light/dark switch: rebuild the colours baked into stylesheets; painted parts read the theme anyway."""
        self.setStyleSheet(style())
        for name, box in self.series_boxes.items():
            box.setStyleSheet(series_toggle_style(name))
        self.model.theme_changed()
        self.table.viewport().update()
        self.chart.update()

    # -- internals -----------------------------------------------------------------------------------------------

    def _filters_edited(self, *_args) -> None:
        custom = self.date_filter.currentData() == "custom"
        self.date_from.setVisible(custom)
        self.date_to.setVisible(custom)
        self._search_timer.stop()
        self._emit_filter()

    def _emit_filter(self) -> None:
        self.filter_changed.emit(self.current_filter())

    def _prefetch(self, *_args) -> None:
        """Asks for the next page while a few screens of rows are still left, so scrolling rarely reaches an end
        that must wait for the store (the view itself would only ask at the very bottom)."""
        bar = self.table.verticalScrollBar()
        if bar.maximum() - bar.value() <= bar.pageStep() * PREFETCH_SCREENS and self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())

    def _update_chart(self, *_args) -> None:
        self.chart.set_points(for_persona(self._points, self.chart_persona.currentData()))

    def _update_caption(self, *_args) -> None:
        shown, total = self.model.rowCount(), self.model.total
        self.caption.setStyleSheet("")
        filtered = self.current_filter() != SessionFilter(kind="roleplay")
        if total == 0:
            self.caption.setText("No calls to show")
            self.empty.setText(
                "No calls match these filters. Clear them to see every call."
                if filtered
                else "No calls yet. Call a seller from Contacts; your graded calls appear here."
            )
            self.empty.show()
            return
        self.empty.hide()
        noun = "call" if total == 1 else "calls"
        self.caption.setText(f"{total:,} {noun}" + (f" · {shown:,} loaded" if shown < total else ""))


def _label(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    return label

"""The settings page's per-persona card: a table of the contacts where a seller can be given an ElevenLabs agent and a
voice of its own. Empty cells mean the default agent (the card above) and the persona's usual voice."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
)

from desktop.core.persona_agents import ID_RULE, valid_id
from desktop.ui.settings.fields import FormCard
from desktop.ui.widgets import theme
from desktop.ui.widgets.controls import FieldError

PERSONA, AGENT, VOICE = range(3)
ID_KEYS = {AGENT: "agent_id", VOICE: "voice_id"}
VISIBLE_ROWS = 6  # the table scrolls beyond this, so the page stays short with many contacts


Index = QModelIndex | QPersistentModelIndex


class DefaultHint(QStyledItemDelegate):
    """Shows, in muted text, what an empty cell means, so the cells read as fields to fill in."""

    HINTS = {AGENT: "default agent", VOICE: "usual voice"}

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        super().paint(painter, option, index)
        hint = self.HINTS.get(index.column())
        if hint and not str(index.data() or "").strip():
            painter.save()
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(option.rect.adjusted(6, 0, -6, 0), Qt.AlignmentFlag.AlignVCenter, hint)
            painter.restore()


class PersonaAgentsCard(FormCard):
    changed = Signal()

    def __init__(self) -> None:
        super().__init__(
            "Sellers with their own agent",
            "Give a seller an ElevenLabs agent or voice of its own. Leave a cell empty to use the agent above and "
            "the seller's usual voice. The built-in partner ignores these.",
        )
        self.table = QTableWidget(0, 3, objectName="personaAgents")
        self.table.setHorizontalHeaderLabels(["Seller", "Agent id", "Voice id"])
        self.table.setAccessibleName("Agent and voice for each seller")
        self.table.setToolTip("Double-click a cell, or select it and start typing, to set an id")
        self.table.verticalHeader().hide()
        self.table.setItemDelegate(DefaultHint(self.table))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(PERSONA, QHeaderView.ResizeMode.Stretch)
        for column in (AGENT, VOICE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._cell_changed)
        self.add_wide(self.table)
        self.error = FieldError()
        self.add_wide(self.error)
        self._hidden: dict[str, dict[str, str]] = {}  # entries of personas not in the list (deleted ones): kept
        self._filling = False

    def show_personas(self, personas: list[tuple[str, str]], persona_agents: dict[str, dict[str, str]]) -> None:
        """personas: (id, name) in contact order; persona_agents: the saved ids."""
        self._filling = True
        self.table.setRowCount(len(personas))
        for row, (persona_id, name) in enumerate(personas):
            seller = QTableWidgetItem(name)
            seller.setData(Qt.ItemDataRole.UserRole, persona_id)
            seller.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            self.table.setItem(row, PERSONA, seller)
            entry = persona_agents.get(persona_id, {})
            for column, key in ID_KEYS.items():
                self.table.setItem(row, column, QTableWidgetItem(entry.get(key, "")))
                self._mark(row, column)
        listed = {persona_id for persona_id, _ in personas}
        self._hidden = {pid: dict(ids) for pid, ids in persona_agents.items() if pid not in listed}
        self._filling = False
        rows = min(max(len(personas), 1), VISIBLE_ROWS)
        height = (
            self.table.horizontalHeader().sizeHint().height() + rows * self.table.verticalHeader().defaultSectionSize()
        )
        self.table.setFixedHeight(height + 2 * self.table.frameWidth())
        self.error.show_message(None)

    def values(self) -> dict[str, dict[str, str]]:
        """What the table says, as settings.persona_agents (empty entries left out)."""
        values = {pid: dict(ids) for pid, ids in self._hidden.items()}
        for row in range(self.table.rowCount()):
            persona_id = self.table.item(row, PERSONA).data(Qt.ItemDataRole.UserRole)
            ids = {key: self._text(row, column) for column, key in ID_KEYS.items() if self._text(row, column)}
            if ids:
                values[persona_id] = ids
        return values

    def bad_cells(self) -> list[tuple[int, int]]:
        return [
            (row, column)
            for row in range(self.table.rowCount())
            for column in ID_KEYS
            if not valid_id(self._text(row, column))
        ]

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""

    def _cell_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() not in ID_KEYS:
            return
        self._mark(item.row(), item.column())
        if not self.bad_cells():
            self.error.show_message(None)
        self.changed.emit()

    def _mark(self, row: int, column: int) -> None:
        """A cell that cannot be an id turns red as soon as it is typed, with the rule in its tooltip."""
        item = self.table.item(row, column)
        if item is None:
            return
        bad = not valid_id(item.text().strip())
        item.setForeground(QBrush(QColor(theme.DANGER)) if bad else self.table.palette().text())
        item.setToolTip(f"An id has {ID_RULE}." if bad else "")

"""The list of sellers: one row per persona with avatar, name, property, place and best score; search and filters."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktop.core.personas import Persona, normalize_phone
from desktop.ui.widgets import theme
from desktop.ui.widgets.controls import paint_avatar
from desktop.ui.widgets.plain_text import tooltip

PERSONA_ROLE = Qt.ItemDataRole.UserRole + 1
BEST_ROLE = Qt.ItemDataRole.UserRole + 2
ASSIGNED_ROLE = Qt.ItemDataRole.UserRole + 3  # "Assigned: due Fri" when the coach assigned a call with this seller
ID_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class ContactFilter:
    """What the list shows: words to find, and optional motivation, style and source (builtin/user/team)."""

    text: str = ""
    motivation: str = ""
    style: str = ""
    source: str = ""

    @property
    def active_count(self) -> int:
        return sum(bool(value) for value in (self.motivation, self.style, self.source))

    def matches(self, persona: Persona) -> bool:
        if self.motivation and persona.motivation_level != self.motivation:
            return False
        if self.style and persona.conversation_style != self.style:
            return False
        if self.source and persona.source != self.source:
            return False
        words = self.text.lower().split()
        if not words:
            return True
        haystack = " ".join(
            (persona.name, persona.property_type, persona.location, persona.motivation_level,
             persona.conversation_style, persona.phone, normalize_phone(persona.phone))
        ).lower()  # fmt: skip
        return all(word in haystack for word in words)


class ContactDelegate(QStyledItemDelegate):
    """Paints a contact row like a phone's contact list; sizes come from the font, so 200 % scaling just works."""

    def _metrics(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, int, int]:
        name_font = QFont(option.font)
        name_font.setBold(True)
        detail_font = QFont(option.font)
        detail_font.setPointSizeF(max(6.0, option.font.pointSizeF() * 0.92))
        line = QFontMetrics(name_font).height()
        return name_font, detail_font, line, int(line * 2.6)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        _name, _detail, line, avatar = self._metrics(option)
        return QSize(200, max(avatar, line * 2) + line)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        persona: Persona | None = index.data(PERSONA_ROLE)
        if persona is None:
            return
        best: int | None = index.data(BEST_ROLE)
        name_font, detail_font, line, avatar = self._metrics(option)
        rect = QRect(option.rect).adjusted(2, 1, -2, -1)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        if selected or hovered:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(theme.ACCENT_SOFT if selected else theme.SURFACE_ALT))
            painter.drawRoundedRect(QRectF(rect), 8, 8)
        pad = line // 2
        avatar_rect = QRectF(rect.left() + pad, rect.center().y() - avatar / 2 + 1, avatar, avatar)
        paint_avatar(painter, avatar_rect, persona.name, persona.avatar_color)

        left = int(avatar_rect.right()) + pad
        right = rect.right() - pad
        if best is not None:
            badge = f"{best}"
            badge_font = QFont(name_font)
            painter.setFont(badge_font)
            width = QFontMetrics(badge_font).horizontalAdvance(badge) + line
            badge_rect = QRectF(right - width, rect.center().y() - line * 0.65, width, line * 1.3)
            color = QColor(theme.score_color(best))
            fill = QColor(color)
            fill.setAlpha(40)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(badge_rect, badge_rect.height() / 2, badge_rect.height() / 2)
            painter.setPen(color)
            painter.drawText(badge_rect, Qt.AlignmentFlag.AlignCenter, badge)
            right = int(badge_rect.left()) - pad
        text_width = max(10, right - left)
        top = rect.center().y() - line
        name_width = text_width
        assigned: str | None = index.data(ASSIGNED_ROLE)
        if assigned:
            name_width = self._paint_assigned(painter, assigned, detail_font, QRect(left, top, text_width, line))
        painter.setFont(name_font)
        painter.setPen(QColor(theme.TEXT))
        name = persona.name + ("  ·  yours" if persona.source == "user" else "")
        painter.drawText(
            QRect(left, top, name_width, line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(name_font).elidedText(name, Qt.TextElideMode.ElideRight, name_width),
        )
        painter.setFont(detail_font)
        painter.setPen(QColor(theme.MUTED))
        detail = f"{persona.property_type} · {persona.location}"
        painter.drawText(
            QRect(left, top + line, text_width, line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(detail_font).elidedText(detail, Qt.TextElideMode.ElideRight, text_width),
        )
        painter.restore()

    @staticmethod
    def _paint_assigned(painter: QPainter, text: str, font: QFont, line: QRect) -> int:
        """The assignment chip at the right end of the name line; returns the width left for the name."""
        metrics = QFontMetrics(font)
        height = metrics.height() + 2
        width = min(metrics.horizontalAdvance(text) + height, max(0, line.width() * 2 // 3))
        chip = QRectF(line.right() - width, line.center().y() - height / 2 + 1, width, height)
        fill = QColor(theme.ACCENT)
        fill.setAlpha(36)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(chip, height / 2, height / 2)
        painter.setFont(font)
        painter.setPen(QColor(theme.ACCENT))
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(width - height / 2))
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, shown)
        return max(10, int(chip.left()) - line.left() - metrics.height() // 2)


class ContactList(QListWidget):
    """Sellers, filtered in place. `activated_persona` is a double-click or Enter (the page places the call)."""

    activated_persona = Signal(str)
    selected_persona = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(ContactDelegate(self))
        self.setMouseTracking(True)
        self.setUniformItemSizes(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAccessibleName("Sellers")
        self.setToolTip("Sellers you can call: double-click or press Enter to call")
        self.filter = ContactFilter()
        # Not itemActivated: with a "single click opens" desktop setting (KDE) a click would place a call.
        self.itemDoubleClicked.connect(lambda item: self.activated_persona.emit(item.data(ID_ROLE)))
        self.currentItemChanged.connect(self._on_current)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        persona_id = self.current_persona_id()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and persona_id and not event.modifiers():
            self.activated_persona.emit(persona_id)
            return
        super().keyPressEvent(event)

    def set_personas(
        self, personas: list[Persona], best_scores: dict[str, int], assigned: dict[str, str] | None = None
    ) -> None:
        """`assigned`: a few words ("Assigned: due Fri") for each seller the coach assigned a call with."""
        assigned = assigned or {}
        keep = self.current_persona_id()
        self.blockSignals(True)
        self.clear()
        for persona in personas:
            item = QListWidgetItem()
            item.setData(ID_ROLE, persona.id)
            item.setData(PERSONA_ROLE, persona)
            item.setData(BEST_ROLE, best_scores.get(persona.id))
            item.setData(ASSIGNED_ROLE, assigned.get(persona.id))
            best = best_scores.get(persona.id)
            item.setToolTip(
                tooltip(
                    f"{persona.name}, {persona.phone or 'no number'}\n{persona.property_type}, {persona.location}"
                    + (f"\nYour best score: {best}" if best is not None else "\nNot called yet")
                    + (f"\n{assigned[persona.id]} (your coach)" if persona.id in assigned else "")
                )
            )
            spoken = f"{persona.name}, {persona.location}" + (
                f", {assigned[persona.id]}" if persona.id in assigned else ""
            )
            item.setData(Qt.ItemDataRole.AccessibleTextRole, spoken)
            self.addItem(item)
        self.blockSignals(False)
        self.apply_filter(self.filter)
        if keep and self.select_persona(keep):
            return
        self._select_first_visible()

    def apply_filter(self, contact_filter: ContactFilter) -> int:
        """Hides rows that do not match; returns how many are visible."""
        self.filter = contact_filter
        visible = 0
        for row in range(self.count()):
            item = self.item(row)
            shown = contact_filter.matches(item.data(PERSONA_ROLE))
            item.setHidden(not shown)
            visible += shown
        current = self.currentItem()
        if current is None or current.isHidden():
            self._select_first_visible()
        return visible

    def visible_ids(self) -> list[str]:
        return [self.item(r).data(ID_ROLE) for r in range(self.count()) if not self.item(r).isHidden()]

    def current_persona_id(self) -> str | None:
        item = self.currentItem()
        return None if item is None or item.isHidden() else item.data(ID_ROLE)

    def persona(self, persona_id: str) -> Persona | None:
        for row in range(self.count()):
            if self.item(row).data(ID_ROLE) == persona_id:
                return self.item(row).data(PERSONA_ROLE)
        return None

    def select_persona(self, persona_id: str) -> bool:
        for row in range(self.count()):
            item = self.item(row)
            if item.data(ID_ROLE) == persona_id and not item.isHidden():
                self.setCurrentItem(item)
                self.scrollToItem(item)
                return True
        return False

    def _select_first_visible(self) -> None:
        for row in range(self.count()):
            if not self.item(row).isHidden():
                self.setCurrentRow(row)
                return
        self.setCurrentRow(-1)
        self.selected_persona.emit("")

    def _on_current(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        self.selected_persona.emit("" if current is None or current.isHidden() else current.data(ID_ROLE))

"""The main window for now: the sellers you can call, and your past calls. The full dialer comes later."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.clock import parse_iso
from desktop.core.personas import Persona
from desktop.store.queries import SessionSummary
from desktop.ui import theme


@dataclass(frozen=True)
class HomeData:
    personas: list[Persona]
    best_scores: dict[str, int]
    sessions: list[SessionSummary]
    total_sessions: int
    recovered_sessions: list[int]


def local_time(iso: str) -> str:
    """A stored UTC timestamp as the user's wall-clock time."""
    return parse_iso(iso).astimezone().strftime("%d %b %Y  %H:%M")


def avatar_icon(name: str, color: str, size: int = 40) -> QIcon:
    """A round avatar with the persona's initials."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(color))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(0, 0, size, size)
    painter.setPen(QColor("white"))
    font = QFont()
    font.setPixelSize(size * 2 // 5)
    font.setBold(True)
    painter.setFont(font)
    initials = "".join(part[0] for part in name.split()[:2]).upper()
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, initials)
    painter.end()
    return QIcon(pixmap)


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Roleplay Trainer")
        self.resize(1100, 700)
        page = QWidget(objectName="page")
        self.setCentralWidget(page)
        layout = QHBoxLayout(page)
        layout.setContentsMargins(20, 20, 20, 20)
        layout.setSpacing(20)

        contacts = QVBoxLayout()
        contacts.addWidget(QLabel("Sellers", objectName="title"))
        contacts.addWidget(QLabel("Pick someone to practise on.", objectName="muted"))
        self.search = QLineEdit(placeholderText="Search name, property or place")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter_contacts)
        contacts.addWidget(self.search)
        self.contact_list = QListWidget()
        self.contact_list.setIconSize(QSize(40, 40))
        self.contact_list.setSpacing(2)
        contacts.addWidget(self.contact_list, 1)
        layout.addLayout(contacts, 2)

        history = QVBoxLayout()
        history.addWidget(QLabel("Your calls", objectName="title"))
        self.history_caption = QLabel("Loading your history...", objectName="muted")
        history.addWidget(self.history_caption)
        self.session_table = QTableWidget(0, 6)
        self.session_table.setHorizontalHeaderLabels(["Date", "Seller", "Level", "Length", "Status", "Score"])
        self.session_table.verticalHeader().setVisible(False)
        self.session_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.session_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.session_table.setAlternatingRowColors(True)
        self.session_table.setShowGrid(False)
        header = self.session_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        history.addWidget(self.session_table, 1)
        layout.addLayout(history, 3)
        self.statusBar().showMessage("Opening your data...")

    def show_data(self, data: HomeData) -> None:
        self.contact_list.clear()
        for persona in data.personas:
            best = data.best_scores.get(persona.id)
            best_text = f"   best {best}" if best is not None else ""
            text = (
                f"{persona.name}{best_text}\n{persona.property_type} · {persona.location}\n"
                f"{persona.motivation_level} motivation · {persona.conversation_style}"
            )
            item = QListWidgetItem(avatar_icon(persona.name, persona.avatar_color), text)
            item.setData(Qt.ItemDataRole.UserRole, persona.id)
            item.setSizeHint(QSize(0, 64))
            self.contact_list.addItem(item)
        self._filter_contacts(self.search.text())
        self._show_sessions(data)
        message = f"{len(data.personas)} sellers · {data.total_sessions} calls stored on this computer"
        if data.recovered_sessions:
            count = len(data.recovered_sessions)
            message += f" · {count} call{'s' if count > 1 else ''} cut short last time recovered"
        self.statusBar().showMessage(message)

    def show_error(self, message: str) -> None:
        self.history_caption.setText(message)
        self.history_caption.setStyleSheet(f"color: {theme.DANGER};")
        self.statusBar().showMessage("Your data could not be opened.")

    def _show_sessions(self, data: HomeData) -> None:
        table = self.session_table
        table.setRowCount(len(data.sessions))
        for row, s in enumerate(data.sessions):
            minutes, seconds = divmod(int(s.duration_seconds or 0), 60)
            score = "grading..." if s.overall is None and s.needs_grading else (s.overall or "-")
            values = [local_time(s.started_at), s.persona_name, s.difficulty, f"{minutes}:{seconds:02d}"]
            values += [s.status, str(score)]
            for col, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                if col == 5:
                    item.setForeground(QColor(theme.score_color(s.overall)))
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                table.setItem(row, col, item)
        if data.total_sessions:
            shown = len(data.sessions)
            self.history_caption.setText(f"The newest {shown} of {data.total_sessions} calls.")
        else:
            self.history_caption.setText("No calls yet. Your practice calls will appear here, graded.")

    def _filter_contacts(self, text: str) -> None:
        needle = text.strip().lower()
        for index in range(self.contact_list.count()):
            item = self.contact_list.item(index)
            item.setHidden(bool(needle) and needle not in item.text().lower())

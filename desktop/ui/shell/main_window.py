"""The app's window: a navigation rail on the left, the pages in a stack, a banner for problems and a sync indicator.

The shell knows nothing about what the pages show. The lead adds them with `add_page`; pages built by other helpers
(call, feedback, review) are added the same way and simply have no button on the rail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QColor, QGuiApplication, QKeySequence, QPainter, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop import settings as app_settings
from desktop.ui.shell.help_menu import SHEET_KEYS, HelpButton
from desktop.ui.widgets import icons, theme
from desktop.ui.widgets.controls import Banner

log = logging.getLogger(__name__)

# key, label, icon, shortcut: the pages a trainee moves between; others (call, feedback, review) are opened by flow.
RAIL = (
    ("contacts", "Contacts", "person", "Ctrl+1"),
    ("dialer", "Dial pad", "dialpad", "Ctrl+2"),
    ("history", "History", "history", "Ctrl+3"),
    ("settings", "Settings", "settings", "Ctrl+,"),
)
SYNC_KINDS = ("ok", "pending", "busy", "offline", "error", "off")
DEFAULT_SIZE = QSize(1120, 740)
MINIMUM_SIZE = QSize(760, 540)


def window_settings() -> QSettings:
    """Window layout lives beside the user's data (not in the registry/~/.config), so ROLEPLAY_HOME keeps profiles
    and tests apart."""
    return QSettings(str(app_settings.data_dir() / "window.ini"), QSettings.Format.IniFormat)


class StatusDot(QWidget):
    """A small filled circle in the sync state's colour."""

    def __init__(self) -> None:
        super().__init__()
        self.kind = "off"
        self.setFixedSize(10, 10)

    @Slot(str)
    def repaint_for_theme(self, _name: str) -> None:
        self.update()

    def set_kind(self, kind: str) -> None:
        self.kind = kind
        self.update()

    def color(self) -> str:
        return {
            "ok": theme.SUCCESS,
            "pending": theme.WARNING,
            "busy": theme.ACCENT,
            "offline": theme.MUTED,
            "error": theme.DANGER,
        }.get(self.kind, theme.BORDER)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(self.color()))
        painter.drawEllipse(self.rect().adjusted(1, 1, -1, -1))


class MainWindow(QMainWindow):
    page_changed = Signal(str)
    # Emitted when closing hid the window instead of quitting; True the first time (the tray then explains it).
    hidden_to_tray = Signal(bool)

    def __init__(self, layout_settings: QSettings | None = None) -> None:
        super().__init__()
        self.setWindowTitle(app_settings.APP_NAME)
        self.setWindowIcon(icons.app_icon())
        self.setMinimumSize(MINIMUM_SIZE)
        self._layout = layout_settings if layout_settings is not None else window_settings()
        self._pages: dict[str, QWidget] = {}
        self._close_to_tray = False
        self._quitting = False
        self._close_guard: Callable[[], bool] | None = None
        self._past_guard = False

        root = QWidget(objectName="page")
        self.setCentralWidget(root)
        row = QHBoxLayout(root)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self._build_rail())

        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.banner = Banner()
        self.banner.hide()
        banner_box = QHBoxLayout()
        banner_box.setContentsMargins(16, 12, 16, 0)
        banner_box.addWidget(self.banner)
        column.addLayout(banner_box)
        self.stack = QStackedWidget(objectName="pages")
        self.stack.currentChanged.connect(self._on_current_changed)
        column.addWidget(self.stack, 1)
        row.addLayout(column, 1)

        self.sync_dot = StatusDot()
        self.sync_label = QLabel("", objectName="syncStatus")
        sync_box = QWidget()
        sync_row = QHBoxLayout(sync_box)
        sync_row.setContentsMargins(0, 0, 8, 0)
        sync_row.setSpacing(6)
        sync_row.addWidget(self.sync_dot)
        sync_row.addWidget(self.sync_label)
        sync_box.setToolTip("Sync with your team's backend")
        self.statusBar().addPermanentWidget(sync_box)
        self.set_sync_status("", "off")
        theme.notifier().changed.connect(self.sync_dot.repaint_for_theme)
        self._restore_geometry()

    # --- the rail ----------------------------------------------------------------------------------------------------

    def _build_rail(self) -> QWidget:
        rail = QWidget(objectName="navRail")
        rail.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        rail.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(rail)
        layout.setContentsMargins(8, 12, 8, 12)
        layout.setSpacing(6)
        self.rail_group = QButtonGroup(self)
        self.rail_group.setExclusive(True)
        self.rail_buttons: dict[str, QToolButton] = {}
        for key, label, icon_name, shortcut in RAIL:
            button = QToolButton(objectName="navButton", text=label, checkable=True)
            button.setIcon(icons.icon(icon_name))
            button.setIconSize(QSize(24, 24))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setToolTip(f"{label} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})")
            button.setAccessibleName(label)
            button.clicked.connect(lambda _checked=False, k=key: self.show_page(k))
            button.hide()  # shown once its page is added
            QShortcut(QKeySequence(shortcut), self, activated=lambda k=key: self._shortcut(k))
            self.rail_group.addButton(button)
            self.rail_buttons[key] = button
            layout.addWidget(button)
        layout.addStretch(1)
        self.help_button = HelpButton(rail)  # at the foot of the rail: the log folder, About
        layout.addWidget(self.help_button)
        for keys in SHEET_KEYS:
            QShortcut(QKeySequence(keys), self, activated=self.help_button.show_shortcuts)
        return rail

    def _shortcut(self, key: str) -> None:
        if key in self._pages:
            self.show_page(key)

    # --- pages -------------------------------------------------------------------------------------------------------

    def add_page(self, key: str, widget: QWidget) -> None:
        """Adds (or replaces) the page called `key`. Rail keys (contacts, dialer, history, settings) get their
        button; a page with `restore_layout(QSettings)` / `save_layout(QSettings)` gets its layout remembered."""
        old = self._pages.pop(key, None)
        if old is not None:
            self.stack.removeWidget(old)
            old.deleteLater()
        self._pages[key] = widget
        widget.setProperty("pageKey", key)
        self.stack.addWidget(widget)
        if key in self.rail_buttons:
            self.rail_buttons[key].show()
        if hasattr(widget, "restore_layout"):
            self._layout.beginGroup(f"pages/{key}")
            try:
                widget.restore_layout(self._layout)
            finally:
                self._layout.endGroup()
        if self.stack.count() == 1:
            self._on_current_changed(self.stack.currentIndex())

    def show_page(self, key: str) -> QWidget:
        widget = self._pages.get(key)
        if widget is None:
            raise KeyError(f"no page called {key!r}; add it with add_page first")
        self.stack.setCurrentWidget(widget)
        return widget

    def page(self, key: str) -> QWidget | None:
        return self._pages.get(key)

    def current_page_key(self) -> str | None:
        widget = self.stack.currentWidget()
        return None if widget is None else widget.property("pageKey")

    def restore_last_page(self, default: str = "contacts") -> None:
        """Opens the rail page the user was on last time (call and feedback pages are never reopened)."""
        last = self._layout.value("window/page", default)
        key = last if last in self.rail_buttons and last in self._pages else default
        if key in self._pages:
            self.show_page(key)

    def _on_current_changed(self, _index: int) -> None:
        key = self.current_page_key()
        if key is None:
            return
        button = self.rail_buttons.get(key)
        if button is not None:
            button.setChecked(True)
        else:  # a flow page (a call, its feedback): no rail button stays lit
            self.rail_group.setExclusive(False)
            for rail_button in self.rail_buttons.values():
                rail_button.setChecked(False)
            self.rail_group.setExclusive(True)
        self.page_changed.emit(key)

    # --- status ------------------------------------------------------------------------------------------------------

    def set_sync_status(self, text: str, kind: str = "ok") -> None:
        """`kind` is ok, pending, busy, offline, error or off (no backend configured: the indicator hides)."""
        if kind not in SYNC_KINDS:
            raise ValueError(f"unknown sync status kind {kind!r}; use one of {', '.join(SYNC_KINDS)}")
        self.sync_dot.set_kind(kind)
        self.sync_label.setText(text)
        self.sync_dot.parentWidget().setVisible(kind != "off")

    def show_banner(self, text: str, kind: str = "info") -> None:
        """A message across the top of every page: kind info, warning or error."""
        self.banner.set_message(text, kind)
        self.banner.show()

    def clear_banner(self) -> None:
        self.banner.hide()
        self.banner.set_message("")

    # --- closing, tray, remembered layout ----------------------------------------------------------------------------

    def set_close_to_tray(self, enabled: bool) -> None:
        """When on, closing the window hides it (the app lives on in the tray). Only turn it on with a tray."""
        self._close_to_tray = enabled

    def set_close_guard(self, guard: Callable[[], bool] | None) -> None:
        """`guard()` is asked before the window closes or hides to the tray; False keeps it open. A guard that asks
        the user something answers False at once and, if the answer allows it, closes with `close_past_guard`."""
        self._close_guard = guard

    def close_past_guard(self) -> None:
        """Closes (or hides to the tray) without asking the guard again: it has had its answer."""
        self._past_guard = True
        try:
            self.close()
        finally:
            self._past_guard = False

    def quit_for_real(self) -> None:
        """Lets the next close really close (the tray's Quit)."""
        self._quitting = True

    def bring_to_front(self) -> None:
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.save_layout()
        guarded = self._close_guard is not None and not (self._quitting or self._past_guard)
        if guarded and not self._close_guard():
            event.ignore()
            return
        if self._close_to_tray and not self._quitting:
            event.ignore()
            self.hide()
            first_time = not self._layout.value("tray/close_note_shown", False, type=bool)
            if first_time:
                self._layout.setValue("tray/close_note_shown", True)
                self._layout.sync()
            self.hidden_to_tray.emit(first_time)
            return
        event.accept()

    def save_layout(self) -> None:
        self._layout.setValue("window/geometry", self.saveGeometry())
        key = self.current_page_key()
        if key in self.rail_buttons:
            self._layout.setValue("window/page", key)
        for page_key, widget in self._pages.items():
            if hasattr(widget, "save_layout"):
                self._layout.beginGroup(f"pages/{page_key}")
                try:
                    widget.save_layout(self._layout)
                finally:
                    self._layout.endGroup()
        self._layout.sync()

    def _restore_geometry(self) -> None:
        geometry = self._layout.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty() and self.restoreGeometry(geometry):
            return
        size = QSize(DEFAULT_SIZE)
        screen = QGuiApplication.primaryScreen()
        if screen is not None:  # a first start on a small or scaled screen: fit inside it
            available = screen.availableGeometry().size()
            size = size.boundedTo(QSize(int(available.width() * 0.9), int(available.height() * 0.9)))
        self.resize(size.expandedTo(MINIMUM_SIZE))

"""The window shell, rendered for real (offscreen): the rail and its pages, the remembered layout, closing to the tray,
the sync indicator and banner, the theme and the icons."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from desktop.bootstrap import open_app_state
from desktop.ui.shell.main_window import RAIL, MainWindow
from desktop.ui.widgets import icons, theme
from desktop.ui.widgets.tasks import run_in_background
from tests.ui.shell.shell_screens import themed


@pytest.fixture
def layout_file(tmp_path: Path) -> Path:
    return tmp_path / "window.ini"


def make_window(qtbot, layout_file: Path) -> MainWindow:
    window = MainWindow(QSettings(str(layout_file), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    return window


def placeholder(text: str) -> QLabel:
    return QLabel(text, alignment=Qt.AlignmentFlag.AlignCenter)


class RememberingPage(QLabel):
    """A page that keeps something in the window's layout file, like the contacts page's splitter."""

    def __init__(self) -> None:
        super().__init__("remembering")
        self.value = "fresh"

    def save_layout(self, settings: QSettings) -> None:
        settings.setValue("value", self.value)

    def restore_layout(self, settings: QSettings) -> None:
        self.value = settings.value("value", "fresh")


def test_the_rail_shows_added_pages_and_switches_between_them(qtbot, layout_file):
    window = make_window(qtbot, layout_file)
    for key in ("contacts", "dialer", "history"):
        window.add_page(key, placeholder(key))
    window.add_page("call", placeholder("a call"))
    with qtbot.waitActive(window):  # shortcuts only reach the active window
        window.show()
        window.activateWindow()

    assert window.rail_buttons["contacts"].isVisible() and window.rail_buttons["history"].isVisible()
    assert not window.rail_buttons["settings"].isVisible()  # no settings page yet: no button
    assert window.current_page_key() == "contacts" and window.rail_buttons["contacts"].isChecked()

    with qtbot.waitSignal(window.page_changed, timeout=2000) as changed:
        qtbot.mouseClick(window.rail_buttons["history"], Qt.MouseButton.LeftButton)
    assert changed.args == ["history"] and window.stack.currentWidget().text() == "history"

    window.show_page("call")  # a flow page: nothing on the rail stays lit
    assert not any(button.isChecked() for button in window.rail_buttons.values())

    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_key() == "dialer" and window.rail_buttons["dialer"].isChecked()
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)  # no settings page: ignored
    assert window.current_page_key() == "dialer"

    replacement = placeholder("new dialer")
    window.add_page("dialer", replacement)
    assert window.page("dialer") is replacement and window.stack.count() == 4
    with pytest.raises(KeyError, match="add_page"):
        window.show_page("nowhere")
    assert all(button.toolTip() for button in window.rail_buttons.values())
    assert [key for key, *_ in RAIL] == ["contacts", "dialer", "history", "settings"]


def test_size_position_page_and_page_layouts_are_remembered(qtbot, layout_file):
    first = make_window(qtbot, layout_file)
    page = RememberingPage()
    first.add_page("contacts", page)
    first.add_page("history", placeholder("history"))
    with qtbot.waitExposed(first):
        first.show()
    first.resize(780, 560)
    first.show_page("history")
    page.value = "splitter moved"
    first.close()

    second = make_window(qtbot, layout_file)
    again = RememberingPage()
    second.add_page("contacts", again)
    second.add_page("history", placeholder("history"))
    second.restore_last_page()
    assert second.size() == QSize(780, 560)
    assert second.current_page_key() == "history"
    assert again.value == "splitter moved"


def test_closing_hides_to_the_tray_with_a_note_only_the_first_time(qtbot, layout_file):
    window = make_window(qtbot, layout_file)
    window.add_page("contacts", placeholder("contacts"))
    window.set_close_to_tray(True)
    with qtbot.waitExposed(window):
        window.show()

    with qtbot.waitSignal(window.hidden_to_tray, timeout=2000) as first:
        window.close()
    assert first.args == [True] and not window.isVisible()

    window.bring_to_front()
    assert window.isVisible()
    with qtbot.waitSignal(window.hidden_to_tray, timeout=2000) as second:
        window.close()
    assert second.args == [False]

    # The note is remembered across runs too.
    later = make_window(qtbot, layout_file)
    later.set_close_to_tray(True)
    later.show()
    with qtbot.waitSignal(later.hidden_to_tray, timeout=2000) as third:
        later.close()
    assert third.args == [False]

    window.bring_to_front()
    window.quit_for_real()
    with qtbot.assertNotEmitted(window.hidden_to_tray):
        window.close()
    assert not window.isVisible()


def test_the_sync_indicator_and_the_banner(qtbot, layout_file):
    window = make_window(qtbot, layout_file)
    with qtbot.waitExposed(window):
        window.show()
    indicator = window.sync_dot.parentWidget()
    assert not indicator.isVisible()  # no backend: no indicator

    window.set_sync_status("3 calls waiting", "pending")
    assert indicator.isVisible() and window.sync_label.text() == "3 calls waiting"
    assert window.sync_dot.color() == theme.WARNING
    window.set_sync_status("Offline: calls are kept and sent later", "offline")
    assert window.sync_dot.color() == theme.MUTED
    window.set_sync_status("", "off")
    assert not indicator.isVisible()
    with pytest.raises(ValueError, match="pending"):
        window.set_sync_status("?", "purple")

    window.show_banner("The grading service is offline; your calls are graded by the built-in rules.", "warning")
    assert window.banner.isVisible() and "built-in rules" in window.banner.text()
    assert window.banner.property("kind") == "warning"
    window.clear_banner()
    assert not window.banner.isVisible()


@pytest.fixture
def state(data_home: Path):
    opened = open_app_state()
    yield opened
    opened.close()


def test_background_errors_reach_the_gui_thread(qtbot):
    results = []

    def fail():
        raise OSError("disk unplugged")

    run_in_background(fail, lambda data, error: results.append(error))
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert isinstance(results[0], OSError)


def test_the_theme_switches_and_follows_the_system(qtbot, monkeypatch):
    app = QApplication.instance()
    changes = []
    theme.notifier().changed.connect(changes.append)
    with themed("dark"):
        assert theme.TEXT == theme.DARK.text and theme.BACKGROUND == theme.DARK.background
        assert theme.DARK.background in app.styleSheet()
        assert app.palette().color(app.palette().ColorRole.Window) == QColor(theme.DARK.background)
        assert theme.score_color(90) == theme.DARK.success

        theme.apply_theme(app, "system")
        monkeypatch.setattr(theme, "system_prefers_dark", lambda: False)
        app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert theme.current_palette() is theme.LIGHT and theme.TEXT == theme.LIGHT.text
        monkeypatch.setattr(theme, "system_prefers_dark", lambda: True)
        app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        assert theme.current_palette() is theme.DARK

        theme.apply_theme(app, "light")  # an explicit choice stops following the system
        app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        assert theme.current_palette() is theme.LIGHT
        with pytest.raises(ValueError, match="system, light, dark"):
            theme.apply_theme(app, "sepia")
    assert theme.TEXT == theme.LIGHT.text  # restored for the other tests
    assert changes[:2] == ["dark", "light"] and "dark" in changes[2:]
    # Every colour another helper imports is still there.
    for name in ("ACCENT", "DANGER", "SUCCESS", "WARNING", "TEXT", "MUTED", "SURFACE", "BACKGROUND", "BORDER"):
        assert getattr(theme, name).startswith("#")
    assert set(theme.DIFFICULTY_COLORS) == {"BEGINNER", "ROOKIE", "PRO", "ELITE", "NIGHTMARE"}
    # Text sizes follow the desktop's own size (a user's larger-text setting), titles in proportion.
    large = theme.stylesheet(theme.LIGHT, base_pt=14.0)
    assert "QLabel#title { font-size: 22.4pt" in large and "QWidget { color: #0f172a; font-size: 14.0pt" in large


def painted_pixels(icon: QIcon, side: int, mode: QIcon.Mode = QIcon.Mode.Normal) -> tuple[int, set[int]]:
    image = QImage(side, side, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    icon.paint(painter, image.rect(), Qt.AlignmentFlag.AlignCenter, mode)
    painter.end()
    colors = {image.pixel(x, y) & 0xFFFFFF for y in range(side) for x in range(side) if image.pixelColor(x, y).alpha()}
    opaque = sum(1 for y in range(side) for x in range(side) if image.pixelColor(x, y).alpha() > 128)
    return opaque, colors


def test_every_icon_draws_at_small_and_large_sizes_in_the_theme_colours(qapp):
    for name in icons.DRAWINGS:
        small, _ = painted_pixels(icons.icon(name), 16)
        large, colors = painted_pixels(icons.icon(name), 48)
        assert small > 8 and large > small * 4, name  # scales with the size asked for (crisp at 200 %)
        assert QColor(theme.TEXT).rgb() & 0xFFFFFF in colors, name
    _, disabled = painted_pixels(icons.icon("phone"), 48, QIcon.Mode.Disabled)
    assert QColor(theme.MUTED).rgb() & 0xFFFFFF in disabled
    _, white = painted_pixels(icons.icon("phone", "#ffffff"), 48)
    assert 0xFFFFFF in white
    assert not icons.app_icon().isNull() and icons.app_icon().availableSizes()


def test_the_window_fits_small_screens_and_starts_readable(qtbot, layout_file):
    window = make_window(qtbot, layout_file)
    window.add_page("contacts", QWidget())
    available = QApplication.primaryScreen().availableGeometry().size()
    assert window.width() <= max(available.width(), window.minimumWidth())
    assert window.minimumSize().width() >= 700 and window.windowTitle() == "Roleplay Trainer"

"""Colours and the application stylesheet: a calm theme with one accent, like a modern phone app, in light and dark.

Other modules read the module-level colour names (ACCENT, TEXT, ..., DIFFICULTY_COLORS) when they paint;
`apply_theme` rewrites them for the active palette and announces the change through `notifier().changed`, so
custom-painted widgets repaint. Every colour used for text reaches WCAG AA (4.5:1) on the page, card and row
backgrounds of its palette; tests/ui/widgets/test_theme.py checks it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from desktop.core.resources import resource_path


@dataclass(frozen=True)
class Palette:
    name: str
    accent: str
    accent_soft: str  # selection and hover backgrounds
    on_accent: str
    danger: str
    success: str
    warning: str
    text: str
    muted: str
    surface: str
    surface_alt: str  # alternate rows, chips, the navigation rail
    background: str
    border: str


LIGHT = Palette(
    name="light",
    accent="#2563eb",
    accent_soft="#dbeafe",
    on_accent="#ffffff",
    # The -700 shades: the -600 ones (#dc2626, #16a34a, #d97706) are under 4.5:1 as text on the light background.
    danger="#b91c1c",
    success="#15803d",
    warning="#b45309",
    text="#0f172a",
    muted="#5b6b80",
    surface="#ffffff",
    surface_alt="#f8fafc",
    background="#f1f5f9",
    border="#e2e8f0",
)

DARK = Palette(
    name="dark",
    accent="#60a5fa",
    accent_soft="#1e3a5f",
    on_accent="#0b1220",
    danger="#f87171",
    success="#4ade80",
    warning="#fbbf24",
    text="#e2e8f0",
    muted="#94a3b8",
    surface="#1e293b",
    surface_alt="#172033",
    background="#0f172a",
    border="#334155",
)

# The active palette's colours under their historical names; other helpers import these.
ACCENT = LIGHT.accent
DANGER = LIGHT.danger
SUCCESS = LIGHT.success
WARNING = LIGHT.warning
TEXT = LIGHT.text
MUTED = LIGHT.muted
SURFACE = LIGHT.surface
BACKGROUND = LIGHT.background
BORDER = LIGHT.border
ACCENT_SOFT = LIGHT.accent_soft
ON_ACCENT = LIGHT.on_accent
SURFACE_ALT = LIGHT.surface_alt

# Each level's colour per palette: darker shades on light, lighter ones on dark (the light ones are under 3.5:1 on
# the dark background). DIFFICULTY_COLORS is the active palette's, updated in place on a switch.
DIFFICULTY_BY_PALETTE = {
    "light": {"BEGINNER": "#15803d", "ROOKIE": "#0e7490", "PRO": "#2563eb", "ELITE": "#7c3aed", "NIGHTMARE": "#b91c1c"},
    "dark": {"BEGINNER": "#4ade80", "ROOKIE": "#22d3ee", "PRO": "#60a5fa", "ELITE": "#a78bfa", "NIGHTMARE": "#f87171"},
}
DIFFICULTY_COLORS = dict(DIFFICULTY_BY_PALETTE["light"])

SCHEMES = ("system", "light", "dark")


def score_color(score: int | None) -> str:
    if score is None:
        return MUTED
    if score >= 70:
        return SUCCESS
    return WARNING if score >= 40 else DANGER


def _luminance(hex_color: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two "#rrggbb" colours, from 1 (same) to 21 (black on white)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def fill_for_white(color: str, ratio: float = 4.5) -> str:
    """`color`, darkened just enough for white text and icons on it to reach `ratio` (unchanged when it already does).
    For fills with white glyphs, such as the red end-call button, whose colour is made for text on the dark page."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    for step in range(51):
        keep = 1 - step / 50
        candidate = f"#{round(r * keep):02x}{round(g * keep):02x}{round(b * keep):02x}"
        if contrast_ratio("#ffffff", candidate) >= ratio:
            return candidate
    return "#000000"


def _icon_url(name: str, p: Palette) -> str:
    return resource_path(f"icons/{name}_{p.name}.svg").as_posix()


def stylesheet(p: Palette, base_pt: float = 10.0) -> str:
    """The global stylesheet. Text sizes are in points, relative to `base_pt` (the system's font size), so they follow
    both the screen's scaling and a user's larger-text setting."""
    down, up = _icon_url("chevron_down", p), _icon_url("chevron_up", p)
    check, dot = _icon_url("check", p), _icon_url("dot", p)

    def pt(factor: float) -> str:
        return f"{base_pt * factor:.1f}"

    return f"""
QMainWindow, QDialog, QWidget#page, QStackedWidget#pages, QScrollArea#pageScroll > QWidget > QWidget {{
    background: {p.background};
}}
QWidget {{ color: {p.text}; font-size: {pt(1.0)}pt; }}
QToolTip {{ background: {p.surface}; color: {p.text}; border: 1px solid {p.border}; padding: 4px; }}
QLabel#title {{ font-size: {pt(1.6)}pt; font-weight: 600; }}
QLabel#sectionTitle {{ font-size: {pt(1.2)}pt; font-weight: 600; }}
QLabel#bigName {{ font-size: {pt(1.8)}pt; font-weight: 600; }}
QLabel#muted, QLabel#hint {{ color: {p.muted}; }}
QLabel#fieldError {{ color: {p.danger}; font-size: {pt(0.9)}pt; }}
QLabel#chip {{
    background: {p.surface_alt}; border: 1px solid {p.border}; border-radius: 7px; padding: 2px 10px;
    color: {p.muted}; font-size: {pt(0.9)}pt;
}}
QLabel#scoreBadge {{ font-weight: 600; }}
QFrame#banner {{ border-radius: 8px; background: {p.accent_soft}; }}
QFrame#banner QLabel {{ background: transparent; }}
QFrame#banner[kind="error"] {{ background: {p.danger}; }}
QFrame#banner[kind="warning"] {{ background: {p.warning}; }}
QFrame#banner[kind="error"] QLabel, QFrame#banner[kind="warning"] QLabel {{ color: {p.on_accent}; }}
QFrame#card {{ background: {p.surface}; border: 1px solid {p.border}; border-radius: 12px; }}
QFrame#card QLabel {{ background: transparent; }}
QFrame#footer {{ background: {p.surface}; border: none; border-top: 1px solid {p.border}; }}
QWidget#navRail {{ background: {p.surface}; border-right: 1px solid {p.border}; }}
QToolButton#navButton {{
    border: none; border-radius: 10px; padding: 8px 4px; color: {p.muted}; font-size: {pt(0.9)}pt;
    background: transparent;
}}
QToolButton#navButton:hover {{ background: {p.surface_alt}; color: {p.text}; }}
QToolButton#navButton:checked {{ background: {p.accent_soft}; color: {p.accent}; font-weight: 600; }}
QLabel#syncStatus {{ color: {p.muted}; font-size: {pt(0.9)}pt; }}
QListWidget, QListView, QTableWidget, QTableView, QTreeView, QPlainTextEdit, QTextEdit {{
    background: {p.surface}; border: 1px solid {p.border}; border-radius: 12px; padding: 4px;
    alternate-background-color: {p.surface_alt}; gridline-color: transparent;
}}
QListWidget::item {{ border-radius: 8px; padding: 6px; }}
QListWidget::item:selected, QTableWidget::item:selected, QTableView::item:selected, QListView::item:selected {{
    background: {p.accent_soft}; color: {p.text};
}}
QHeaderView::section {{
    background: {p.surface}; color: {p.muted}; border: none; border-bottom: 1px solid {p.border};
    padding: 6px; font-weight: 600;
}}
QLineEdit, QComboBox, QSpinBox, QDoubleSpinBox {{
    background: {p.surface}; border: 1px solid {p.border}; border-radius: 8px; padding: 5px 8px;
}}
QLineEdit:focus, QComboBox:focus, QSpinBox:focus, QPlainTextEdit:focus {{ border-color: {p.accent}; }}
QLineEdit[invalid="true"], QComboBox[invalid="true"], QSpinBox[invalid="true"], QPlainTextEdit[invalid="true"] {{
    border-color: {p.danger};
}}
QLineEdit#dialDisplay {{
    font-size: {pt(2.0)}pt; font-weight: 300; border: none; background: transparent; qproperty-alignment: AlignCenter;
}}
QComboBox::drop-down {{ border: none; width: 24px; }}
QComboBox::down-arrow {{ image: url({down}); width: 12px; height: 12px; }}
QSpinBox::up-button, QSpinBox::down-button {{ border: none; width: 20px; background: transparent; }}
QSpinBox::up-arrow {{ image: url({up}); width: 10px; height: 10px; }}
QSpinBox::down-arrow {{ image: url({down}); width: 10px; height: 10px; }}
QComboBox QAbstractItemView {{ background: {p.surface}; selection-background-color: {p.accent_soft}; }}
QPushButton, QToolButton {{
    background: {p.surface}; border: 1px solid {p.border}; border-radius: 8px; padding: 6px 14px;
}}
QPushButton:hover, QToolButton:hover {{ border-color: {p.accent}; }}
QPushButton:disabled {{ color: {p.muted}; }}
QPushButton#primary {{ background: {p.accent}; color: {p.on_accent}; border: none; font-weight: 600; }}
QPushButton#callButton {{ background: {p.success}; color: {p.on_accent}; border: none; font-weight: 600; }}
QPushButton#callButton:disabled {{ background: {p.border}; color: {p.muted}; }}
QPushButton#dangerButton {{ color: {p.danger}; }}
QPushButton#segment {{ border-radius: 0px; padding: 5px 12px; }}
QPushButton#segment[position="first"] {{ border-top-left-radius: 8px; border-bottom-left-radius: 8px; }}
QPushButton#segment[position="last"] {{ border-top-right-radius: 8px; border-bottom-right-radius: 8px; }}
QPushButton#segment:checked {{ background: {p.accent}; color: {p.on_accent}; border-color: {p.accent}; }}
QToolButton#swatch {{ padding: 3px; border-radius: 6px; }}
QToolButton#swatch:checked {{ border: 2px solid {p.accent}; }}
QToolButton#flat {{ border: none; background: transparent; padding: 4px; }}
QToolButton#flat:hover {{ background: {p.surface_alt}; }}
QToolButton#flat::menu-indicator {{ image: none; width: 0px; }}
QCheckBox, QRadioButton {{ spacing: 8px; }}
QCheckBox::indicator, QRadioButton::indicator {{
    width: 14px; height: 14px; border: 1px solid {p.muted}; border-radius: 4px; background: {p.surface};
}}
QRadioButton::indicator {{ border-radius: 8px; }}
QCheckBox::indicator:checked {{ background: {p.accent}; border-color: {p.accent}; image: url({check}); }}
QRadioButton::indicator:checked {{ background: {p.accent}; border-color: {p.accent}; image: url({dot}); }}
QCheckBox::indicator:hover, QRadioButton::indicator:hover {{ border-color: {p.accent}; }}
QCheckBox::indicator:disabled, QRadioButton::indicator:disabled {{ border-color: {p.border}; }}
QProgressBar {{ background: {p.surface_alt}; border: 1px solid {p.border}; border-radius: 5px; max-height: 10px; }}
QProgressBar::chunk {{ background: {p.success}; border-radius: 4px; }}
QScrollArea {{ border: none; background: transparent; }}
QScrollBar:vertical {{ background: transparent; width: 10px; margin: 2px; }}
QScrollBar:horizontal {{ background: transparent; height: 10px; margin: 2px; }}
QScrollBar::handle {{ background: {p.border}; border-radius: 3px; }}
QScrollBar::handle:vertical {{ min-height: 28px; }}
QScrollBar::handle:horizontal {{ min-width: 28px; }}
QScrollBar::handle:hover {{ background: {p.muted}; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0px; height: 0px; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: none; }}
QStatusBar {{ color: {p.muted}; }}
QMenu {{ background: {p.surface}; border: 1px solid {p.border}; padding: 4px; }}
QMenu::item {{ padding: 6px 20px 6px 28px; border-radius: 6px; }}
QMenu::item:selected {{ background: {p.accent_soft}; }}
QMenu::item:disabled {{ color: {p.muted}; }}
QMenu::separator {{ height: 1px; background: {p.border}; margin: 4px 8px; }}
"""


STYLESHEET = stylesheet(LIGHT)  # kept for code that applies the light sheet directly


class ThemeNotifier(QObject):
    changed = Signal(str)  # the palette's name


_notifier: ThemeNotifier | None = None
_current: Palette = LIGHT
_scheme_choice = "system"


def notifier() -> ThemeNotifier:
    global _notifier
    if _notifier is None:
        _notifier = ThemeNotifier()
    return _notifier


def current_palette() -> Palette:
    return _current


def system_prefers_dark() -> bool:
    app = QGuiApplication.instance()
    if app is None:
        return False
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def system_font_points() -> float:
    """The desktop's text size; 10 pt where the platform does not say (offscreen)."""
    from PySide6.QtGui import QFontDatabase

    size = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).pointSizeF()
    return size if size >= 6 else 10.0


def palette_for(scheme: str) -> Palette:
    """`scheme` is "system", "light" or "dark"."""
    if scheme == "dark":
        return DARK
    if scheme == "light":
        return LIGHT
    return DARK if system_prefers_dark() else LIGHT


def apply_theme(app: QApplication, scheme: str = "system") -> Palette:
    """Styles the whole app and keeps following the system's light/dark choice while `scheme` is "system"."""
    global _scheme_choice
    if scheme not in SCHEMES:
        raise ValueError(f"unknown colour scheme {scheme!r}; choose one of {', '.join(SCHEMES)}")
    _scheme_choice = scheme
    if not getattr(app, "_roleplay_follows_scheme", False):
        app._roleplay_follows_scheme = True  # type: ignore[attr-defined]
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: _reapply(app))
    if sys.platform != "darwin":
        # Fusion draws the same everywhere and honours the palette, so dark mode looks right on Windows and Linux.
        app.setStyle("Fusion")
    return _activate(app, palette_for(scheme))


def _reapply(app: QApplication) -> None:
    if _scheme_choice == "system":
        _activate(app, palette_for("system"))


def _activate(app: QApplication, palette: Palette) -> Palette:
    set_palette_constants(palette)
    app.setPalette(qt_palette(palette))
    app.setStyleSheet(stylesheet(palette, system_font_points()))
    notifier().changed.emit(palette.name)
    return palette


def set_palette_constants(p: Palette) -> None:
    """Points the module's colour names at `p` without restyling the app (apply_theme does both)."""
    global _current
    _current = p
    module = sys.modules[__name__]
    for name, value in {
        "ACCENT": p.accent,
        "DANGER": p.danger,
        "SUCCESS": p.success,
        "WARNING": p.warning,
        "TEXT": p.text,
        "MUTED": p.muted,
        "SURFACE": p.surface,
        "BACKGROUND": p.background,
        "BORDER": p.border,
        "ACCENT_SOFT": p.accent_soft,
        "ON_ACCENT": p.on_accent,
        "SURFACE_ALT": p.surface_alt,
    }.items():
        setattr(module, name, value)
    # In place: code that kept the dict itself (from theme import DIFFICULTY_COLORS) sees the new colours too.
    DIFFICULTY_COLORS.update(DIFFICULTY_BY_PALETTE.get(p.name, DIFFICULTY_BY_PALETTE["light"]))


def qt_palette(p: Palette) -> QPalette:
    """A QPalette matching the stylesheet, for the parts styles draw natively (menus, scroll bars, pickers)."""
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: p.background,
        QPalette.ColorRole.WindowText: p.text,
        QPalette.ColorRole.Base: p.surface,
        QPalette.ColorRole.AlternateBase: p.surface_alt,
        QPalette.ColorRole.Text: p.text,
        QPalette.ColorRole.Button: p.surface,
        QPalette.ColorRole.ButtonText: p.text,
        QPalette.ColorRole.Highlight: p.accent,
        QPalette.ColorRole.HighlightedText: p.on_accent,
        QPalette.ColorRole.ToolTipBase: p.surface,
        QPalette.ColorRole.ToolTipText: p.text,
        QPalette.ColorRole.PlaceholderText: p.muted,
        QPalette.ColorRole.Link: p.accent,
        QPalette.ColorRole.Mid: p.border,
    }
    for role, color in roles.items():
        palette.setColor(role, QColor(color))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(p.muted))
    return palette

"""Screenshots of the shell's screens (contacts, dial pad, settings) in the light or dark theme: saved into
docs/screenshots with ROLEPLAY_SCREENSHOTS=1, else into the test's tmp folder; always checked not to be blank."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget

from desktop.ui.widgets import theme

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


@contextmanager
def themed(scheme: str) -> Iterator[theme.Palette]:
    """The app styled as the real one is, then put back, so later tests see Qt's defaults again."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    style, sheet, palette = app.style().name(), app.styleSheet(), app.palette()
    try:
        yield theme.apply_theme(app, scheme)
    finally:
        app.setStyleSheet(sheet)
        app.setPalette(palette)
        app.setStyle(style)
        theme.set_palette_constants(theme.LIGHT)


def settle() -> None:
    QApplication.processEvents()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


def distinct_colors(image: QImage, step: int = 7) -> int:
    return len({image.pixel(x, y) for y in range(0, image.height(), step) for x in range(0, image.width(), step)})


def grab(widget: QWidget, name: str, tmp_path: Path) -> Path:
    """Saves the widget as it is styled now (call inside `themed`); asserts the picture shows a real screen."""
    folder = DOCS_SCREENSHOTS if os.environ.get("ROLEPLAY_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    settle()
    image = widget.grab().toImage()
    assert not image.isNull() and image.width() >= 600 and image.height() >= 400
    assert distinct_colors(image) > 20, f"the {name} screenshot looks blank"
    target = folder / f"{name}.png"
    assert image.save(str(target))
    return target


def controls_without_tooltips(root: QWidget) -> list[str]:
    """Every control the user can operate should explain itself on hover."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QHeaderView,
        QLineEdit,
    )

    missing = []
    for widget in root.findChildren(QWidget):
        parent = widget.parent()
        if isinstance(parent, (QAbstractSpinBox, QComboBox, QLineEdit)) or (
            parent is not None and parent.metaObject().className() == "QComboBoxPrivateContainer"
        ):
            continue  # parts inside a spin box, combo box or line edit (its clear button): the owner has the tooltip
        if isinstance(widget, QHeaderView) and isinstance(parent, QAbstractItemView):
            continue  # a table's header: the table has the tooltip
        if widget.objectName().startswith("qt_"):
            continue  # Qt's own parts (scroll area viewports, message box internals)
        interactive = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView)
        if isinstance(widget, interactive) and not widget.toolTip():
            missing.append(f"{type(widget).__name__} {widget.objectName() or widget.accessibleName()!r}")
    return missing

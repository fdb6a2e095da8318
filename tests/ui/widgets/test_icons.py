"""One icon painter module (issue 11, item 5): desktop/ui/widgets/icons.py (drawings in icon_shapes.py) is the only
place icons are made, every name the code asks for has exactly one drawing there, and its pictures are drawn at the
screen's density (the call screen's old icons were drawn at 100 % and blown up at 200 %)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from desktop.ui.shell.main_window import RAIL
from desktop.ui.widgets import icons

ROOT = Path(__file__).resolve().parents[3]
UI = ROOT / "desktop" / "ui"
ICON_MODULES = {UI / "widgets" / "icons.py", UI / "widgets" / "icon_shapes.py"}


def _calls(tree: ast.AST, names: set[str]):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in names:
                yield node


def test_icons_are_made_in_one_module_only():
    makers = {}
    for path in sorted(UI.rglob("*.py")):
        if path in ICON_MODULES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        if defined & {"icon", "icon_pixmap"} or any(
            isinstance(n, ast.Assign) and any(getattr(t, "id", "") in ("SHAPES", "DRAWINGS") for t in n.targets)
            for n in ast.walk(tree)
        ):
            makers[str(path.relative_to(ROOT))] = sorted(defined & {"icon", "icon_pixmap"})
    assert makers == {}
    assert not (UI / "call" / "icons.py").exists()


def test_every_icon_the_code_asks_for_has_a_drawing():
    asked = {name for _, _, name, _ in RAIL}
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _calls(tree, {"icon", "icon_pixmap"}):
            first = call.args[0] if call.args else None
            choices = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]  # "mic_off" if muted...
            asked |= {c.value for c in choices if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    assert asked, "the scan found no icon calls"
    assert {"mic_off", "hang_up", "dialpad", "person", "warning", "send"} <= asked
    assert sorted(asked - set(icons.DRAWINGS)) == []


def test_pictures_are_drawn_at_the_screens_density():
    code = (
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from desktop.ui.widgets import icons\n"
        "p = icons.icon_pixmap('warning', '#ff0000', 24)\n"
        "print(p.width(), p.devicePixelRatio(), p.deviceIndependentSize().width())\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": "2"}
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["48", "2.0", "24.0"]  # 48 real pixels shown as 24 points

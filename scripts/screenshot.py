"""Renders the main window on the data in ROLEPLAY_HOME and saves a PNG, to look at what a user sees.

QT_QPA_PLATFORM=offscreen ROLEPLAY_HOME=/tmp/demo .venv/bin/python scripts/screenshot.py shots/main.png
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.app import load_home_data  # noqa: E402
from desktop.bootstrap import open_app_state  # noqa: E402
from desktop.ui import theme  # noqa: E402
from desktop.ui.shell.main_window import MainWindow  # noqa: E402


def main(target: str) -> None:
    app = QApplication(sys.argv[:1])
    app.setStyleSheet(theme.STYLESHEET)
    state = open_app_state()
    window = MainWindow()
    window.show_data(load_home_data(state))
    window.show()
    loop = QEventLoop()
    QTimer.singleShot(200, loop.quit)  # let layout and painting settle before grabbing
    loop.exec()
    window.grab().save(target)
    state.close()
    print(f"saved {target}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "shots/main.png")

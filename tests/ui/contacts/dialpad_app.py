"""The real app on a real X display, opened on the Dial pad with the number field focused, for
test_dialpad_typing.py. It prints READY when keys can be typed, then, once the number field holds `--expect`
digits, watches its own CPU for `--watch` seconds and prints the figures as one JSON line."""

from __future__ import annotations

import argparse
import json
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLineEdit

from desktop.app import run_gui


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--expect", type=int, required=True)
    parser.add_argument("--watch", type=float, default=1.5)
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    state: dict = {}

    def find_dial_pad() -> None:
        window = next((w for w in app.topLevelWidgets() if hasattr(w, "show_page") and w.isVisible()), None)
        page = window.page("dialer") if window is not None else None
        if page is None:
            QTimer.singleShot(100, find_dial_pad)
            return
        window.show_page("dialer")
        window.activateWindow()
        state["page"] = page
        state["field"] = page.findChild(QLineEdit, "dialDisplay")
        state["field"].setFocus()
        print("READY", flush=True)
        QTimer.singleShot(50, wait_for_digits)

    def wait_for_digits() -> None:
        digits = sum(ch.isdigit() for ch in state["field"].text())
        if digits < args.expect:
            QTimer.singleShot(50, wait_for_digits)
            return
        state["cpu0"], state["wall0"] = time.process_time(), time.monotonic()
        QTimer.singleShot(int(args.watch * 1000), report)

    def report() -> None:
        cpu, wall = time.process_time() - state["cpu0"], time.monotonic() - state["wall0"]
        figures = {"cpu_share": cpu / wall, "text": state["field"].text(), "tones": state["page"].tones.played}
        print(json.dumps(figures), flush=True)
        app.quit()

    QTimer.singleShot(0, find_dial_pad)
    return run_gui()


if __name__ == "__main__":
    sys.exit(main())

"""Cold start: from process start to the main window painted, run from source, beside a bare PySide6 window
measured in the same run (alternating, so both see the same machine load).

Each sample is a fresh `python` process. The parent notes the time just before it starts the child; the child prints
a line from inside the window's first paint event; the parent notes when that line arrives. So the figure covers
the interpreter starting, every import, the QApplication, building the window and its pages, and the first paint.
The app's child builds what the app shows first: the themed shell with the contacts, dial pad and settings pages.
Its data (store, personas) is read off the GUI thread after the window shows, and is reported separately as
"contacts listed".

Targets: median under 1.5 s, and no more than 3 times the bare window.
Run: .venv/bin/python benchmarks/cold_start.py [--runs 15] [--display offscreen|xvfb]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_S = 1.5
TARGET_RATIO = 3.0
RESULTS = ROOT / "benchmarks" / "results" / "cold_start.json"


# --- the children ----------------------------------------------------------------------------------------------------


def _report_first_paint(window, then=None) -> None:
    """Prints "painted" from inside the window's first paint event, then runs `then` (or exits)."""
    from PySide6.QtCore import QObject, QTimer

    class FirstPaint(QObject):
        done = False

        def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
            if not self.done and event.type() == event.Type.Paint:
                self.done = True
                print("painted", flush=True)
                QTimer.singleShot(0, then or (lambda: os._exit(0)))
            return False

    watcher = FirstPaint(window)
    for widget in (window, window.centralWidget()):
        if widget is not None:
            widget.installEventFilter(watcher)


def child_bare() -> None:
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QLabel("Hello"))
    window.resize(1120, 740)
    _report_first_paint(window)
    window.show()
    app.exec()


def child_app() -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from desktop.ui.widgets import theme

    theme.apply_theme(app)
    from desktop.ui.contacts.dialer import DialerPage
    from desktop.ui.contacts.page import ContactsPage
    from desktop.ui.settings.page import SettingsPage
    from desktop.ui.shell.main_window import MainWindow

    window = MainWindow()
    contacts = ContactsPage()
    window.add_page("contacts", contacts)
    window.add_page("dialer", DialerPage())
    window.add_page("settings", SettingsPage())
    window.restore_last_page()

    def load_data() -> None:
        # What follows the first paint in the app: open the store and list the sellers, off the GUI thread.
        from desktop.bootstrap import open_app_state
        from desktop.ui.contacts.presenter import ContactsPresenter
        from desktop.ui.widgets.tasks import run_in_background

        def opened(state, error) -> None:
            if error is not None:
                print(f"error {error}", flush=True)
                os._exit(1)
            presenter = ContactsPresenter(state, contacts)
            presenter.loaded.connect(lambda _data: (print("listed", flush=True), os._exit(0)))
            presenter.reload()

        run_in_background(open_app_state, opened)

    _report_first_paint(window, load_data)
    window.show()
    app.exec()


# --- the parent ------------------------------------------------------------------------------------------------------


def measure(kind: str, env: dict[str, str]) -> dict[str, float]:
    home = tempfile.mkdtemp(prefix="roleplay-coldstart-")
    try:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--child", kind],
            cwd=ROOT,
            env={**env, "ROLEPLAY_HOME": home},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        marks: dict[str, float] = {}
        for line in child.stdout:
            word = line.split()[0] if line.strip() else ""
            if word in ("painted", "listed"):
                marks[word] = time.perf_counter() - started
            elif word == "error":
                raise RuntimeError(line.strip())
        child.wait(30)
        if "painted" not in marks:
            raise RuntimeError(f"the {kind} child never painted (exit code {child.returncode})")
        return marks
    finally:
        shutil.rmtree(home, ignore_errors=True)


def display_env(choice: str):
    """The environment for the children, and an X server to stop afterwards (or None)."""
    env = dict(os.environ)
    if choice == "xvfb":
        from tests.xserver import XServer

        server = XServer().start()
        return server.env(env), server
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env, None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--display", choices=("offscreen", "xvfb"), default="xvfb" if shutil.which("Xvfb") else "offscreen"
    )
    parser.add_argument("--child", choices=("bare", "app"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_bare() if args.child == "bare" else child_app()
        return 0

    from benchmarks.common import median, percentile  # the parent's only: children import nothing they don't need

    env, server = display_env(args.display)
    try:
        measure("bare", env)  # warm the file cache once for each, so every sample is a warm-disk start
        measure("app", env)
        bare, app, listed = [], [], []
        for _ in range(args.runs):
            bare.append(measure("bare", env)["painted"])
            marks = measure("app", env)
            app.append(marks["painted"])
            listed.append(marks.get("listed", float("nan")))
    finally:
        if server is not None:
            server.stop()

    result = {
        "display": args.display,
        "runs": args.runs,
        "bare_window_s": {"median": median(bare), "p95": percentile(bare, 0.95)},
        "app_window_s": {"median": median(app), "p95": percentile(app, 0.95)},
        "contacts_listed_s": {"median": median(listed), "p95": percentile(listed, 0.95)},
        "ratio_median": median(app) / median(bare),
        "targets": {"app_window_median_s": TARGET_S, "ratio": TARGET_RATIO},
    }
    result["pass"] = result["app_window_s"]["median"] < TARGET_S and result["ratio_median"] <= TARGET_RATIO
    print(f"Cold start, from source, {args.runs} runs each, display {args.display}")
    print(f"{'':28}{'median':>10}{'p95':>10}")
    for label, key in (("bare PySide6 window", "bare_window_s"), ("app window painted", "app_window_s"),
                       ("contacts listed (data)", "contacts_listed_s")):  # fmt: skip
        print(f"{label:28}{result[key]['median']:>9.3f}s{result[key]['p95']:>9.3f}s")
    print(f"ratio app / bare (medians): {result['ratio_median']:.2f}  (target <= {TARGET_RATIO:g})")
    print(f"target median < {TARGET_S:g} s and ratio <= {TARGET_RATIO:g}: {'PASS' if result['pass'] else 'FAIL'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())

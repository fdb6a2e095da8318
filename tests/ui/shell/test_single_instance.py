"""Two launches at the same moment: exactly one app starts, the other hands its request to it (issue 14, item 21).

Before, `start` asked whether anyone listened, then removed any socket file and listened: two launches that both asked
before either listened both started (and the second stole the first's socket name). A lock file held by the running
app now decides, atomically."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ROUNDS = 20

# Waits for "go" on stdin so both launches start together, then does what desktop/app.py does: start the instance
# server, and either run (printing "started", serving hand-offs until one arrives or 5 s pass) or exit ("handed off").
_LAUNCH = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QCoreApplication, QTimer
    from desktop.ui.shell.single_instance import OPEN, InstanceRequest, InstanceServer

    app = QCoreApplication(sys.argv[:1])
    sys.stdin.readline()
    server = InstanceServer()
    if not server.start(InstanceRequest(OPEN)):
        print("handed off", flush=True)
        sys.exit(0)
    print("started", flush=True)
    server.request_received.connect(lambda request: QTimer.singleShot(0, app.quit))
    QTimer.singleShot(5000, app.quit)
    app.exec()
    server.close()
    """
)


def _race(home: Path) -> list[str]:
    env = {**os.environ, "ROLEPLAY_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    launches = [
        subprocess.Popen(
            [sys.executable, "-c", _LAUNCH],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for launch in launches:  # both are running and waiting: release them together
        launch.stdin.write("go\n")
        launch.stdin.flush()
    outcomes = []
    for launch in launches:
        out, err = launch.communicate(timeout=60)
        assert launch.returncode == 0, err
        outcomes.append(out.strip())
    return outcomes


def test_two_launches_at_once_start_one_app(tmp_path: Path) -> None:
    results = [sorted(_race(tmp_path / f"home-{i}")) for i in range(ROUNDS)]
    both_started = sum(r == ["started", "started"] for r in results)
    assert both_started == 0, f"both launches started in {both_started} of {ROUNDS} rounds"
    assert results == [["handed off", "started"]] * ROUNDS

"""The tray and the single instance.

The menu's content and the hand-off protocol are tested in this process (offscreen). The real thing - a tray icon on
a desktop with a tray host, the menu rebuilt on open, closing to the tray with its note, a second launch handing its
request over, Quit - runs the app's shell in its own process on a private X display with `trayer` (tests/xserver.py).
Those tests FAIL, not skip, when Xvfb or trayer is missing.
"""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import QDir, QThread

from desktop.core.clock import to_iso
from desktop.core.personas import load_builtin_personas
from desktop.core.results import Grade
from desktop.core.scenarios import load_scenarios
from desktop.store.catalog import PersonaCatalog
from desktop.ui.shell.requests import CallRequest
from desktop.ui.shell.single_instance import (
    ABSENT,
    BUSY,
    OPEN,
    QUICK_CALL,
    InstanceRequest,
    InstanceServer,
    send_request,
    server_name,
)
from desktop.ui.shell.tray import CLOSE_NOTE, TrayIcon
from desktop.ui.shell.tray_data import RecentCall, TrayData, load_tray_data, suggest_quick_call
from tests.ui.shell.shell_screens import DOCS_SCREENSHOTS
from tests.xserver import x_display  # noqa: F401 (the fixture)

ROOT = Path(__file__).resolve().parents[3]
BUILTIN = load_builtin_personas()
SCENARIOS = load_scenarios()
DALE = next(p for p in BUILTIN if p.name == "Dale Pruitt")
ROSA = next(p for p in BUILTIN if p.name == "Rosa Delgado")
WAIT = 20.0


def seed_calls(repo, count: int) -> list[int]:
    """Calls an hour apart, the newest with Rosa on the price negotiation at PRO, graded."""
    ids = []
    start = datetime.now(timezone.utc) - timedelta(hours=count + 1)
    for index in range(count):
        newest = index == count - 1
        persona = ROSA if newest else DALE
        scenario = next(s for s in SCENARIOS if s.id == ("price-negotiation" if newest else "cold-call-first-contact"))
        started = repo.start_session(
            persona_snapshot=persona.snapshot(),
            scenario_snapshot=scenario.snapshot("PRO"),
            difficulty="PRO" if newest else "ROOKIE",
            started_at=to_iso(start + timedelta(hours=index)),
        )
        repo.end_session(started.id, end_reason="user_hangup")
        repo.save_grade(started.id, Grade(60 + index, 60, 60, 60))
        ids.append(started.id)
    return ids


# --- what the menu shows -------------------------------------------------------------------------------------------


def test_a_new_user_is_offered_an_easy_seller_and_then_their_last_call(repo, queries):
    request, label = suggest_quick_call([], BUILTIN, SCENARIOS, practice_mode=True)
    suggested = next(p for p in BUILTIN if p.id == request.persona_id)
    assert suggested.motivation_level == "high" and suggested.conversation_style in ("friendly", "cooperative")
    assert request.difficulty == "BEGINNER" and request.scenario_id == "cold-call-first-contact"
    assert label.endswith("(suggested)")
    assert suggest_quick_call([], [], SCENARIOS, True) == (None, "")

    ids = seed_calls(repo, 7)
    data = load_tray_data(queries, PersonaCatalog(queries), practice_mode=False)
    assert data.quick_call == CallRequest(ROSA.id, "price-negotiation", "PRO", False, False)
    assert data.quick_label == "Rosa Delgado · Closing the price gap"
    assert [r.session_id for r in data.recent] == ids[::-1][:5]
    assert data.recent[0].label.startswith("Rosa Delgado · ") and data.recent[0].label.endswith(" · score 62")

    # A persona deleted since is skipped for an older call with someone who still exists.
    others = [p for p in BUILTIN if p.id != ROSA.id]
    request, label = suggest_quick_call(queries.list_sessions(limit=20), others, SCENARIOS, True)
    assert request.persona_id == DALE.id and "suggested" not in label


def test_the_menu_is_rebuilt_from_fresh_data_when_it_opens(qtbot, repo, queries):
    seed_calls(repo, 2)
    loader_threads = []

    def loader() -> TrayData:
        loader_threads.append(QThread.currentThread())
        return load_tray_data(queries, PersonaCatalog(queries), True)

    tray = TrayIcon(loader)
    assert tray.action_texts()[0] == "Quick practice call" and "No calls yet" in tray.action_texts()
    assert not tray.menu.actions()[0].isEnabled()
    with qtbot.waitSignal(tray.menu_rebuilt, timeout=5000, check_params_cb=lambda: bool(tray.data.recent)):
        tray.menu.aboutToShow.emit()  # what Qt does when the user opens the menu
    texts = tray.action_texts()
    assert texts[0] == "Quick practice call: Rosa Delgado · Closing the price gap"
    assert texts[1] == "Open Roleplay Trainer" and texts[-1] == "Quit"
    assert sum(1 for t in texts if t.startswith(("Rosa Delgado · ", "Dale Pruitt · "))) == 2
    assert loader_threads and loader_threads[0] is not QThread.currentThread()  # read off the GUI thread


def test_menu_items_ask_for_a_call_a_review_the_window_or_quit(qtbot):
    request = CallRequest(DALE.id, "follow-up", "ELITE", True, False)
    tray = TrayIcon()
    tray.set_data(
        TrayData(request, "Dale Pruitt · Follow-up", [RecentCall(41, "Dale Pruitt · 01 Mar 10:00 · score 70")])
    )
    actions = {a.text(): a for a in tray.menu.actions()}
    with qtbot.waitSignal(tray.quick_call_requested, timeout=1000) as quick:
        actions["Quick practice call: Dale Pruitt · Follow-up"].trigger()
    assert quick.args == [request]
    opened = []
    tray.open_requested.connect(lambda: opened.append("window"))
    with qtbot.waitSignal(tray.session_requested, timeout=1000) as review:
        actions["Dale Pruitt · 01 Mar 10:00 · score 70"].trigger()
    assert review.args == [41] and opened == ["window"]
    with qtbot.waitSignal(tray.quit_requested, timeout=1000):
        actions["Quit"].trigger()
    with qtbot.waitSignal(tray.open_requested, timeout=1000):
        actions["Open Roleplay Trainer"].trigger()


# --- the hand-off protocol -----------------------------------------------------------------------------------------


def test_requests_survive_the_wire_and_junk_is_refused():
    request = InstanceRequest(QUICK_CALL, CallRequest(DALE.id, typed=True))
    assert InstanceRequest.from_line(request.to_line()) == request
    assert InstanceRequest.from_line(InstanceRequest().to_line()).action == OPEN
    for junk in (b"{}", b'{"action": "format c:"}', b'{"action": "call"}', b"not json", b"[1]"):
        with pytest.raises(ValueError):
            InstanceRequest.from_line(junk)
    assert server_name().startswith("roleplay-trainer-")


def hand_off_in_another_process(request: InstanceRequest) -> subprocess.Popen[str]:
    code = (
        "import sys\n"
        "from desktop.ui.shell.single_instance import InstanceRequest, hand_off_to_running_instance\n"
        f"request = InstanceRequest.from_line({request.to_line()!r})\n"
        "sys.exit(0 if hand_off_to_running_instance(request) else 3)\n"
    )
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ), text=True)


def test_a_second_launch_hands_its_request_to_the_running_app(qtbot):
    assert send_request(InstanceRequest()) == ABSENT  # nobody runs yet
    server = InstanceServer()
    assert server.start() and server.listening
    try:
        request = InstanceRequest(QUICK_CALL)
        with qtbot.waitSignal(server.request_received, timeout=10_000) as received:
            launch = hand_off_in_another_process(request)
        qtbot.waitUntil(lambda: launch.poll() is not None, timeout=10_000)
        assert launch.returncode == 0 and received.args == [request]

        # A busy app (its GUI thread blocked here) is still there: a new launch must not start a second copy.
        rival = InstanceServer()
        assert rival.start(InstanceRequest(OPEN)) is False and not rival.listening
        assert send_request(InstanceRequest(), timeout_ms=300) == BUSY
    finally:
        server.close()


def test_a_socket_left_by_a_crashed_app_is_taken_over(qtbot):
    if sys.platform == "win32":
        pytest.skip("Windows named pipes vanish with their process; nothing is left behind")
    path = os.path.join(QDir.tempPath(), server_name())
    leftover = socket.socket(socket.AF_UNIX)
    leftover.bind(path)
    leftover.close()  # closed without unlinking: what a killed process leaves
    assert os.path.exists(path)
    server = InstanceServer()
    try:
        assert server.start() and server.listening
        with qtbot.waitSignal(server.request_received, timeout=10_000):
            launch = hand_off_in_another_process(InstanceRequest(OPEN))
        qtbot.waitUntil(lambda: launch.poll() is not None, timeout=10_000)
        assert launch.returncode == 0
    finally:
        server.close()


# --- the real tray, in its own process on a virtual desktop --------------------------------------------------------


class ShellProcess:
    """tests/ui/shell/tray_app.py on the virtual display: commands in, JSON events out."""

    def __init__(self, x, *args: str) -> None:
        self.events: queue.Queue[dict] = queue.Queue()
        self.seen: list[dict] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.ui.shell.tray_app", *args],
            cwd=ROOT,
            env=x.env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        self.stderr: list[str] = []
        threading.Thread(target=lambda: self.stderr.extend(self.process.stderr), daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            if line.startswith("{"):
                self.events.put(json.loads(line))

    def send(self, command: str) -> None:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def expect(self, event: str, predicate=lambda e: True, timeout: float = WAIT) -> dict:
        while True:
            try:
                item = self.events.get(timeout=timeout)
            except queue.Empty:
                tail = "".join(self.stderr[-30:])
                pytest.fail(f"no {event!r} event within {timeout:g} s; seen {self.seen[-8:]}; stderr:\n{tail}")
            self.seen.append(item)
            if item["event"] == event and predicate(item):
                return item
            if item["event"] in ("error", "exit") and event != item["event"]:
                pytest.fail(f"the app reported {item} while waiting for {event!r}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def test_the_tray_menu_close_to_tray_hand_off_and_quit_on_a_real_desktop(x_display, repo, tmp_path):  # noqa: F811
    seed_calls(repo, 6)
    app = ShellProcess(x_display)
    try:
        ready = app.expect("ready")
        assert ready["tray_available"] and ready["shown"] and ready["tray_visible"], ready
        assert ready["window_visible"] and ready["listening"]
        app.send("state")
        state = app.expect("state", lambda e: e["tray_geometry"][2] > 0)
        assert state["tray_geometry"][2] >= 16  # embedded in the tray host, with a real size

        app.send("open_menu")
        menu = app.expect("menu", lambda e: e["loaded"])  # rebuilt once the latest calls were read
        assert menu["actions"][0] == "Quick practice call: Rosa Delgado · Closing the price gap"
        assert sum(1 for text in menu["actions"] if " · score " in text) == 5
        app.send("state")  # a round trip through the app's event loop: the rebuilt menu has been painted
        shown = app.expect("state")
        assert shown["menu_geometry"][0] + shown["menu_geometry"][2] <= 1280  # all of it on the 1280-wide screen
        shot = (DOCS_SCREENSHOTS if os.environ.get("ROLEPLAY_SCREENSHOTS") == "1" else tmp_path) / "tray.png"
        assert x_display.screenshot(str(shot)) and shot.stat().st_size > 10_000

        app.send("trigger Quick practice call")
        call = app.expect("call")
        assert call["request"] == CallRequest(ROSA.id, "price-negotiation", "PRO", True, False).to_dict()

        app.send("close_window")
        note = app.expect("note")
        assert note["message"] == CLOSE_NOTE
        closed = app.expect("closed")
        assert not closed["window_visible"] and closed["tray_visible"]  # still running, in the tray

        launch = hand_off_in_another_process(InstanceRequest(QUICK_CALL))
        assert launch.wait(WAIT) == 0
        assert app.expect("request")["action"] == QUICK_CALL
        assert app.expect("call")["request"]["persona_id"] == ROSA.id
        app.send("state")
        assert app.expect("state")["window_visible"]  # the quick call brought the window back

        app.send("close_window")
        closed_again = app.expect("closed")
        assert not closed_again["window_visible"]
        assert not any(e["event"] == "note" for e in app.seen[app.seen.index(closed) + 1 :])  # the note: once only

        app.send("trigger Quit")
        assert app.expect("exit")["code"] == 0
        assert app.process.wait(WAIT) == 0
    finally:
        app.stop()


def test_started_hidden_in_the_tray_a_second_launch_opens_the_window(x_display):  # noqa: F811
    app = ShellProcess(x_display, "--hidden")
    try:
        ready = app.expect("ready")
        assert ready["tray_visible"] and not ready["window_visible"]
        launch = hand_off_in_another_process(InstanceRequest(OPEN))
        assert launch.wait(WAIT) == 0
        assert app.expect("request")["action"] == OPEN
        app.send("state")
        assert app.expect("state")["window_visible"]
        app.send("trigger Quit")
        assert app.expect("exit")["code"] == 0
    finally:
        app.stop()

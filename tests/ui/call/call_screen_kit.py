"""What the call screen tests share: in-memory devices and a fake partner at the boundary, an injected clock, the
fake agent server and a factory of real call screens (fixtures `server` and `make_screen`, registered in conftest),
and small helpers to place a call and read its transcript."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter

from desktop.core.difficulty import Difficulty
from desktop.core.personas import load_builtin_personas
from desktop.core.scenarios import load_scenarios
from desktop.core.transcript import Speaker
from desktop.settings import Settings
from desktop.ui.call.controller import CallController, CallPlan
from desktop.ui.call.screen import CallScreen
from desktop.ui.widgets import theme
from desktop.voice.call.events import CallState
from desktop.voice.call.setup import AudioPorts
from tests.fake_agent_server import FakeAgentServer

WAIT_MS = 8000
PERSONA = load_builtin_personas()[0]
SCENARIOS = {s.id: s for s in load_scenarios()}
SCENARIO = SCENARIOS["cold-call-first-contact"]
SCREENSHOTS = os.environ.get("ROLEPLAY_SCREENSHOTS") == "1"


# --- the device boundary and seams --------------------------------------------------------------------------------


class MemoryMicrophone:
    def __init__(self) -> None:
        self.muted = False
        self.level = 0.0
        self.stopped = False

    def start(self) -> None: ...

    def stop(self) -> None:
        self.stopped = True

    def set_agent_speaking(self, speaking: bool) -> None: ...

    def speech_segments(self) -> list[tuple[float, float]]:
        return []


class MemorySpeaker:
    def __init__(self) -> None:
        self.played: list[tuple[int, bytes]] = []
        self.level = 0.0
        self.is_speaking = False
        self.stopped = False
        self._lock = threading.Lock()

    def start(self) -> None: ...

    def play(self, pcm: bytes, event_id: int) -> None:
        with self._lock:
            self.played.append((event_id, pcm))

    def interrupt(self, event_id: int) -> None: ...

    def drain(self, timeout: float) -> bool:
        return True

    def stop(self) -> None:
        self.stopped = True


class MemoryPorts:
    """An AudioFactory with in-memory devices; `fail` raises as a device that cannot open would."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.mic = MemoryMicrophone()
        self.speaker = MemorySpeaker()
        self.on_error = None
        self.fail = fail

    def __call__(self, input_rate, output_rate, on_chunk, on_error, t0) -> AudioPorts:
        if self.fail is not None:
            raise self.fail
        self.on_error = on_error
        return AudioPorts(self.mic, self.speaker)


class FakePartner:
    def __init__(self, url: str, fail: bool = False) -> None:
        self.url, self.fail, self.stopped = url, fail, False

    def start(self) -> str:
        if self.fail:
            raise OSError("address in use")
        return self.url

    def stop(self) -> None:
        self.stopped = True


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance_to(self, elapsed_from: float, seconds: float) -> None:
        with self._lock:
            self.now = elapsed_from + seconds


@pytest.fixture
def server():
    with FakeAgentServer() as fake:
        yield fake


def fake_state(repo, queries, **settings) -> SimpleNamespace:
    return SimpleNamespace(settings=Settings(**settings), repository=repo, queries=queries)


@pytest.fixture
def make_screen(qtbot, repo, queries, server):
    made: list[CallController] = []

    def make(*, ports=None, partner=None, settings=None, **controller_kw) -> CallScreen:
        state = fake_state(repo, queries, **(settings or {}))
        controller = CallController(
            state,
            partner_factory=lambda: partner or FakePartner(server.http_url),
            audio_factory=(lambda: ports) if ports is not None else None,
            device_lister=lambda: (["Headset mic", "Laptop mic"], ["Headset", "Laptop speakers"]),
            **controller_kw,
        )
        made.append(controller)
        screen = CallScreen(controller, end_pause_ms=0)
        screen.setStyleSheet(theme.STYLESHEET + screen.styleSheet())  # as the app's global stylesheet would
        qtbot.addWidget(screen)
        screen.resize(1180, 820)
        screen.show()
        qtbot.waitExposed(screen)
        screen.activateWindow()
        qtbot.waitUntil(screen.isActiveWindow, timeout=WAIT_MS)  # window shortcuts (Space, Esc) need it
        return screen

    yield make
    for controller in made:
        controller.shutdown()


def call_plan(typed: bool, practice: bool = True) -> CallPlan:
    return CallPlan(PERSONA, SCENARIO, Difficulty.PRO, practice_mode=practice, typed=typed)


def connect_call(qtbot, screen: CallScreen, plan: CallPlan) -> None:
    assert screen.controller.place(plan)
    qtbot.waitUntil(lambda: screen.state is CallState.CONNECTED, timeout=WAIT_MS)
    wait_for_greeting(qtbot, screen)


def wait_for_greeting(qtbot, screen: CallScreen) -> None:
    """The agent says its first message as soon as the call connects, as the real service does."""
    qtbot.waitUntil(lambda: len(screen.page.transcript.model.entries()) >= 1, timeout=WAIT_MS)
    assert screen.page.transcript.model.entry(0).speaker is Speaker.SELLER


def entries_after_greeting(screen: CallScreen):
    """The transcript after the seller's greeting."""
    return screen.page.transcript.model.entries()[1:]


def agent_says(server, text: str, event_id: int) -> None:
    server.send_json({"type": "agent_response", "agent_response_event": {"agent_response": text, "event_id": event_id}})


def screenshot(widget, name: str, tmp_path: Path) -> Path:
    folder = Path(__file__).resolve().parents[3] / "docs" / "screenshots" if SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    image = widget.grab().toImage()
    assert image.save(str(path))
    colours = {image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}
    assert len(colours) > 20, f"{name}.png looks blank"
    return path


def place_and_fail(qtbot, screen: CallScreen, plan: CallPlan):
    screen.controller.place(plan)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.failure_page, timeout=WAIT_MS)
    return screen.failure_page


def portrait() -> QImage:
    """A camera-like frame: a wall, shoulders and a face, drawn smooth so the self-view looks like a webcam."""
    image = QImage(640, 480, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    wall = QLinearGradient(0, 0, 640, 480)
    wall.setColorAt(0, QColor("#9fb3c8"))
    wall.setColorAt(1, QColor("#5f7489"))
    painter.fillRect(image.rect(), wall)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#334155"))
    painter.drawEllipse(QPointF(320, 520), 220, 170)
    painter.setBrush(QColor("#e3b896"))
    painter.drawEllipse(QPointF(320, 230), 95, 115)
    painter.setBrush(QColor("#4b3425"))
    painter.drawChord(QRectF(222, 105, 196, 160), 0, 180 * 16)
    painter.end()
    return image

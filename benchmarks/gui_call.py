"""A call on the real call screen, for the GUI benchmarks: the app's store in a fresh home, the controller and screen
as the app builds them, a call placed and connected, and the call ended. Qt is imported only when a call is placed."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace


def fresh_home(prefix: str) -> Path:
    """An empty data folder the app under measurement uses instead of the user's."""
    home = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["ROLEPLAY_HOME"] = str(home)
    return home


def wait_for(condition, signal, seconds: float) -> bool:
    """Runs the event loop until `condition()` holds (checked whenever `signal` fires) or time runs out."""
    from PySide6.QtCore import QEventLoop, QTimer

    if condition():
        return True
    loop = QEventLoop()
    timer = QTimer(singleShot=True, interval=int(seconds * 1000))
    timer.timeout.connect(loop.quit)

    def check(*_args) -> None:
        if condition():
            loop.quit()

    signal.connect(check)
    timer.start()
    loop.exec()
    signal.disconnect(check)
    return condition()


@dataclass
class ScreenCall:
    controller: object  # desktop.ui.call.controller.CallController
    screen: object  # desktop.ui.call.screen.CallScreen
    store: object  # desktop.store.db.Store

    def hang_up(self) -> None:
        from desktop.voice.call.events import CallState

        self.controller.hang_up()
        wait_for(lambda: self.screen.state is CallState.ENDED, self.controller.adapter.ended, 10)
        self.controller.shutdown()
        self.store.close()


def place_call(home: Path, persona_id: str, difficulty, partner_factory, audio_factory, connect_s: float) -> ScreenCall:
    """A voice call in Practice mode on the first-contact scenario, shown at 1280x800 and connected."""
    from desktop.core.personas import load_builtin_personas
    from desktop.core.scenarios import load_scenarios
    from desktop.settings import Settings
    from desktop.store.db import Store
    from desktop.store.queries import SessionQueries
    from desktop.store.sessions import SessionRepository
    from desktop.ui.call.controller import CallController, CallPlan
    from desktop.ui.call.screen import CallScreen
    from desktop.voice.call.events import CallState

    store = Store.open(home / "roleplay.db", home / "backups")
    state = SimpleNamespace(settings=Settings(), repository=SessionRepository(store), queries=SessionQueries())
    persona = next(p for p in load_builtin_personas() if p.id == persona_id)
    scenario = next(s for s in load_scenarios() if s.id == "cold-call-first-contact")
    controller = CallController(
        state,
        partner_factory=partner_factory,
        audio_factory=audio_factory,
        device_lister=lambda: (["Headset mic"], ["Headset"]),
        max_seconds=None,
    )
    screen = CallScreen(controller, end_pause_ms=0)
    screen.resize(1280, 800)
    screen.show()
    controller.place(CallPlan(persona, scenario, difficulty, practice_mode=True, typed=False))
    if not wait_for(lambda: screen.state is CallState.CONNECTED, controller.adapter.state_changed, connect_s):
        raise SystemExit("the call did not connect")
    return ScreenCall(controller, screen, store)

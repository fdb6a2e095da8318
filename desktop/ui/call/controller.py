"""Places a practice call for the call screen: from a request (persona, scenario, difficulty, practice/exam,
voice/typing) to a running `desktop.voice.call.engine.Call` whose events reach the screen through the `CallAdapter`.

Everything that blocks (reading the catalog, starting the embedded partner, the trainee's memory, listing and
switching audio devices, saving settings) runs on a worker thread; results come back to the GUI thread. The devices of
a voice call are opened by the engine's control thread through the audio factory, never by the GUI.
"""

from __future__ import annotations

import gc
import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from desktop import settings as app_settings
from desktop.core.difficulty import Difficulty
from desktop.core.personas import Persona
from desktop.core.scenarios import Scenario
from desktop.core.vocabulary import Mode
from desktop.partner.host import PartnerHost, PartnerUnavailable, app_partner_host
from desktop.ui.call.adapter import CallAdapter
from desktop.ui.call.failure import setup_failure
from desktop.ui.widgets.tasks import run_in_background
from desktop.voice.call.engine import Call
from desktop.voice.call.planner import FROM_LIMITS, CallRefused, Limits, PlannedCall, plan_call, plan_debrief
from desktop.voice.call.setup import AudioFactory, AudioPorts, CallSetup

log = logging.getLogger(__name__)
_SETTINGS_SAVE_LOCK = threading.Lock()


@dataclass(frozen=True)
class CallPlan:
    """The call the trainee asked for, resolved to plain data the screen can show."""

    persona: Persona
    scenario: Scenario
    difficulty: Difficulty
    practice_mode: bool = True
    typed: bool = False
    debrief_of: int | None = None  # a coach debrief of this graded call, not a sales call

    @property
    def mode(self) -> str:
        return Mode.TEXT if self.typed else Mode.VOICE


def _level_source(device: object) -> Callable[[], float] | None:
    if not hasattr(device, "level"):
        return None
    return lambda: getattr(device, "level", 0.0)


class CallController(QObject):
    """One call at a time. `place_call(request)` / `place(plan)`, `hang_up()`, `retry()`, `shutdown()`."""

    preparing = Signal(object)  # CallPlan: show who is being called
    placed = Signal(object)  # CallPlan: the call runs; the adapter's signals follow
    setup_failed = Signal(object)  # Failure: nothing was placed
    cancelled = Signal()  # hung up before the call existed
    devices_listed = Signal(list, list, str, str)  # microphones, speakers, chosen microphone, chosen speaker
    device_problem = Signal(str)

    def __init__(
        self,
        state: Any,
        *,
        adapter: CallAdapter | None = None,
        partner_factory: Callable[[], Any] | None = None,
        audio_factory: Callable[[], AudioFactory] | None = None,
        device_lister: Callable[[], tuple[list[str], list[str]]] | None = None,
        connection_factory: Callable[..., Any] | None = None,
        clock: Callable[[], float] | None = None,
        max_seconds: float | None | str = FROM_LIMITS,
        parent: QObject | None = None,
    ) -> None:
        """`state` is desktop.bootstrap.AppState (settings, repository, queries). The keyword arguments are the
        seams tests use: a fake partner, in-memory audio ports, an injected clock, a time limit in seconds."""
        super().__init__(parent)
        self._state = state
        self.adapter = adapter or CallAdapter(self)
        self._partner = (
            PartnerHost(partner_factory) if partner_factory else app_partner_host(state.queries, lambda: state.settings)
        )
        self._audio_factory = audio_factory or self._default_audio_factory
        self._device_lister = device_lister
        self._connection_factory = connection_factory
        self._clock = clock
        self._max_seconds = max_seconds
        self._attempts = itertools.count(1)
        self._attempt = 0
        self._call: Call | None = None
        self._ports: AudioPorts | None = None
        self._last_plan: CallPlan | None = None
        self.usage_note = ""  # e.g. "3 of 5 practice calls left today", for the screen
        self.partner_note = ""  # what a voice call on the built-in partner can and cannot do, for the screen
        self.adapter.ended.connect(self._on_ended)

    # --- placing a call (GUI thread) -----------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._attempt != 0

    @property
    def call(self) -> Call | None:
        return self._call

    @property
    def last_plan(self) -> CallPlan | None:
        return self._last_plan

    def place_call(self, request: Any) -> bool:
        """From a desktop.ui.shell.requests.CallRequest (ids, not objects): the catalog is read off the GUI thread."""
        if self.busy:
            return False
        attempt = self._attempt = next(self._attempts)
        run_in_background(
            lambda: _resolve(self._catalog_factory(), request),
            lambda plan, error: self._resolved(attempt, plan, error),
        )
        return True

    def place(self, plan: CallPlan) -> bool:
        if self.busy:
            return False
        self._attempt = next(self._attempts)
        self._resolved(self._attempt, plan, None)
        return True

    def place_debrief(self, session_id: int, *, typed: bool = True) -> bool:
        """A coach debrief of a graded call: the same engine, the coach instead of the seller."""
        if self.busy:
            return False
        attempt = self._attempt = next(self._attempts)
        run_in_background(
            lambda: self._prepare_debrief(session_id, typed),
            lambda result, error: self._debrief_ready(attempt, result, error),
        )
        return True

    def _prepare_debrief(self, session_id: int, typed: bool) -> tuple[CallPlan, CallSetup]:
        planned = plan_debrief(
            self._state,
            session_id,
            mode=Mode.TEXT if typed else Mode.VOICE,
            partner_url=self._partner_url,
            max_seconds=self._limit_s(),
        )
        self._notes(planned)
        setup = planned.setup
        plan = CallPlan(setup.persona, setup.scenario, setup.difficulty, setup.practice_mode, typed, session_id)
        return plan, setup

    def _debrief_ready(self, attempt: int, result: tuple[CallPlan, CallSetup] | None, error: Exception | None) -> None:
        if attempt != self._attempt:
            return
        if error is not None or result is None:
            self._fail(error)
            return
        plan, setup = result
        self._last_plan = plan
        self.preparing.emit(plan)
        self._prepared(attempt, plan, setup, None)

    def retry(self) -> bool:
        plan = self._last_plan
        if plan is not None and plan.debrief_of is not None:
            return self.place_debrief(plan.debrief_of, typed=plan.typed)
        return plan is not None and self.place(plan)

    def retry_typed(self) -> bool:
        """The last call again, in typing mode: what is left when the sound system fails."""
        plan = self._last_plan
        if plan is None:
            return False
        if plan.debrief_of is not None:
            return self.place_debrief(plan.debrief_of, typed=True)
        return self.place(replace(plan, typed=True))

    def hang_up(self) -> None:
        if self._call is not None:
            self.adapter.hang_up()
        elif self.busy:  # still preparing: drop the attempt; its result is ignored when it arrives
            self._attempt = 0
            self.cancelled.emit()

    def _catalog_factory(self) -> Any:
        from desktop.store.catalog import PersonaCatalog

        return PersonaCatalog(self._state.queries)

    def _resolved(self, attempt: int, plan: CallPlan | None, error: Exception | None) -> None:
        if attempt != self._attempt:
            return
        if error is not None or plan is None:
            self._fail(error)
            return
        self._last_plan = plan
        self.preparing.emit(plan)
        run_in_background(lambda: self._prepare(plan), lambda setup, err: self._prepared(attempt, plan, setup, err))

    def _prepared(self, attempt: int, plan: CallPlan, setup: CallSetup | None, error: Exception | None) -> None:
        if attempt != self._attempt:
            return
        if error is not None or setup is None:
            self._fail(error)
            return
        listener = self.adapter.open_channel()
        kwargs: dict[str, Any] = {"listener": listener, "event_log_dir": app_settings.logs_dir()}
        if setup.mode == "voice":
            kwargs["audio_factory"] = self._wrap_audio(self._audio_factory())
        if self._connection_factory is not None:
            kwargs["connection_factory"] = self._connection_factory
        if self._clock is not None:
            kwargs["clock"] = self._clock
        try:
            call = Call(setup, self._state.repository, **kwargs)
        except Exception as exc:
            log.exception("the call could not be created")
            self._fail(exc)
            return
        self._call = call
        self.adapter.attach(call)
        # Everything alive now (the app, its widgets, its modules) is moved out of the collector's reach until the call
        # ends: a full collection over all of it takes tens of ms with the GIL held, a visible stall mid-call.
        gc.freeze()
        call.start()  # returns at once: the call runs on its own threads
        self.placed.emit(plan)

    def _fail(self, error: Exception | None) -> None:
        self._attempt = 0
        if isinstance(error, CallRefused):
            failure = setup_failure(error.message, error.settings_help)
        else:
            log.error("placing the call failed: %r", error)
            failure = setup_failure(f"Something went wrong while placing the call: {error}")
        self.setup_failed.emit(failure)

    @Slot(object)
    def _on_ended(self, _outcome: object) -> None:
        gc.unfreeze()
        self._call = None
        self._ports = None
        self._attempt = 0

    # --- worker thread -------------------------------------------------------------------------------------------

    def _prepare(self, plan: CallPlan) -> CallSetup:
        """The day's limits apply (the team backend's last known ones, else Settings): a call over the daily cap is
        refused, and the screen notes how many are left."""
        planned = plan_call(
            self._state,
            persona=plan.persona,
            scenario=plan.scenario,
            difficulty=plan.difficulty,
            mode=plan.mode,
            practice_mode=plan.practice_mode,
            partner_url=self._partner_url,
            limits=Limits(enforce=True, max_seconds=self._max_seconds),
        )
        self._notes(planned)
        return planned.setup

    def _notes(self, planned: PlannedCall) -> None:
        self.usage_note = planned.usage_note  # a debrief is not a practice call: it has none
        self.partner_note = planned.partner_note

    def _limit_s(self) -> float | None:
        if self._max_seconds != FROM_LIMITS:
            return self._max_seconds  # type: ignore[return-value]
        minutes = self._state.settings.max_session_minutes
        return minutes * 60.0 if minutes else None

    def _partner_url(self) -> str:
        try:
            return self._partner.url()
        except PartnerUnavailable as exc:
            raise CallRefused(str(exc)) from exc

    def _default_audio_factory(self) -> AudioFactory:
        from desktop.voice.audio.ports import DeviceAudioFactory

        settings = self._state.settings
        return DeviceAudioFactory(settings.input_device, settings.output_device, echo_guard=settings.echo_guard)

    def _wrap_audio(self, factory: AudioFactory) -> AudioFactory:
        """Runs on the call's control thread: keeps the ports for device switching and the adapter's meters."""

        def make(*args: Any) -> AudioPorts:
            ports = factory(*args)
            self._ports = ports
            self.adapter.set_level_sources(_level_source(ports.microphone), _level_source(ports.speaker))
            return ports

        return make

    # --- devices -------------------------------------------------------------------------------------------------

    def list_devices(self) -> None:
        """Lists microphones and speakers off the GUI thread; `devices_listed` follows."""

        def listed(result: tuple[list[str], list[str]] | None, error: Exception | None) -> None:
            inputs, outputs = result if result is not None else ([], [])
            settings = self._state.settings
            self.devices_listed.emit(inputs, outputs, settings.input_device, settings.output_device)

        lister = self._device_lister
        if lister is None:
            from desktop.voice.audio.ports import device_names

            lister = device_names
        run_in_background(lister, listed)

    @property
    def settings(self) -> Any:
        return self._state.settings

    def choose_camera(self, description: str) -> None:
        """Remembers the trainee's camera for the next call (the self-view switches to it at once)."""
        self._state.settings.camera = description
        run_in_background(self._save_settings, lambda _r, _e: None)

    def _save_settings(self) -> None:
        """Worker thread. One save at a time: two at once would race on the settings file's temp copy."""
        with _SETTINGS_SAVE_LOCK:
            app_settings.save_settings(self._state.settings)

    def choose_input(self, name: str) -> None:
        self._choose_device("input_device", name, "microphone")

    def choose_output(self, name: str) -> None:
        self._choose_device("output_device", name, "speaker")

    def _choose_device(self, field: str, name: str, port: str) -> None:
        """Switches the running call to the device, and remembers it for the next call once it works."""
        settings = self._state.settings
        previous = getattr(settings, field)
        setattr(settings, field, name)
        ports = self._ports
        device = getattr(ports, port, None) if ports is not None else None
        if device is None or not hasattr(device, "switch"):
            run_in_background(self._save_settings, lambda _r, _e: None)
            return

        def switched(_result: object, error: Exception | None) -> None:
            if error is None:
                run_in_background(self._save_settings, lambda _r, _e: None)
                return
            setattr(settings, field, previous)
            message = getattr(error, "message", "") or f"The {port} could not be switched."
            self.device_problem.emit(f"{message} The call goes on with the previous {port}.")

        run_in_background(lambda: device.switch(name), switched)

    # --- the end -------------------------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """At app exit: hang up, wait briefly for the call to close, stop the partner."""
        call = self._call
        if call is not None:
            call.hang_up()
            call.wait_ended(5.0)
            call.join()
            gc.unfreeze()
        self._partner.stop()


def _resolve(catalog: Any, request: Any) -> CallPlan:
    persona = catalog.persona(request.persona_id)
    if persona is None:
        raise CallRefused("That seller is no longer in your contacts. Pick another one and call again.")
    scenario = catalog.scenario(request.scenario_id)
    if scenario is None:
        raise CallRefused("That kind of call is not available any more. Pick another scenario and call again.")
    try:
        difficulty = Difficulty.parse(request.difficulty)
    except ValueError as exc:
        raise CallRefused(str(exc)) from exc
    return CallPlan(persona, scenario, difficulty, bool(request.practice_mode), bool(request.typed))

"""Wires the services to the screens: the window and tray first (painted at once), then, once the store has opened
off the GUI thread, the presenters, the call controller, the grading queue and sync.

Every connection between a screen and a service is made here, so the screens know nothing of each other.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from desktop import settings as app_settings
from desktop.bootstrap import AppState, open_app_state
from desktop.ui.contacts.dialer import DialerPage
from desktop.ui.contacts.page import ContactsPage
from desktop.ui.onboarding.first_run import first_run_due
from desktop.ui.settings.page import SettingsPage
from desktop.ui.shell.main_window import MainWindow
from desktop.ui.shell.notes import DesktopNotes
from desktop.ui.shell.requests import CallRequest
from desktop.ui.shell.single_instance import CALL, OPEN, QUICK_CALL, InstanceRequest, InstanceServer
from desktop.ui.shell.tray import TrayIcon
from desktop.ui.widgets.tasks import run_in_background

log = logging.getLogger(__name__)

SYNC_KINDS = {
    "off": "off",
    "synced": "ok",
    "pending": "pending",
    "offline": "offline",
    "sign_in_needed": "error",
    "rejected": "error",
}


class _SyncRelay(QObject):
    """Sync status changes and finished refreshes arrive on the sync thread; the screens are updated on the GUI
    thread."""

    changed = Signal(object)  # SyncState
    refreshed = Signal(object)  # SyncReport of a refresh that brought something new


class AppShell:
    def __init__(self, app: QApplication, server: InstanceServer, *, start_hidden: bool, pending: InstanceRequest):
        self.app = app
        self.server = server
        self.state: AppState | None = None
        self._services: dict[str, Any] = {}
        self._pending = pending if pending.action != OPEN else None
        self.window = MainWindow()
        self.contacts = ContactsPage()
        self.dialer = DialerPage()
        self.settings_page = SettingsPage()
        self.window.add_page("contacts", self.contacts)
        self.window.add_page("dialer", self.dialer)
        self.window.add_page("settings", self.settings_page)
        self.window.restore_last_page()
        self.tray = TrayIcon()
        self.notes = DesktopNotes(self.tray, self.window)  # a grade while hidden, sync needing a sign-in
        if self.tray.show():
            self.tray.attach_window(self.window)
        else:  # no tray on this desktop: closing the window must quit, or the app would be unreachable
            self.window.set_close_to_tray(False)
            app.setQuitOnLastWindowClosed(True)
        if not start_hidden:
            self.window.show()
        self.window.set_sync_status("Opening your data...", "busy")
        server.request_received.connect(self._on_instance_request)
        run_in_background(self._open_services, self._opened)

    # --- the first-run guide ----------------------------------------------------------------------------------------

    def show_first_run(self) -> None:
        """The guide over the window: on a first start, and from Help → Getting started."""
        from desktop.core.personas import load_builtin_personas
        from desktop.ui.onboarding.first_run import NAMES_NOT_CHOSEN, FirstRunGuide, suggested_first_call
        from desktop.ui.onboarding.sound_check import hear_hello
        from desktop.ui.settings.presenter import play_test_sound

        state = self.state
        if state is None:
            return
        settings = state.settings
        persona_id, suggestion = suggested_first_call(load_builtin_personas())
        guide = FirstRunGuide(
            listen=lambda: hear_hello(settings.input_device),
            play=lambda: play_test_sound(settings.output_device),
            suggestion=suggestion,
            name="" if settings.trainee_name.strip() in NAMES_NOT_CHOSEN else settings.trainee_name,
            parent=self.window,
        )
        guide.finished.connect(lambda name: self._first_run_over(name, persona_id))
        guide.skipped.connect(lambda: self._first_run_over("", ""))
        self._services["first_run"] = guide
        self.window.show()
        guide.open()

    def _first_run_over(self, name: str, persona_id: str) -> None:
        """Saves what the guide set (Settings can change all of it) and lands on the contacts."""
        from desktop.ui.settings.presenter import save_settings_in_background

        state = self.state
        if state is None:
            return
        changes = {"first_run_done": True, **({"trainee_name": name} if name else {})}
        state.settings = dataclasses.replace(state.settings, **changes)
        save_settings_in_background(state.settings)
        presenter = self._services.get("settings_presenter")
        if presenter is not None:
            presenter.load()
        self.window.show_page("contacts")
        if persona_id:
            self.contacts.select_persona(persona_id)  # the suggested first call, ready to dial

    # --- start-up -----------------------------------------------------------------------------------------------

    @staticmethod
    def _open_services() -> tuple[AppState, Any, Any, str | None]:
        """Off the GUI thread: opening may migrate the database; grading starts on what a crash left ungraded; sync
        reads its token from the keyring (a D-Bus round trip on Linux) and counts what is pending. Also what was
        wrong with settings.json, read right after the load that found it (a later load finds the repaired file)."""
        from desktop.grading.queue import GradingQueue
        from desktop.sync.service import SyncService

        state = open_app_state()
        settings_problem = app_settings.load_problem()
        grading = GradingQueue(state.repository, state.queries)
        grading.enqueue_pending()
        return state, grading, SyncService.from_state(state), settings_problem

    def _opened(self, result: tuple[AppState, Any, Any, str | None] | None, error: Exception | None) -> None:
        if error is not None or result is None:
            self.window.show_banner(f"Your data could not be opened: {error}", "error")
            self.window.set_sync_status("No data", "error")
            return
        self.state, grading, sync, settings_problem = result
        self._services["grading"] = grading
        self._build_screens(self.state, grading)
        self._start_sync(sync)
        notes = []
        if settings_problem:  # moved aside, never overwritten: the user should know, and where it went
            notes.append(settings_problem)
        if self.state.recovered_sessions:
            count = len(self.state.recovered_sessions)
            notes.append(
                f"{count} call{'s were' if count > 1 else ' was'} cut short last time; "
                "what was said is kept and graded in History."
            )
        if notes:
            self.window.show_banner(" ".join(notes), "warning" if settings_problem else "info")
        if self._pending is not None:
            self._on_instance_request(self._pending)
            self._pending = None
        self.window.help_button.guide_requested.connect(self.show_first_run)
        if first_run_due(self.state.settings.trainee_name, self.state.settings.first_run_done):
            self.show_first_run()
        # What start-up built lives as long as the app: keep it out of later collections, whose full passes over
        # every widget and module otherwise stall a frame by tens of ms (benchmarks/history_scroll.py).
        gc.collect()
        gc.freeze()

    def _build_screens(self, state: AppState, grading: Any) -> None:
        from desktop.store.catalog import PersonaCatalog
        from desktop.ui.call.close_guard import CallCloseGuard
        from desktop.ui.call.controller import CallController
        from desktop.ui.call.screen import CallScreen
        from desktop.ui.contacts.presenter import ContactsPresenter
        from desktop.ui.history.presenter import HistoryPresenter
        from desktop.ui.history.view import HistoryView
        from desktop.ui.session.feedback import FeedbackScreen
        from desktop.ui.session.presenters import FeedbackPresenter, GradingRelay, ReviewPresenter
        from desktop.ui.session.review import ReviewScreen
        from desktop.ui.settings.presenter import SettingsPresenter
        from desktop.ui.shell.tray_data import load_tray_data

        window = self.window
        contacts_presenter = ContactsPresenter(state, self.contacts, self.dialer)
        contacts_presenter.reload()
        settings_presenter = SettingsPresenter(state, self.settings_page)
        settings_presenter.load()
        catalog = PersonaCatalog(state.queries)

        def tray_data():
            return load_tray_data(state.queries, catalog, state.settings.practice_mode)

        self.tray.set_loader(tray_data)

        history = HistoryView()
        history_presenter = HistoryPresenter(state, history)
        feedback = FeedbackScreen()
        feedback.set_debrief_enabled(True)
        feedback_presenter = FeedbackPresenter(state, feedback)
        feedback.regrade_requested.connect(lambda session_id: grading.enqueue(session_id, force=True))
        review = ReviewScreen()
        review_presenter = ReviewPresenter(state, review)
        # A line corrected in the review is graded again the way "Grade again" is.
        review_presenter.regrade_requested.connect(lambda session_id: grading.enqueue(session_id, force=True))
        controller = CallController(state)
        call_screen = CallScreen(controller)
        for key, page in (("history", history), ("call", call_screen), ("feedback", feedback), ("review", review)):
            window.add_page(key, page)
        call_guard = CallCloseGuard(window, call_screen, self.tray)  # closing mid-call asks; the tray shows the call
        history_presenter.refresh()

        relay = GradingRelay()
        grading.add_listener(relay.on_grading_event)
        relay.graded.connect(feedback_presenter.grade_arrived)
        relay.graded.connect(review_presenter.grade_arrived)
        relay.failed.connect(review_presenter.grading_failed)
        relay.failed.connect(feedback_presenter.grading_failed)
        relay.progress.connect(feedback_presenter.grading_progress)
        relay.graded.connect(history_presenter.session_updated)
        relay.graded.connect(lambda _sid: (contacts_presenter.reload(), self.tray.refresh(), self._sync_flush()))
        relay.graded.connect(self.notes.grade_arrived)

        def start_call(request: CallRequest) -> None:
            window.show_page("call")
            window.bring_to_front()  # also when a call runs already: the trainee is shown that one
            if not controller.busy:
                controller.place_call(in_assigned_mode(request))

        def in_assigned_mode(request: CallRequest) -> CallRequest:
            """A call that counts for an assignment given in Exam mode is an exam, wherever it was started from
            (Contacts, the dial pad, Call again, the tray, a second launch)."""
            counts = self.contacts.is_assigned_exam(request.persona_id, request.scenario_id, request.difficulty)
            return dataclasses.replace(request, practice_mode=False) if counts else request

        def call_finished(session_id: int) -> None:
            plan = controller.last_plan
            history_presenter.refresh()
            if plan is not None and plan.debrief_of is not None:
                self._finish_debrief(session_id)
                open_review(session_id)
                return
            grading.enqueue(session_id)
            window.show_page("feedback")
            feedback_presenter.show_session(session_id)

        def open_review(session_id: int) -> None:
            window.show_page("review")
            review_presenter.open_session(session_id)

        def call_again(persona_id: str, scenario_id: str, difficulty: str) -> None:
            start_call(CallRequest(persona_id, scenario_id, difficulty, state.settings.practice_mode))

        def debrief(session_id: int) -> None:
            window.show_page("call")
            controller.place_debrief(session_id)

        self.contacts.call_requested.connect(start_call)
        self.dialer.call_requested.connect(start_call)
        self.tray.quick_call_requested.connect(start_call)
        self.tray.session_requested.connect(open_review)
        call_screen.call_finished.connect(call_finished)
        call_screen.closed.connect(lambda: window.show_page("contacts"))
        call_screen.settings_requested.connect(lambda: window.show_page("settings"))
        feedback.replay_requested.connect(open_review)
        feedback.call_again_requested.connect(call_again)
        feedback.debrief_requested.connect(debrief)
        history.open_requested.connect(open_review)
        review.back_requested.connect(lambda: window.show_page("history"))
        review.deleted.connect(history_presenter.session_deleted)
        review.deleted.connect(lambda _sid: (window.show_page("history"), contacts_presenter.reload()))

        def quick_call() -> None:
            """The last persona and scenario, or a suggested one: worked out from history off the GUI thread."""
            run_in_background(
                tray_data,
                lambda data, error: start_call(data.quick_call) if error is None and data.quick_call else None,
            )

        self._services.update(
            quick_call=quick_call,
            controller=controller,
            settings_presenter=settings_presenter,
            start_call=start_call,
            call_guard=call_guard,
            contacts_presenter=contacts_presenter,
            history_presenter=history_presenter,
            keep=[feedback_presenter, review_presenter, relay],
        )

    def _finish_debrief(self, coach_session_id: int) -> None:
        from desktop.voice.call.debrief import finish_debrief

        state = self.state
        assert state is not None

        def saved(goal, error: Exception | None) -> None:
            if error is not None:
                self.window.show_banner(f"The coach's goal could not be saved: {error}", "error")
            elif goal is not None:
                self.window.show_banner(f"Goal for your next call: {goal.text}", "info")

        run_in_background(lambda: finish_debrief(state.repository, state.queries, coach_session_id), saved)

    # --- sync ---------------------------------------------------------------------------------------------------

    def _start_sync(self, sync: Any) -> None:
        relay = _SyncRelay()
        relay.changed.connect(self._show_sync_state)
        relay.refreshed.connect(self._sync_refreshed)
        sync.status.add_listener(relay.changed.emit)
        sync.add_refresh_listener(relay.refreshed.emit)
        self._services.update(sync=sync, sync_relay=relay)
        self._show_sync_state(sync.status.state)
        if sync.configured:
            sync.start()
            self._watch_network(sync)

    def _show_sync_state(self, sync_state: Any) -> None:
        self.window.set_sync_status(sync_state.label, SYNC_KINDS.get(sync_state.phase.value, "ok"))
        self.tray.set_status_tip(f"Roleplay Trainer - {sync_state.description}")
        self.notes.sync_changed(sync_state)

    def _sync_refreshed(self, report: Any) -> None:
        """A refresh brought team personas, assignments or another device's calls: the screens showing them read
        them again now, not when next opened."""
        if report.changed_contacts:
            self._services["contacts_presenter"].reload()
        if report.changed_history:
            self._services["history_presenter"].refresh()
        self.tray.refresh()  # its recent calls and its quick call's seller

    def _watch_network(self, sync: Any) -> None:
        """Going online flushes the outbox at once (the next successful request does too, without this)."""
        from PySide6.QtNetwork import QNetworkInformation

        if not QNetworkInformation.loadDefaultBackend() or QNetworkInformation.instance() is None:
            return
        info = QNetworkInformation.instance()

        def reachability_changed(reachability: QNetworkInformation.Reachability) -> None:
            if reachability == QNetworkInformation.Reachability.Online:
                sync.online()

        info.reachabilityChanged.connect(reachability_changed)

    def _sync_flush(self) -> None:
        sync = self._services.get("sync")
        if sync is not None and sync.running:
            sync.flush_now()

    # --- other launches -----------------------------------------------------------------------------------------

    def _on_instance_request(self, request: InstanceRequest) -> None:
        self.window.bring_to_front()
        start_call = self._services.get("start_call")
        if start_call is None:  # still opening: run it once the screens exist
            self._pending = request
            return
        if request.action == QUICK_CALL:
            self._services["quick_call"]()
        elif request.action == CALL and request.call is not None:
            start_call(request.call)

    # --- quitting -----------------------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Hang up, stop the workers, then close the store (they write through it)."""
        services = self._services
        for name, stop in (
            ("controller", lambda c: c.shutdown()),
            ("settings_presenter", lambda p: p.shutdown()),
            ("sync", lambda s: s.stop()),
            ("grading", lambda g: g.stop()),
        ):
            if name in services:
                try:
                    stop(services[name])
                except Exception:
                    log.exception("stopping %s failed", name)
        self.server.close()
        if self.state is not None:
            self.state.close()

"""`roleplay call`: a practice call with no window, typed (--say / --script) or spoken from a WAV (--mic-wav).

The session is stored exactly as the GUI stores it. Typed turns are sent one at a time, each after the seller's
reply; the call hangs up after the last turn's reply, when the agent hangs up, or at the time limit. Errors are one
plain line on stderr and exit code 1, with the partial session kept.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from desktop import settings as app_settings
from desktop.bootstrap import AppState
from desktop.cli import CommandError
from desktop.core.difficulty import Difficulty
from desktop.core.personas import Persona
from desktop.core.scenarios import Scenario
from desktop.core.transcript import Speaker
from desktop.store.catalog import PersonaCatalog
from desktop.store.documents import session_document
from desktop.voice.agent_target import AgentNotConfigured, choose_agent, target_for
from desktop.voice.call import Call, CallSetup
from desktop.voice.call_events import CallEnded, CallEvent, CallOutcome, Connected, FinalLine, TimeWarning
from desktop.voice.call_memory import memory_for

EXIT_CALL_FAILED = 1
DEFAULT_SCENARIO = "cold-call-first-contact"
WAV_REPLY_WAIT_S = 20.0  # after the WAV ends, how long the seller has to answer before we hang up
REPLY_TIMEOUT_S = 60.0
GREETING_WAIT_S = 4.0  # how long a typed turn waits for the seller before the call is given up


def run(state: AppState, args: argparse.Namespace) -> int:
    catalog = PersonaCatalog(state.queries)
    persona = _persona(catalog, args.persona)
    scenario = _scenario(catalog, args.scenario or DEFAULT_SCENARIO)
    difficulty = _difficulty(args.difficulty)
    turns = _turns(args)
    if not turns and not args.mic_wav:
        raise CommandError("give the trainee's side: --say TEXT, --script FILE or --mic-wav FILE")
    if turns and args.mic_wav:
        raise CommandError("choose typed turns (--say/--script) or --mic-wav, not both")
    try:
        choice = choose_agent(state.settings, args.agent)
    except AgentNotConfigured as exc:
        raise CommandError(str(exc)) from exc

    with ExitStack() as stack:
        partner_url = ""
        if choice.kind == "partner":
            partner_url = _start_partner(stack, catalog)
        mode = "voice" if args.mic_wav else "text"
        summary, variables = memory_for(state.queries, persona.id)
        setup = CallSetup(
            persona=persona,
            scenario=scenario,
            difficulty=difficulty,
            target=target_for(choice, partner_url),
            mode=mode,
            practice_mode=state.settings.practice_mode,
            trainee_name=state.settings.trainee_name,
            max_seconds=_max_seconds(args, state.settings),
            trainee_summary=summary,
            memory_variables=variables,
        )
        printer = _Printer(quiet=args.json)
        driver = _TypedTurns(turns, printer)
        audio_factory = None
        if args.mic_wav:
            audio_factory = _wav_audio(Path(args.mic_wav), stack)
        call = Call(
            setup,
            state.repository,
            listener=driver,
            audio_factory=audio_factory,
            event_log_dir=app_settings.logs_dir(),
        )
        driver.call = call
        call.start()
        if audio_factory is not None:
            outcome = _follow_wav_call(call, audio_factory, driver, _wait_budget(setup, turns))
        else:
            outcome = call.wait_ended(_wait_budget(setup, turns))
        if outcome is None:  # a stuck agent: hang up ourselves and give the call a moment to close
            call.hang_up()
            outcome = call.wait_ended(10.0)
        driver.cancel()
        call.join()
    if outcome is None or outcome.session_id is None:
        print("roleplay: the call could not be placed" + (f": {outcome.message}" if outcome else ""), file=sys.stderr)
        return EXIT_CALL_FAILED
    _grade(state, outcome.session_id)
    record = state.queries.get_session(outcome.session_id)
    if args.json and record is not None:
        print(json.dumps(session_document(record, state.settings.device_id, include_local_id=True), indent=2))
    elif record is not None:
        printer.summary(outcome, record)
    if outcome.is_error:
        print(f"roleplay: {outcome.message} (session {outcome.session_id} was kept)", file=sys.stderr)
        return EXIT_CALL_FAILED
    return 0


def _follow_wav_call(call: Call, factory, driver: _TypedTurns, budget: float) -> CallOutcome | None:
    """Hang up once the WAV has played and the seller has answered it (or stayed silent for a while)."""
    deadline = time.monotonic() + budget
    quiet_deadline = None
    while (outcome := call.wait_ended(0.25)) is None and time.monotonic() < deadline:
        mic = factory.microphone
        if mic is None or not mic.finished.is_set():
            continue
        if quiet_deadline is None:
            quiet_deadline = time.monotonic() + WAV_REPLY_WAIT_S
            driver.seller_lines_at_wav_end = driver.seller_lines
        if driver.seller_lines > driver.seller_lines_at_wav_end or time.monotonic() > quiet_deadline:
            call.hang_up()
            return call.wait_ended(10.0)
    return outcome


class _TypedTurns:
    """Sends the next typed turn each time the seller finishes a reply; hangs up after the last one is answered."""

    def __init__(self, turns: list[str], printer: _Printer) -> None:
        self.call: Call | None = None
        self._turns = list(turns)
        self._printer = printer
        self._waiting_for_reply = False
        self._lock = threading.Lock()
        self.seller_lines = 0
        self.seller_lines_at_wav_end = 0
        self._greeting_timer: threading.Timer | None = None

    def __call__(self, event: CallEvent) -> None:
        self._printer.event(event)
        if isinstance(event, FinalLine) and event.line.speaker is not Speaker.TRAINEE:
            self.seller_lines += 1
        if self.call is None or not isinstance(event, (Connected, FinalLine)):
            return
        if isinstance(event, FinalLine) and event.line.speaker is Speaker.TRAINEE:
            return
        if isinstance(event, Connected):
            # The seller normally speaks first and the first turn follows the greeting; an agent with no first
            # message would wait forever, so the trainee opens after a short silence.
            self._greeting_timer = threading.Timer(GREETING_WAIT_S, self._open_if_silent)
            self._greeting_timer.daemon = True
            self._greeting_timer.start()
            return
        self._next_turn()

    def _open_if_silent(self) -> None:
        if self.seller_lines == 0:
            self._next_turn()

    def cancel(self) -> None:
        if self._greeting_timer is not None:
            self._greeting_timer.cancel()

    def _next_turn(self) -> None:
        assert self.call is not None
        with self._lock:
            if not self._turns and not self._waiting_for_reply:
                return  # a voice call (--mic-wav): nothing typed to send
            if not self._turns:
                if self._waiting_for_reply:  # the last turn has its answer
                    self._waiting_for_reply = False
                    self.call.hang_up()
                return
            self.call.send_text(self._turns.pop(0))
            self._waiting_for_reply = True


class _Printer:
    def __init__(self, quiet: bool) -> None:
        self._quiet = quiet

    def event(self, event: CallEvent) -> None:
        if self._quiet:
            return
        if isinstance(event, Connected):
            print("Connected.", flush=True)
        elif isinstance(event, FinalLine):
            who = "You" if event.line.speaker is Speaker.TRAINEE else "Seller"
            print(f"{who}: {event.line.text}", flush=True)
        elif isinstance(event, TimeWarning):
            print(f"-- {int(event.remaining_s // 60)} minutes left --", flush=True)
        elif isinstance(event, CallEnded):
            print(f"Call ended ({event.outcome.end_reason.value}).", flush=True)

    def summary(self, outcome: CallOutcome, record) -> None:
        grade = record.grade
        score = f"overall {grade.overall}/100 ({grade.grader})" if grade is not None else "not graded yet"
        print(
            f"Session {outcome.session_id}: {outcome.line_count} lines, {outcome.duration_s:.0f} s, "
            f"{outcome.status}, {score}."
        )


def _persona(catalog: PersonaCatalog, persona_id: str) -> Persona:
    persona = catalog.persona(persona_id)
    if persona is None:
        known = ", ".join(p.id for p in catalog.personas()[:5])
        raise CommandError(f"no persona {persona_id!r} (see roleplay personas list; for example {known})")
    return persona


def _scenario(catalog: PersonaCatalog, scenario_id: str) -> Scenario:
    scenario = catalog.scenario(scenario_id)
    if scenario is None:
        known = ", ".join(s.id for s in catalog.scenarios())
        raise CommandError(f"no scenario {scenario_id!r}; choose one of {known}")
    return scenario


def _difficulty(text: str | None) -> Difficulty:
    if not text:
        return Difficulty.ROOKIE
    try:
        return Difficulty.parse(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


def _turns(args: argparse.Namespace) -> list[str]:
    turns = [t.strip() for t in args.say if t.strip()]
    if args.script:
        try:
            text = Path(args.script).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read the script {args.script}: {exc}") from exc
        turns += [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return turns


def _max_seconds(args: argparse.Namespace, settings: app_settings.Settings) -> float | None:
    if args.max_seconds:
        return float(args.max_seconds)
    return settings.max_session_minutes * 60.0 if settings.max_session_minutes else None


def _wait_budget(setup: CallSetup, turns: list[str]) -> float:
    """Long enough for every turn's reply (or the time limit), so a dead agent cannot hang the command."""
    budget = REPLY_TIMEOUT_S * (len(turns) + 2)
    if setup.max_seconds:
        budget = min(budget, setup.max_seconds + 30.0) if turns else setup.max_seconds + 30.0
    return budget


def _start_partner(stack: ExitStack, catalog: PersonaCatalog) -> str:
    from desktop.voice.partner import PracticePartner

    partner = PracticePartner(catalog=catalog)
    url = partner.start()
    stack.callback(partner.stop)
    return url


def _wav_audio(path: Path, stack: ExitStack):
    from desktop.voice.wav_source import WavAudioFactory

    try:
        factory = WavAudioFactory(path)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    stack.callback(factory.close)
    return factory


def _grade(state: AppState, session_id: int) -> None:
    from desktop.grading.queue import grade_session

    try:
        grade_session(state.repository, state.queries, session_id)
    except Exception as exc:  # the session is stored; the queue grades it at the next start
        print(f"roleplay: grading failed ({exc}); it will be retried when the app starts", file=sys.stderr)

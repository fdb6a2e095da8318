"""`roleplay call`: a practice call with no window, typed (--say / --script) or spoken from a WAV (--mic-wav).

The session is stored exactly as the GUI stores it. Typed turns are sent one at a time, each after the seller's
reply; the call hangs up after the last turn's reply, when the agent hangs up, or at the time limit. Errors are one
plain line on stderr and exit code 1, with the partial session kept.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from desktop import settings as app_settings
from desktop.bootstrap import AppState
from desktop.cli.errors import CommandError
from desktop.cli.headless import (
    CallPrinter,
    TypedTurns,
    hang_up_if_stuck,
    read_turns,
    start_partner,
    wait_budget,
)
from desktop.core.difficulty import Difficulty
from desktop.core.personas import Persona
from desktop.core.results import grader_words
from desktop.core.scenarios import Scenario
from desktop.core.vocabulary import Mode, Status
from desktop.speech.system_voice import partner_speech
from desktop.store.catalog import PersonaCatalog
from desktop.store.disk import DiskFullError, disk_is_full
from desktop.store.documents import session_document
from desktop.voice.call.engine import Call
from desktop.voice.call.events import CallOutcome
from desktop.voice.call.planner import FROM_LIMITS, CallRefused, Limits, plan_call

EXIT_CALL_FAILED = 1
DEFAULT_SCENARIO = "cold-call-first-contact"
WAV_REPLY_WAIT_S = 20.0  # after the WAV ends, how long the seller has to answer before we hang up
WAV_TURN_SETTLE_S = 3.0  # longer than an agent's end-of-turn silence, so speech at the WAV's end becomes a turn


def run(state: AppState, args: argparse.Namespace) -> int:
    catalog = PersonaCatalog(state.queries)
    persona = _persona(catalog, args.persona)
    scenario = _scenario(catalog, args.scenario or DEFAULT_SCENARIO)
    difficulty = _difficulty(args.difficulty)
    turns = read_turns(args.say, args.script)
    if not turns and not args.mic_wav:
        raise CommandError("give the trainee's side: --say TEXT, --script FILE or --mic-wav FILE")
    if turns and args.mic_wav:
        raise CommandError("choose typed turns (--say/--script) or --mic-wav, not both")
    with ExitStack() as stack:

        def partner_url() -> str:
            speech = partner_speech(state.settings) if args.mic_wav else None  # a typed call stays text-only
            return start_partner(stack, catalog, speech)

        try:
            setup = plan_call(
                state,
                persona=persona,
                scenario=scenario,
                difficulty=difficulty,
                mode=Mode.VOICE if args.mic_wav else Mode.TEXT,
                practice_mode=state.settings.practice_mode,
                partner_url=partner_url,
                agent=args.agent,
                limits=Limits(
                    enforce=not args.ignore_limits,
                    max_seconds=float(args.max_seconds) if args.max_seconds else FROM_LIMITS,
                ),
            ).setup
        except CallRefused as exc:
            raise CommandError(exc.message) from exc
        printer = CallPrinter(quiet=args.json)
        driver = TypedTurns(turns, printer)
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
            outcome = _follow_wav_call(call, audio_factory, driver, wait_budget(setup, turns))
        else:
            outcome = call.wait_ended(wait_budget(setup, turns))
        outcome = hang_up_if_stuck(call, outcome)
        driver.cancel()
        call.join()
    if outcome is None or outcome.session_id is None:
        print("roleplay: the call could not be placed" + (f": {outcome.message}" if outcome else ""), file=sys.stderr)
        return EXIT_CALL_FAILED
    if disk_is_full(app_settings.data_dir()):
        # Say why, rather than "internal error": every line committed before the disk filled is kept, and the
        # call is recovered (ended and graded) by the next command once there is room.
        print(f"roleplay: {DiskFullError(app_settings.data_dir())} (session {outcome.session_id})", file=sys.stderr)
        return EXIT_CALL_FAILED
    _grade(state, outcome.session_id)
    record = state.queries.get_session(outcome.session_id)
    if args.json and record is not None:
        print(json.dumps(session_document(record, state.settings.device_id, include_local_id=True), indent=2))
    elif record is not None:
        _print_summary(outcome, record)
    if outcome.is_error:
        print(f"roleplay: {outcome.message} (session {outcome.session_id} was kept)", file=sys.stderr)
        return EXIT_CALL_FAILED
    if record is None or record.summary.status == Status.ACTIVE:  # the call ended but its end was not stored
        print(f"roleplay: the end of session {outcome.session_id} could not be saved", file=sys.stderr)
        return EXIT_CALL_FAILED
    return 0


def _follow_wav_call(call: Call, factory, driver: TypedTurns, budget: float) -> CallOutcome | None:
    """Hang up once the WAV has played and the seller has answered its last turn (or stayed silent for a while)."""
    deadline = time.monotonic() + budget
    wav_end = None
    while (outcome := call.wait_ended(0.25)) is None and time.monotonic() < deadline:
        mic = factory.microphone
        if mic is None or not mic.finished.is_set():
            continue
        now = time.monotonic()
        if wav_end is None:
            wav_end = now
            driver.seller_lines_at_wav_end = driver.seller_lines
        answered_after_end = driver.seller_lines > driver.seller_lines_at_wav_end
        # The seller spoke last and the end of the WAV has had time to become a trainee turn: nothing is pending.
        answered_before_end = driver.last_line_is_sellers and now - wav_end > WAV_TURN_SETTLE_S
        if answered_after_end or answered_before_end or now - wav_end > WAV_REPLY_WAIT_S:
            call.hang_up()
            return call.wait_ended(10.0)
    return outcome


def _print_summary(outcome: CallOutcome, record) -> None:
    grade = record.grade
    score = (
        f"overall {grade.overall}/100, graded by {grader_words(grade.grader)}"
        if grade is not None
        else "not graded yet"
    )
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


def _wav_audio(path: Path, stack: ExitStack):
    from desktop.voice.audio.wav_source import WavAudioFactory

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

"""`roleplay debrief ID`: talk a graded call through with the coach, typed (--say / --script), with no window.

The coach plays by rules on the embedded partner (or is the configured ElevenLabs agent, with the coach's prompt).
The debrief is stored as a session of kind "coach" linked to the call, and the goal the coach sets is saved to the
trainee's profile and printed at the end. Errors are one plain line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack

from desktop import settings as app_settings
from desktop.bootstrap import AppState
from desktop.cli.errors import CommandError
from desktop.cli.headless import (
    CallPrinter,
    TypedTurns,
    hang_up_if_stuck,
    max_seconds,
    read_turns,
    start_partner,
    wait_budget,
)
from desktop.core.vocabulary import Mode
from desktop.store.catalog import PersonaCatalog
from desktop.store.documents import session_document
from desktop.voice.call.debrief import DebriefUnavailable, finish_debrief, reviewable_call
from desktop.voice.call.engine import Call
from desktop.voice.call.planner import CallRefused, plan_debrief

EXIT_DEBRIEF_FAILED = 1


def run(state: AppState, args: argparse.Namespace) -> int:
    try:
        reviewable_call(state.queries, args.id)
    except DebriefUnavailable as exc:
        raise CommandError(str(exc)) from exc
    turns = read_turns(args.say, args.script)
    if not turns:
        raise CommandError("give your side of the debrief: --say TEXT (repeat it) or --script FILE")
    with ExitStack() as stack:
        try:
            setup = plan_debrief(
                state,
                args.id,
                mode=Mode.TEXT,
                partner_url=lambda: start_partner(stack, PersonaCatalog(state.queries)),
                agent=args.agent,
                max_seconds=max_seconds(args.max_seconds, state.settings),
            ).setup
        except CallRefused as exc:
            raise CommandError(exc.message) from exc
        driver = TypedTurns(turns, CallPrinter(quiet=args.json, agent_label="Coach"))
        call = Call(setup, state.repository, listener=driver, event_log_dir=app_settings.logs_dir())
        driver.call = call
        call.start()
        outcome = hang_up_if_stuck(call, call.wait_ended(wait_budget(setup, turns)))
        driver.cancel()
        call.join()
    if outcome is None or outcome.session_id is None:
        detail = f": {outcome.message}" if outcome and outcome.message else ""
        print(f"roleplay: the debrief could not start{detail}", file=sys.stderr)
        return EXIT_DEBRIEF_FAILED
    goal = finish_debrief(state.repository, state.queries, outcome.session_id)
    record = state.queries.get_session(outcome.session_id)
    if args.json and record is not None:
        document = session_document(record, state.settings.device_id, include_local_id=True)
        document["kind"] = record.summary.kind
        document["parent_session_id"] = record.parent_session_id
        document["goal"] = goal.text if goal else None
        print(json.dumps(document, indent=2))
    elif record is not None:
        print(
            f"Debrief {outcome.session_id} of session {args.id}: {outcome.line_count} lines, "
            f"{outcome.duration_s:.0f} s, {outcome.status}."
        )
        if goal is not None:
            print(f"Goal saved to your profile: {goal.text}")
        else:
            print("No goal was set: the debrief ended before the coach stated one.")
    if outcome.is_error:
        print(f"roleplay: {outcome.message} (debrief {outcome.session_id} was kept)", file=sys.stderr)
        return EXIT_DEBRIEF_FAILED
    return 0

"""`roleplay grade ID [--force] [--json]`: grade one past call now, or grade it again (with the model, when one is
configured), for instance after a fallback to the rules."""

from __future__ import annotations

import argparse
import json
import sys

from desktop.bootstrap import AppState
from desktop.cli.errors import CommandError
from desktop.core.results import Grade, grader_words
from desktop.core.vocabulary import Status
from desktop.grading.queue import default_grader, grade_and_save


def run(state: AppState, args: argparse.Namespace) -> int:
    record = state.queries.get_session(args.id)
    if record is None:
        raise CommandError(f"no session with id {args.id} (see: roleplay sessions list)")
    if record.summary.status == Status.ACTIVE:
        raise CommandError(f"session {args.id} is still in progress; grade it after the call ends")
    if record.summary.kind == "coach":
        raise CommandError(f"session {args.id} is a coach debrief, not a sales call, so it is not graded")
    if not record.lines:
        raise CommandError(f"session {args.id} has no transcript, so there is nothing to grade")
    if record.grade is not None and not record.summary.needs_grading and not args.force:
        if args.json:
            print(json.dumps(_document(args.id, record.grade, regraded=False), indent=2))
        else:
            print(f"Session {args.id} already has a grade (add --force to grade it again).")
            print(_describe(record.grade))
        return 0
    if not args.json:
        print(f"Grading session {args.id}...", file=sys.stderr, flush=True)
    grader = default_grader()
    try:
        outcome = grade_and_save(state.repository, state.queries, args.id, grader)
    finally:
        grader.close()
    if outcome is None:  # deleted while we graded
        raise CommandError(f"no session with id {args.id} (see: roleplay sessions list)")
    if args.json:
        document = _document(args.id, outcome.grade, regraded=True)
        document["fallback_reason"] = outcome.fallback_reason or None
        document["rule_based_grade"] = outcome.beside.to_dict() if outcome.beside else None
        print(json.dumps(document, indent=2))
    else:
        print(f"Session {args.id} graded.")
        print(_describe(outcome.grade))
    return 0


def _document(session_id: int, grade: Grade, *, regraded: bool) -> dict:
    return {"session_id": session_id, "regraded": regraded, "grade": grade.to_dict()}


def _describe(grade: Grade) -> str:
    lines = [
        f"Overall {grade.overall} of 100, graded by {grader_words(grade.grader)}",
        f"  rapport {grade.rapport} | discovery {grade.discovery} | "
        f"objection handling {grade.objection_handling} | closing {grade.closing}",
    ]
    if grade.note:
        lines.append(f"  Note: {grade.note}")
    for title, items in (
        ("Strengths", grade.strengths),
        ("To improve", grade.improvements),
        ("Next time", grade.recommendations),
    ):
        if items:
            lines.append(f"{title}:")
            lines += [f"  - {item}" for item in items]
    return "\n".join(lines)

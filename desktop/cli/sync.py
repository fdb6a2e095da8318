"""`roleplay sync [--json]`: push finished sessions and pull the others now, and say what happened.

Exit 0 when the backend was reached (rejected sessions are listed, not fatal); 1 with one clear line when sync is
not set up, needs a sign-in, or the backend could not be reached or failed.
"""

from __future__ import annotations

import argparse
import json
import sys

from desktop.bootstrap import AppState
from desktop.sync.errors import SyncError
from desktop.sync.service import SyncReport, SyncService

EXIT_FAILED = 1


def run(state: AppState, args: argparse.Namespace) -> int:
    service = SyncService.from_state(state)
    try:
        report = service.sync_now()
    except SyncError as exc:
        return _fail(args, exc.message)
    finally:
        service.stop()
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
        return 0 if report.ok else EXIT_FAILED
    if not report.ok:
        progress = f" Pushed {_sessions(report.pushed)}; {report.pending} still waiting." if report.pushed else ""
        print(f"roleplay: {report.problem}{progress}", file=sys.stderr)
        return EXIT_FAILED
    print(_describe(report))
    return 0


def _fail(args: argparse.Namespace, message: str) -> int:
    if args.json:
        print(json.dumps({"ok": False, "problem": message}, indent=2))
    print(f"roleplay: {message}", file=sys.stderr)
    return EXIT_FAILED


def _describe(report: SyncReport) -> str:
    lines = [f"Pushed {_sessions(report.pushed)}."]
    if report.conflicts:
        lines.append(f"Kept the backend's newer copy of {_sessions(report.conflicts)}.")
    for rejected in report.rejected:
        lines.append(f"Session {rejected.session_id} was not accepted: {rejected.message}")
    if report.pending:
        lines.append(f"{_sessions(report.pending)} still waiting to sync.")
    if report.pulled is not None:
        pulled = report.pulled
        lines.append(f"Pulled {pulled.added} new and {pulled.updated} updated from your other devices.")
        if pulled.skipped:
            lines.append(f"Skipped {_sessions(pulled.skipped)} from the backend that could not be read (see the log).")
    if report.usage is not None:
        limits = report.usage.limits
        calls = (
            "no daily limit"
            if limits.max_sessions_per_day is None
            else (f"{report.usage.sessions_today} of {limits.max_sessions_per_day} calls used today")
        )
        minutes = (
            "no time limit" if limits.max_session_minutes is None else f"{limits.max_session_minutes} min per call"
        )
        lines.append(f"Today: {calls}, {minutes}.")
    if report.team_personas is not None:
        team = report.team_personas
        lines.append(f"Team personas: {team.count}" + (" (updated)." if team.changed else " (unchanged)."))
    return "\n".join(lines)


def _sessions(count: int) -> str:
    return f"{count} session" if count == 1 else f"{count} sessions"

"""Command-line entry point: with no command, the app's window; otherwise a command that needs no display."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from desktop.cli.errors import EXIT_USAGE, CommandError

MAX_SESSION_ID = 2**63 - 1
# Commands that only read: on a full disk they open the store read-only and still answer.
READ_ONLY_COMMANDS = ("personas", "sessions")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not a usage dump
        self.exit(EXIT_USAGE, f"roleplay: {message} (see roleplay --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="roleplay", description="Practise acquisition calls against an AI seller.")
    parser.add_argument("--tray", action="store_true", help="start hidden in the system tray")
    parser.add_argument(
        "--quick-call", action="store_true", help="place the quick practice call (in the running app, if there is one)"
    )
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    personas = commands.add_parser("personas", help="the sellers you can call")
    persona_commands = personas.add_subparsers(dest="action", required=True, parser_class=_Parser)
    persona_list = persona_commands.add_parser("list", help="list personas")
    persona_list.add_argument("--json", action="store_true")

    sessions = commands.add_parser("sessions", help="your past calls")
    session_commands = sessions.add_subparsers(dest="action", required=True, parser_class=_Parser)
    session_list = session_commands.add_parser("list", help="list sessions, newest first")
    session_list.add_argument("--json", action="store_true")
    session_list.add_argument("--limit", type=_non_negative_int, default=20)
    session_list.add_argument("--offset", type=_non_negative_int, default=0)
    session_list.add_argument("--search", help="words that appear in the transcript")
    session_show = session_commands.add_parser("show", help="one session as a document")
    session_show.add_argument("id", type=_session_id)
    session_show.add_argument("--json", action="store_true")
    session_export = session_commands.add_parser("export", help="write a session as Markdown or JSON")
    session_export.add_argument("id", type=_session_id)
    session_export.add_argument("--format", choices=("md", "json"), required=True)
    session_export.add_argument("--output", "-o", help="file to write (default: standard output)")

    doctor = commands.add_parser("doctor", help="check the data folder, database, keyring, audio, camera, network")
    doctor.add_argument("--json", action="store_true")
    doctor.add_argument("--offline", action="store_true", help="skip the network checks")

    _add_call_command(commands)
    _add_debrief_command(commands)

    partner = commands.add_parser("partner", help="run the embedded practice partner on its own")
    partner.add_argument("--port", type=_non_negative_int, default=0, help="port on 127.0.0.1 (default: any free one)")
    # The key comes from ROLEPLAY_PARTNER_API_KEY: on the command line every user of the machine sees it in `ps`.
    partner.add_argument("--api-key", default=None, help=argparse.SUPPRESS)

    grade = commands.add_parser("grade", help="grade (or re-grade) a past call")
    grade.add_argument("id", type=_session_id)
    grade.add_argument("--force", action="store_true", help="grade again even when it already has a grade")
    grade.add_argument("--json", action="store_true")

    sync = commands.add_parser("sync", help="push finished calls to the team backend and pull the others now")
    sync.add_argument("--json", action="store_true")
    return parser


def _add_call_command(commands: argparse._SubParsersAction) -> None:
    call = commands.add_parser("call", help="place a practice call without the window (typed or from a WAV file)")
    call.add_argument("--persona", required=True, help="persona id (see roleplay personas list)")
    call.add_argument("--agent", choices=("partner", "elevenlabs"), help="default: ElevenLabs when configured")
    call.add_argument("--scenario", help="scenario id (default: the cold call)")
    call.add_argument("--difficulty", help="BEGINNER, ROOKIE, PRO, ELITE or NIGHTMARE")
    call.add_argument("--say", action="append", default=[], metavar="TEXT", help="a trainee turn; repeat for more")
    call.add_argument("--script", help="a file of trainee turns, one per line")
    call.add_argument("--mic-wav", help="stream this WAV file as the microphone, in real time")
    call.add_argument("--max-seconds", type=_non_negative_int, help="hang up after this many seconds")
    call.add_argument(
        "--ignore-limits", action="store_true", help="place the call even past the day's cap (for tests and scripts)"
    )
    call.add_argument("--json", action="store_true", help="print the session document")


def _add_debrief_command(commands: argparse._SubParsersAction) -> None:
    debrief = commands.add_parser(
        "debrief", help="talk a graded call through with the coach, typed, without the window"
    )
    debrief.add_argument("id", type=_session_id, help="the graded call (see roleplay sessions list)")
    debrief.add_argument("--say", action="append", default=[], metavar="TEXT", help="your turn; repeat for more")
    debrief.add_argument("--script", help="a file of your turns, one per line")
    debrief.add_argument("--agent", choices=("partner", "elevenlabs"), help="default: ElevenLabs when configured")
    debrief.add_argument("--max-seconds", type=_non_negative_int, help="end the debrief after this many seconds")
    debrief.add_argument("--json", action="store_true", help="print the debrief session document and the goal")


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


def _session_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"session id must be a number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"session id must be positive, got {text!r}")
    if value > MAX_SESSION_ID:  # SQLite's integers end there; a bigger one cannot name a session
        raise argparse.ArgumentTypeError(f"no session has an id as large as {text}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    from desktop.logging_setup import configure_logging

    private_files()

    args = build_parser().parse_args(argv)
    configure_logging(console=args.command is not None)
    if args.command is None:
        from desktop.app import run_gui

        return run_gui(start_hidden=args.tray, quick_call=args.quick_call)
    try:
        return _dispatch(args)
    except CommandError as exc:
        print(f"roleplay: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `roleplay sessions list | head`
        return 0


def private_files() -> None:
    """Everything this process creates (the database, logs, recordings, settings) is the user's only: a transcript
    of a sales call is not for other accounts on the machine. The data folder itself is made 0700 as well
    (settings.ensure_data_dir), which also covers files made before this rule."""
    if os.name == "posix":
        os.umask(0o077)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "doctor":
        return _doctor(args)
    import sqlite3

    from peewee import DatabaseError as PeeweeDatabaseError

    from desktop import settings as app_settings
    from desktop.bootstrap import open_app_state
    from desktop.store.db import DatabaseCorruptError
    from desktop.store.disk import DiskFullError, is_disk_full
    from desktop.store.migrations import MigrationError

    reads_only = args.command in READ_ONLY_COMMANDS
    try:
        # `roleplay grade` is how a waiting call gets the model's grade: the rules must not take it first.
        state = open_app_state(grade_pending=args.command != "grade", read_only_if_disk_full=reads_only)
    except (DatabaseCorruptError, MigrationError, DiskFullError) as exc:
        raise CommandError(str(exc)) from exc
    try:
        return _handler(args)(state, args)
    except (sqlite3.Error, PeeweeDatabaseError, OSError) as exc:
        if isinstance(exc, BrokenPipeError) or not is_disk_full(exc, app_settings.data_dir()):
            raise
        raise CommandError(str(DiskFullError(app_settings.data_dir()))) from exc
    finally:
        state.close()


def _handler(args: argparse.Namespace):
    """The function behind a command. Each command's module is imported only when it runs: `roleplay sessions list`
    need not load the call engine."""
    if args.command == "call":
        from desktop.cli import call

        return call.run
    if args.command == "debrief":
        from desktop.cli import debrief

        return debrief.run
    if args.command == "partner":
        from desktop.cli import partner

        return partner.run
    if args.command == "grade":
        from desktop.cli import grade

        return grade.run
    if args.command == "sync":
        from desktop.cli import sync

        return sync.run
    from desktop.cli import library

    return {
        ("personas", "list"): library.personas_list,
        ("sessions", "list"): library.sessions_list,
        ("sessions", "show"): library.sessions_show,
        ("sessions", "export"): library.sessions_export,
    }[(args.command, args.action)]


def _doctor(args: argparse.Namespace) -> int:
    from desktop.cli.doctor import FAIL, format_report, overall_status, run_checks

    checks = run_checks(include_network=not args.offline)
    status = overall_status(checks)
    if args.json:
        print(json.dumps({"status": status, "checks": [c.to_dict() for c in checks]}, indent=2))
    else:
        print(format_report(checks))
    return 1 if status == FAIL else 0


if __name__ == "__main__":
    sys.exit(main())

"""The `roleplay-server` command: init, add-member, create-token, run, backup, demo, and Django's own commands."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_PORT = 8765


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="roleplay-server", description="The Roleplay Trainer team server.")
    parser.add_argument("--data", metavar="DIR", help="data folder (SQLite file, secret key); or ROLEPLAY_SERVER_HOME")
    commands = parser.add_subparsers(dest="command")

    init = commands.add_parser("init", help="create the database, a team and its first admin")
    init.add_argument("--team", required=True)
    init.add_argument("--admin", required=True, metavar="EMAIL")
    init.add_argument("--name", default="", help="the admin's display name")

    member = commands.add_parser("add-member", help="add a member to the team; prints an invitation link")
    member.add_argument("email")
    member.add_argument("--role", choices=["trainee", "coach", "admin"], default="trainee")
    member.add_argument("--name", default="")
    member.add_argument("--team", help="the team's name, when the server holds more than one")
    member.add_argument("--url", default=f"http://127.0.0.1:{DEFAULT_PORT}", help="the server's public address")

    token = commands.add_parser("create-token", help="print a new device token for a member (and nothing else)")
    token.add_argument("email")
    token.add_argument("--device", default="", metavar="NAME")

    run = commands.add_parser("run", help="migrate, then serve (the default command)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=DEFAULT_PORT)
    run.add_argument(
        "--workers", type=int, default=None, help="processes (default 1 on SQLite, 2 x cores on PostgreSQL)"
    )

    backup = commands.add_parser("backup", help="a consistent copy of the SQLite database")
    backup.add_argument("file", type=Path)

    demo = commands.add_parser("demo", help="seed a demo team with members and months of calls")
    demo.add_argument("--personas", type=Path, help="a personas.json to take the sellers from")
    demo.add_argument("--password", default="demo-password-1", help="every demo account's password")

    manage = commands.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.data:
        os.environ["ROLEPLAY_SERVER_HOME"] = str(Path(args.data).expanduser().resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roleplay_server.settings")
    import django

    django.setup()
    from roleplay_server import commands
    from roleplay_server.team.people import PeopleError

    command = args.command or "run"
    if command == "run" and args.command is None:
        args = build_parser().parse_args([*(sys.argv[1:] if argv is None else argv), "run"])
    try:
        return commands.dispatch(command, args)
    except PeopleError as exc:
        print(f"roleplay-server: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

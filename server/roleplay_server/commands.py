"""What each `roleplay-server` command does, once Django is set up."""

from __future__ import annotations

import getpass
import os
import sqlite3
import sys

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction

from roleplay_server.team.models import Role, Team
from roleplay_server.team.people import PeopleError, add_member, find_member
from roleplay_server.team.tokens import create_token


def migrate() -> None:
    call_command("migrate", interactive=False, verbosity=0)


def admin_password(email: str) -> str:
    password = os.environ.get("ROLEPLAY_SERVER_ADMIN_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise PeopleError("set ROLEPLAY_SERVER_ADMIN_PASSWORD, or run init in a terminal to be asked")
        password = getpass.getpass(f"Password for {email}: ")
        if getpass.getpass("Again: ") != password:
            raise PeopleError("the passwords differ")
    try:
        validate_password(password)
    except ValidationError as exc:
        raise PeopleError(" ".join(exc.messages)) from None
    return password


def init(args) -> int:
    password = admin_password(args.admin)
    migrate()
    with transaction.atomic():
        team = Team.objects.filter(name=args.team).first() or Team.objects.create(name=args.team)
        add_member(team, args.admin, Role.ADMIN, password, args.name, operator=True)
    print(f"Team {team.name!r} is ready. Start the server with: roleplay-server run")
    print(f"Then sign in as {args.admin} at http://127.0.0.1:8765/accounts/login/")
    print(f"Data folder: {settings.DATA_HOME}")
    return 0


def _team(name: str | None) -> Team:
    teams = Team.objects.all()
    if name:
        teams = teams.filter(name=name)
    found = list(teams[:2])
    if len(found) != 1:
        raise PeopleError("name the team with --team" if found else "no such team: run `roleplay-server init` first")
    return found[0]


def add_member_command(args) -> int:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    migrate()
    member = add_member(_team(args.team), args.email, args.role, None, args.name)
    uid = urlsafe_base64_encode(force_bytes(member.user.pk))
    token = default_token_generator.make_token(member.user)
    print(f"Added {member.user.email} as {member.role}. Send them this link to choose a password:")
    print(f"{args.url.rstrip('/')}/accounts/reset/{uid}/{token}/")
    return 0


def create_token_command(args) -> int:
    _row, token = create_token(find_member(args.email), args.device)
    print(token)  # alone on standard output, so a script can capture it
    return 0


def run(args) -> int:
    from roleplay_server.serve import serve

    migrate()
    workers = args.workers or (1 if connection.vendor == "sqlite" else 2 * (os.cpu_count() or 1))
    print(f"Roleplay Trainer team server on http://{args.host}:{args.port}/ (data: {settings.DATA_HOME})", flush=True)
    serve(args.host, args.port, workers)
    return 0


def backup(args) -> int:
    if connection.vendor != "sqlite":
        print(
            'On PostgreSQL, back up with pg_dump, e.g.: pg_dump --format=custom --file=roleplay.dump "$DATABASE_URL"\n'
            'and restore with: pg_restore --clean --dbname="$DATABASE_URL" roleplay.dump',
            file=sys.stderr,
        )
        return 2
    target = args.file.expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    try:
        destination = sqlite3.connect(target)
        with destination:
            source.backup(destination)  # SQLite's online backup: a consistent copy while the server writes
        destination.close()
    finally:
        source.close()
    print(f"Backed up to {target}")
    return 0


def demo(args) -> int:
    from roleplay_server.demo import seed_demo

    migrate()
    team = seed_demo(password=args.password, personas_file=args.personas)
    print(f"Demo team {team.name!r}: sign in as coach@demo.example with the password {args.password!r}")
    return 0


def manage(args) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["roleplay-server manage", *args.args])
    return 0


COMMANDS = {
    "init": init,
    "add-member": add_member_command,
    "create-token": create_token_command,
    "run": run,
    "backup": backup,
    "demo": demo,
    "manage": manage,
}


def dispatch(command: str, args) -> int:
    return COMMANDS[command](args)

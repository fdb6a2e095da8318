"""The handlers behind `roleplay personas ...` and `roleplay sessions ...` (no display needed)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from desktop.bootstrap import AppState
from desktop.cli.errors import CommandError
from desktop.core.clock import format_clock
from desktop.core.untrusted.display import printable
from desktop.store.catalog import PersonaCatalog
from desktop.store.documents import session_document, session_markdown
from desktop.store.queries import SessionFilter
from desktop.store.records import SessionRecord


def personas_list(state: AppState, args: argparse.Namespace) -> int:
    personas = PersonaCatalog(state.queries).personas()
    if args.json:
        print(json.dumps([p.to_dict() for p in personas], indent=2))
        return 0
    rows = [
        (p.id, p.name, p.property_type, p.location, p.motivation_level, p.conversation_style, p.phone) for p in personas
    ]
    _print_table(("ID", "NAME", "PROPERTY", "LOCATION", "MOTIVATION", "STYLE", "PHONE"), rows)
    return 0


def sessions_list(state: AppState, args: argparse.Namespace) -> int:
    session_filter = SessionFilter(search=args.search)
    summaries = state.queries.list_sessions(limit=args.limit, offset=args.offset, session_filter=session_filter)
    if args.json:
        total = state.queries.count_sessions(session_filter)
        print(json.dumps({"total": total, "sessions": [asdict(s) for s in summaries]}, indent=2))
        return 0
    if not summaries:
        print("No sessions match." if args.search else "No sessions yet: place a call to start your history.")
        return 0
    rows = [
        (
            s.id,
            s.started_at[:16].replace("T", " "),
            s.persona_name,
            s.scenario_id,
            s.difficulty,
            s.mode,
            s.status,
            "-" if s.duration_seconds is None else format_clock(s.duration_seconds),
            "grading..." if s.overall is None and s.needs_grading else ("-" if s.overall is None else s.overall),
        )
        for s in summaries
    ]
    _print_table(("ID", "STARTED (UTC)", "PERSONA", "SCENARIO", "LEVEL", "MODE", "STATUS", "LENGTH", "SCORE"), rows)
    return 0


def sessions_show(state: AppState, args: argparse.Namespace) -> int:
    record = _record(state, args.id)
    document = session_document(record, state.settings.device_id, include_local_id=True)
    if args.json:
        print(json.dumps(document, indent=2))
    else:
        print(session_markdown(record))
    return 0


def sessions_export(state: AppState, args: argparse.Namespace) -> int:
    record = _record(state, args.id)
    if args.format == "json":
        text = json.dumps(session_document(record, state.settings.device_id, include_local_id=True), indent=2)
    else:
        text = session_markdown(record)
    if args.output:
        try:
            Path(args.output).write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
        print(f"Wrote session {record.id} to {args.output}")
    else:
        print(text)
    return 0


def _record(state: AppState, session_id: int) -> SessionRecord:
    record = state.queries.get_session(session_id)
    if record is None:
        raise CommandError(f"no session with id {session_id} (see: roleplay sessions list)")
    return record


def _print_table(headers: tuple[str, ...], rows: list[tuple]) -> None:
    # Cells hold persona and session data, which a synced persona can fill with terminal escape sequences.
    cells = [[str(c) for c in headers]] + [[printable(str(c)) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())

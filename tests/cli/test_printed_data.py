"""`roleplay personas list` prints what personas say, not what they would do to a terminal (issue 14, item 14)."""

from __future__ import annotations

from pathlib import Path

from desktop.store.db import Store
from desktop.store.sessions import SessionRepository
from tests.cli.test_cli import roleplay

HOSTILE_NAME = "Dale\x1b[2J\x1b]0;pwned\x07 Pruitt\x1b[31m\x9b"


def test_personas_list_prints_no_terminal_escapes(data_home: Path) -> None:
    store = Store.open(data_home / "roleplay.db")
    persona = {
        "id": "user-hostile",
        "name": HOSTILE_NAME,
        "property_type": "Lot\x07\x08",
        "location": "Coal County\r\nEVIL",
        "motivation_level": "low",
        "conversation_style": "guarded",
        "objection_patterns": ["price too low"],
        "phone": "(555) 010-9999",
        "source": "user",
    }
    SessionRepository(store).save_user_persona(persona["id"], persona)
    store.close()
    result = roleplay("personas", "list")
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("user-hostile"))
    assert "Dale Pruitt" in row and "Coal County EVIL" in row
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in result.stdout.replace("\n", ""))

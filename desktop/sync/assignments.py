"""The calls the member's coach assigned (`GET /api/v1/assignments`): checked, cached in the store so Contacts can
show them offline ("Assigned by your coach: due Friday, pass at 75"), and refreshed with the other server answers.
A server without assignments (404) simply has none."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import date

from desktop.store.sync_store import SyncStore
from desktop.sync.client import BackendClient

log = logging.getLogger(__name__)

ASSIGNMENTS_KEY = "assignments"
DIFFICULTIES = ("BEGINNER", "ROOKIE", "PRO", "ELITE", "NIGHTMARE")
STATUSES = ("open", "passed", "missed")
MODES = ("practice", "exam")


@dataclass(frozen=True)
class Assignment:
    id: int
    persona_id: str
    persona_name: str
    scenario_id: str
    scenario_title: str
    difficulty: str
    mode: str  # practice or exam
    due_date: str  # YYYY-MM-DD, the last day that counts
    pass_mark: int
    max_attempts: int | None
    attempts: int
    best_score: int | None
    status: str  # open, passed or missed
    assigned_by: str = ""

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def badge(self, today: date | None = None) -> str:
        """One line for Contacts: 'Assigned by your coach: due Friday, pass at 75'."""
        if self.status == "passed":
            return f"Assignment passed ({self.best_score})"
        if self.status == "missed":
            return "Assignment missed"
        due = date.fromisoformat(self.due_date)
        days = (due - (today or date.today())).days
        when = "today" if days == 0 else "tomorrow" if days == 1 else due.strftime("%A") if 1 < days < 7 else str(due)
        tries = f", {self.max_attempts - self.attempts} tries left" if self.max_attempts else ""
        return f"Assigned by your coach: due {when}, pass at {self.pass_mark}{tries}"

    def chip(self, today: date | None = None) -> str:
        """A few words for the seller's row in Contacts: 'Assigned: due Fri'."""
        due = date.fromisoformat(self.due_date)
        days = (due - (today or date.today())).days
        if days < 0:
            when = f"was due {due:%d %b}"
        elif days <= 1:
            when = "due today" if days == 0 else "due tomorrow"
        else:
            when = f"due {due:%a}" if days < 7 else f"due {due:%d %b}"
        return f"Assigned: {when}"


@dataclass(frozen=True)
class AssignmentsResult:
    count: int
    open: int
    skipped: int = 0
    changed: bool = True  # differs from what was cached before (new, gone, or another standing)


def parse_assignment(data: object) -> Assignment:
    """ValueError when the entry does not fit the contract."""
    if not isinstance(data, dict):
        raise ValueError("an assignment must be an object")

    def whole(key: str, low: int = 0, high: int | None = None, nullable: bool = False) -> int | None:
        value = data.get(key)
        if value is None and nullable:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < low or (high is not None and value > high):
            raise ValueError(f"{key} must be a whole number from {low}, got {value!r}")
        return value

    def text(key: str, choices: tuple[str, ...] = ()) -> str:
        value = data.get(key)
        if not isinstance(value, str) or (choices and value not in choices):
            raise ValueError(f"{key} must be {' / '.join(choices) if choices else 'text'}, got {value!r}")
        return value

    due = text("due_date")
    date.fromisoformat(due)  # ValueError when not a date
    if not text("persona_id").strip() or not text("scenario_id").strip():
        raise ValueError("an assignment needs a persona and a scenario")
    return Assignment(
        id=whole("id"),
        persona_id=text("persona_id"),
        persona_name=text("persona_name"),
        scenario_id=text("scenario_id"),
        scenario_title=text("scenario_title"),
        difficulty=text("difficulty", DIFFICULTIES),
        mode=text("mode", MODES),
        due_date=due,
        pass_mark=whole("pass_mark", 0, 100),
        max_attempts=whole("max_attempts", 1, nullable=True),
        attempts=whole("attempts"),
        best_score=whole("best_score", 0, 100, nullable=True),
        status=text("status", STATUSES),
        assigned_by=str(data.get("assigned_by") or ""),
    )


def refresh_assignments(client: BackendClient, store: SyncStore) -> AssignmentsResult:
    """Fetches and caches the member's assignments. Raises the client's errors."""
    entries = client.assignments()
    found: list[Assignment] = []
    skipped = 0
    for entry in entries:
        try:
            found.append(parse_assignment(entry))
        except ValueError as exc:
            log.warning("skipping an assignment from the backend: %s", exc)
            skipped += 1
    before = store.cached(ASSIGNMENTS_KEY)
    value = [asdict(a) for a in found]
    store.put_cached(ASSIGNMENTS_KEY, value).result()
    changed = (before.value if before is not None else []) != value
    return AssignmentsResult(len(found), sum(1 for a in found if a.is_open), skipped, changed)


def cached_assignments(store: SyncStore) -> list[Assignment]:
    """The assignments as last fetched (empty before any, or without a team server)."""
    entry = store.cached(ASSIGNMENTS_KEY)
    if entry is None or not isinstance(entry.value, list):
        return []
    result = []
    for data in entry.value:
        try:
            result.append(parse_assignment(data))
        except ValueError:
            continue
    return result


def open_assignments(store: SyncStore) -> list[Assignment]:
    """The cached assignments still to do, the soonest due first (for Contacts)."""
    return sorted((a for a in cached_assignments(store) if a.is_open), key=lambda a: (a.due_date, a.id))


def open_assignment_for(store: SyncStore, persona_id: str) -> Assignment | None:
    """The soonest open assignment with this persona, for a badge on its contact."""
    mine = [a for a in cached_assignments(store) if a.is_open and a.persona_id == persona_id]
    return min(mine, key=lambda a: a.due_date) if mine else None

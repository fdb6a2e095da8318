"""What the tray menu shows: the call running now, the quick practice call (the last persona and scenario, or a
suggested easy one) and the last five calls. Qt-free; `load_tray_data` reads the store, so it runs off the GUI
thread."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desktop.core.clock import format_clock, parse_iso
from desktop.ui.shell.requests import DEFAULT_SCENARIO_ID, CallRequest

if TYPE_CHECKING:
    from desktop.core.personas import Persona
    from desktop.core.scenarios import Scenario
    from desktop.store.catalog import PersonaCatalog
    from desktop.store.queries import SessionQueries
    from desktop.store.records import SessionSummary

RECENT_COUNT = 5
SUGGESTED_DIFFICULTY = "BEGINNER"


@dataclass(frozen=True)
class RecentCall:
    session_id: int
    label: str


@dataclass(frozen=True)
class LiveCall:
    """The call running now (dialing or connected), as the tray shows it."""

    name: str
    elapsed_s: float = 0.0

    @property
    def label(self) -> str:
        return f"In a call with {self.name} \u00b7 {format_clock(self.elapsed_s)}"


@dataclass(frozen=True)
class TrayData:
    quick_call: CallRequest | None = None
    quick_label: str = ""
    recent: list[RecentCall] = field(default_factory=list)


def recent_label(summary: SessionSummary) -> str:
    when = parse_iso(summary.started_at).astimezone().strftime("%d %b %H:%M")
    if summary.overall is not None:
        result = f"score {summary.overall}"
    elif summary.needs_grading:
        result = "grading..."
    else:
        result = summary.status
    return f"{summary.persona_name} · {when} · {result}"


def suggest_quick_call(
    sessions: list[SessionSummary], personas: list[Persona], scenarios: list[Scenario], practice_mode: bool
) -> tuple[CallRequest | None, str]:
    """The last call's persona, scenario and level again; for a new user, an easy seller on a cold call."""
    known = {p.id: p for p in personas}
    titles = {s.id: s.title for s in scenarios}
    for summary in sessions:
        persona = known.get(summary.persona_id)
        if persona is None:  # deleted since: try an older call
            continue
        scenario_id = summary.scenario_id if summary.scenario_id in titles else DEFAULT_SCENARIO_ID
        request = CallRequest(persona.id, scenario_id, summary.difficulty, practice_mode, False)
        return request, f"{persona.name} · {titles.get(scenario_id, 'cold call')}"
    if not personas:
        return None, ""
    # An easy first call: keen to sell and pleasant on the phone.
    ranked = sorted(
        personas,
        key=lambda p: (p.motivation_level != "high", p.conversation_style not in ("friendly", "cooperative"), p.name),
    )
    persona = ranked[0]
    request = CallRequest(persona.id, DEFAULT_SCENARIO_ID, SUGGESTED_DIFFICULTY, practice_mode, False)
    return request, f"{persona.name} · {titles.get(DEFAULT_SCENARIO_ID, 'cold call')} (suggested)"


def load_tray_data(queries: SessionQueries, catalog: PersonaCatalog, practice_mode: bool) -> TrayData:
    sessions = queries.list_sessions(limit=20)
    request, label = suggest_quick_call(sessions, catalog.personas(), catalog.scenarios(), practice_mode)
    recent = [RecentCall(s.id, recent_label(s)) for s in sessions[:RECENT_COUNT]]
    return TrayData(request, label, recent)

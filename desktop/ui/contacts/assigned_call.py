"""Which of the coach's open assignments a call in Contacts would count for, and the mode that call takes.

A call counts for an assignment when it is with the assignment's seller, in its scenario and at its level (the team
server's rule). An exam assignment is taken in Exam mode: the call is placed without hints whatever the app's mode,
and the mode control shows Exam and cannot be changed while that call is set up. A practice assignment leaves the
trainee's mode alone (hints allowed, not required)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from desktop.sync.assignments import Assignment
    from desktop.ui.call.options import CallOptionsPanel

EXAM_TIP = "Your coach assigned this call in Exam mode: no hints. Pick another scenario or level to practise freely."


def counting_assignment(
    assignments: Iterable[Assignment], persona_id: str, scenario_id: str, difficulty: str
) -> Assignment | None:
    """The soonest due open assignment this call would count for (they come soonest first), or None."""
    return next(
        (
            a
            for a in assignments
            if a.is_open
            and a.persona_id == persona_id
            and a.scenario_id == scenario_id
            and a.difficulty.upper() == difficulty.upper()
        ),
        None,
    )


def assigned_exam(assignments: Iterable[Assignment], persona_id: str, scenario_id: str, difficulty: str) -> bool:
    """True when this call counts for an exam assignment, so it must be placed in Exam mode."""
    found = counting_assignment(assignments, persona_id, scenario_id, difficulty)
    return found is not None and found.mode == "exam"


def show_mode(options: CallOptionsPanel, practice_mode: bool, exam: bool) -> None:
    """Shows the mode the call will be placed in: Exam, fixed, for an assigned exam; else the app's, to change."""
    options.set_practice_mode(False if exam else practice_mode)
    options.mode.setEnabled(not exam)
    options.mode.setToolTip(EXAM_TIP if exam else "")

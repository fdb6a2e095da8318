"""The coach's assignments in Contacts (issue 13, item 6): from the sync cache, as the app stores GET
/api/v1/assignments, to a line at the top of the list, a chip on the assigned seller's row, the assignment on the
seller's card, and "Set up this call" choosing the seller, scenario and level the assignment counts."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QLabel

from desktop.bootstrap import open_app_state
from desktop.core.personas import load_builtin_personas
from desktop.core.scenarios import load_scenarios
from desktop.store.sync_store import SyncStore
from desktop.sync.assignments import ASSIGNMENTS_KEY, parse_assignment
from desktop.ui.contacts.page import ContactsPage
from desktop.ui.contacts.presenter import ContactsPresenter
from desktop.ui.contacts.seller_list import ASSIGNED_ROLE, ID_ROLE
from desktop.ui.shell.main_window import MainWindow
from tests.ui.shell.shell_screens import grab, themed

BUILTIN = load_builtin_personas()
DALE = next(p for p in BUILTIN if p.name == "Dale Pruitt")
ROSA = next(p for p in BUILTIN if p.name == "Rosa Delgado")
THIRD = next(p for p in BUILTIN if p.id not in (DALE.id, ROSA.id))
SCENARIO = load_scenarios()[-1]  # not the default one, so setting it up is visible


def entry(number: int, persona, due: date, status: str = "open", **changes) -> dict:
    """One assignment as the team server's GET /api/v1/assignments answers it."""
    return {
        "id": number,
        "persona_id": persona.id,
        "persona_name": persona.name,
        "scenario_id": SCENARIO.id,
        "scenario_title": SCENARIO.title,
        "difficulty": "ELITE",
        "mode": "exam",
        "due_date": due.isoformat(),
        "pass_mark": 75,
        "max_attempts": 3,
        "attempts": 1,
        "best_score": 60,
        "status": status,
        "passed_at": None,
        "assigned_by": "Cody Coach",
        **changes,
    }


@pytest.fixture
def state(data_home: Path):
    opened = open_app_state()
    yield opened
    opened.close()


def cache(state, entries: list[dict]) -> None:
    """What the sync's refresh_assignments stores: the checked entries, in the app's own store."""
    SyncStore(state.repository).put_cached(ASSIGNMENTS_KEY, [asdict(parse_assignment(e)) for e in entries]).result()


def loaded_page(qtbot, state) -> ContactsPage:
    contacts = ContactsPage()
    qtbot.addWidget(contacts)
    presenter = ContactsPresenter(state, contacts)
    contacts.resize(1100, 720)
    contacts.show()
    with qtbot.waitSignal(presenter.loaded, timeout=5000):
        presenter.reload()
    contacts.presenter = presenter
    return contacts


def row_of(contacts: ContactsPage, persona_id: str):
    return next(
        contacts.list.item(r) for r in range(contacts.list.count()) if contacts.list.item(r).data(ID_ROLE) == persona_id
    )


def test_an_assignment_shows_at_the_top_on_the_sellers_row_and_card_and_sets_up_its_call(qtbot, state):
    today = date.today()
    cache(
        state,
        [
            entry(7, ROSA, today + timedelta(days=12)),
            entry(5, DALE, today + timedelta(days=3)),
            entry(9, DALE, today + timedelta(days=20)),  # a later one with the same seller: the row shows the soonest
            entry(3, THIRD, today - timedelta(days=1), status="passed", best_score=88),  # done: not shown
        ],
    )
    contacts = loaded_page(qtbot, state)

    line = contacts.assignment_line
    assert line.isVisible()
    assert "Assigned by your coach: Dale Pruitt" in line.text() and "pass at 75, 2 tries left" in line.text()
    assert SCENARIO.title in line.text() and "and 2 more" in line.text()
    weekday = (today + timedelta(days=3)).strftime("%a")
    assert row_of(contacts, DALE.id).data(ASSIGNED_ROLE) == f"Assigned: due {weekday}"
    assert row_of(contacts, ROSA.id).data(ASSIGNED_ROLE) == f"Assigned: due {today + timedelta(days=12):%d %b}"
    assert row_of(contacts, THIRD.id).data(ASSIGNED_ROLE) is None  # passed already
    assert "(your coach)" in row_of(contacts, DALE.id).toolTip()

    contacts.select_persona(THIRD.id)
    assert not contacts.detail.assignment.isVisible()

    # "Set up this call": the seller, the scenario and the level the assignment counts, ready to call
    line.label.linkActivated.emit("assignment:5")
    assert contacts.current_persona_id() == DALE.id
    card = contacts.detail.assignment
    assert card.isVisible() and card.text().startswith("Assigned by your coach: due ") and "(exam)" in card.text()
    request = contacts.call_request_for(DALE.id)
    assert (request.scenario_id, request.difficulty) == (SCENARIO.id, "ELITE")
    assert contacts.detail.options.scenario_id() == SCENARIO.id


def test_the_chip_is_painted_on_the_row_and_nothing_shows_without_assignments(qtbot, state):
    contacts = loaded_page(qtbot, state)
    assert not contacts.assignment_line.isVisible()
    assert all(contacts.list.item(r).data(ASSIGNED_ROLE) is None for r in range(contacts.list.count()))

    item = row_of(contacts, DALE.id)
    rect: QRect = contacts.list.visualItemRect(item)
    plain = contacts.list.viewport().grab(rect).toImage()
    item.setData(ASSIGNED_ROLE, "Assigned: due Fri")
    chipped = contacts.list.viewport().grab(rect).toImage()
    right = QRect(rect.width() // 2, 0, rect.width() // 2, rect.height())
    assert plain.copy(right) != chipped.copy(right)  # the chip is drawn at the right of the name line


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshot_of_contacts_with_an_assignment(qtbot, state, tmp_path, scheme):
    cache(state, [entry(5, DALE, date.today() + timedelta(days=3)), entry(7, ROSA, date.today() + timedelta(days=12))])
    with themed(scheme):
        window = MainWindow()
        qtbot.addWidget(window)
        contacts = ContactsPage()
        presenter = ContactsPresenter(state, contacts)
        window.add_page("contacts", contacts)
        for key in ("dialer", "history", "settings"):
            window.add_page(key, QLabel(key))
        window.set_sync_status("Synced", "ok")
        window.resize(1200, 780)
        window.show()
        with qtbot.waitSignal(presenter.loaded, timeout=5000):
            presenter.reload()
        contacts.set_up_assignment(contacts.assignment_for(DALE.id))
        path = grab(window, f"contacts-assignment-{scheme}", tmp_path)
    assert contacts.detail.assignment.isVisible()
    assert path.exists()


def test_a_call_assigned_in_exam_mode_is_placed_in_exam_mode_with_its_scenario_and_level(qtbot, state):
    from PySide6.QtCore import Qt

    today = date.today()
    cache(
        state,
        [
            entry(5, DALE, today + timedelta(days=3)),  # exam, ELITE, SCENARIO
            entry(7, ROSA, today + timedelta(days=4), mode="practice", difficulty="PRO"),
        ],
    )
    contacts = loaded_page(qtbot, state)
    options = contacts.detail.options
    assert state.settings.practice_mode  # the app is in Practice mode
    placed = []
    contacts.call_requested.connect(placed.append)

    # The assigned seller, picked from the list: the assignment's call is set up, in Exam mode, and placed so.
    contacts.select_persona(DALE.id)
    assert (options.scenario_id(), options.difficulty_value()) == (SCENARIO.id, "ELITE")
    assert not options.practice_mode() and not options.mode.isEnabled()
    assert "Exam mode" in options.mode.toolTip()
    qtbot.mouseClick(contacts.detail.call_button, Qt.MouseButton.LeftButton)
    assert [(r.persona_id, r.scenario_id, r.difficulty, r.practice_mode) for r in placed] == [
        (DALE.id, SCENARIO.id, "ELITE", False)
    ]
    assert not contacts.detail.objections.isVisible()  # no hints in Exam mode

    # Another level is not the assigned call: the app's mode again, free to change.
    qtbot.mouseClick(options.difficulty.buttons["ROOKIE"], Qt.MouseButton.LeftButton)
    assert options.practice_mode() and options.mode.isEnabled()
    assert contacts.call_request_for(DALE.id).practice_mode
    qtbot.mouseClick(options.difficulty.buttons["ELITE"], Qt.MouseButton.LeftButton)
    assert not contacts.call_request_for(DALE.id).practice_mode

    # A practice assignment sets up its scenario and level and leaves the mode to the trainee.
    contacts.select_persona(ROSA.id)
    assert (options.scenario_id(), options.difficulty_value()) == (SCENARIO.id, "PRO")
    assert options.practice_mode() and options.mode.isEnabled()
    request = contacts.call_request_for(ROSA.id)
    assert (request.scenario_id, request.difficulty, request.practice_mode) == (SCENARIO.id, "PRO", True)

    # "Set up this call" for the exam from the line at the top; the app's own mode was never changed.
    contacts.assignment_line.label.linkActivated.emit("assignment:5")
    assert contacts.current_persona_id() == DALE.id and not options.practice_mode()
    assert not contacts.call_request_for(DALE.id).practice_mode
    assert state.settings.practice_mode

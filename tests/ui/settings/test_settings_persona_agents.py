"""The settings page's "Sellers with their own agent" table: every contact is listed, ids typed there are checked as
they are typed and saved with the rest, and a call to that seller then reaches its own agent with its own voice."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidgetItem

from desktop.store.catalog import PersonaCatalog
from desktop.ui.settings.persona_agents import AGENT, PERSONA, VOICE
from desktop.voice.agent.target import choose_agent
from tests.ui.settings.test_settings_dialog import page, save, saved_file, state  # noqa: F401  (fixtures and helpers)


def row_of(page, persona_id: str) -> int:  # noqa: F811
    table = page.persona_agents.table
    return next(
        r for r in range(table.rowCount()) if table.item(r, PERSONA).data(Qt.ItemDataRole.UserRole) == persona_id
    )


def type_into(page, row: int, column: int, text: str) -> None:  # noqa: F811
    page.persona_agents.table.item(row, column).setText(text)  # what the table's editor commits


def test_every_contact_is_listed_and_ids_typed_there_are_saved_and_used_by_the_call(qtbot, page, state):  # noqa: F811
    contacts = PersonaCatalog(state.queries).personas()
    table = page.persona_agents.table
    assert [table.item(r, PERSONA).text() for r in range(table.rowCount())] == [p.name for p in contacts]
    dale = row_of(page, "dale-pruitt-coal-county")
    type_into(page, dale, AGENT, " agent_dale ")
    type_into(page, dale, VOICE, "voice_dale")
    with qtbot.waitSignal(page.presenter.saved, timeout=10_000):
        save(qtbot, page)
    expected = {"dale-pruitt-coal-county": {"agent_id": "agent_dale", "voice_id": "voice_dale"}}
    assert saved_file()["persona_agents"] == expected and state.settings.persona_agents == expected
    assert page.persona_agents.table.item(row_of(page, "dale-pruitt-coal-county"), AGENT).text() == "agent_dale"
    choice = choose_agent(state.settings, persona_id="dale-pruitt-coal-county")
    assert (choice.kind, choice.agent_id, choice.voice_id) == ("elevenlabs", "agent_dale", "voice_dale")

    # Clearing both cells gives the seller back to the default agent.
    type_into(page, row_of(page, "dale-pruitt-coal-county"), AGENT, "")
    type_into(page, row_of(page, "dale-pruitt-coal-county"), VOICE, "")
    save(qtbot, page)
    assert (
        saved_file()["persona_agents"] == {}
        and choose_agent(state.settings, persona_id="dale-pruitt-coal-county").kind == "partner"
    )


def test_a_bad_id_turns_red_as_typed_and_blocks_the_save_with_a_message(qtbot, page, state):  # noqa: F811
    row = row_of(page, "rosa-delgado-bexar")
    type_into(page, row, AGENT, "agent rosa")  # a space: no ElevenLabs id has one
    cell: QTableWidgetItem = page.persona_agents.table.item(row, AGENT)
    assert "letters, digits" in cell.toolTip()
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.persona_agents.error.isVisible() and "marked in red" in page.persona_agents.error.text()
    assert "persona_agents" not in saved_file() or saved_file()["persona_agents"] == {}
    type_into(page, row, AGENT, "agent_rosa")  # fixed: the message goes away
    assert not page.persona_agents.error.isVisible() and cell.toolTip() == ""


def test_ids_of_a_seller_no_longer_in_the_contacts_are_kept(qtbot, page, state):  # noqa: F811
    state.settings.persona_agents = {"deleted-persona": {"agent_id": "agent_old"}}
    with qtbot.waitSignal(page.presenter.loaded, timeout=10_000):
        page.presenter.load()
    assert page.persona_agents.values() == {"deleted-persona": {"agent_id": "agent_old"}}

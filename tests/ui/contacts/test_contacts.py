"""The contacts page with its presenter on a real store: sellers and best scores, search and filters, placing a call
with the chosen options, and the trainee's own personas (inline validation, save, edit, delete)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QStyleOptionViewItem

from desktop import settings as app_settings
from desktop.bootstrap import open_app_state
from desktop.core.personas import load_builtin_personas
from desktop.core.results import Grade
from desktop.ui.contacts.page import ContactsPage
from desktop.ui.contacts.presenter import ContactsPresenter
from desktop.ui.settings.presenter import settings_pool
from desktop.ui.shell.main_window import MainWindow
from desktop.ui.shell.requests import CallRequest
from tests.conftest import SCENARIO
from tests.ui.shell.shell_screens import controls_without_tooltips, grab, themed

BUILTIN = load_builtin_personas()
DALE = next(p for p in BUILTIN if p.name == "Dale Pruitt")


@pytest.fixture
def state(data_home: Path):
    opened = open_app_state()
    yield opened
    opened.close()


def graded_call(state, persona, grade: Grade) -> int:
    started = state.repository.start_session(
        persona_snapshot=persona.snapshot(), scenario_snapshot=SCENARIO, difficulty="PRO"
    )
    state.repository.end_session(started.id, end_reason="user_hangup")
    state.repository.save_grade(started.id, grade)
    return started.id


@pytest.fixture
def page(qtbot, state):
    contacts = ContactsPage()
    qtbot.addWidget(contacts)
    presenter = ContactsPresenter(state, contacts)
    contacts.resize(1100, 720)
    contacts.show()
    with qtbot.waitSignal(presenter.loaded, timeout=5000):
        presenter.reload()
    contacts.presenter = presenter  # kept alive with the page
    return contacts


def visible_names(page: ContactsPage) -> list[str]:
    return [page.list.persona(pid).name for pid in page.list.visible_ids()]


def test_sellers_come_from_the_store_with_the_best_score_so_far(qtbot, state):
    graded_call(state, DALE, Grade(80, 70, 60, 50))
    graded_call(state, DALE, Grade(90, 90, 90, 90))
    contacts = ContactsPage()
    qtbot.addWidget(contacts)
    assert "Loading" in contacts.list_caption.text()
    presenter = ContactsPresenter(state, contacts)
    with qtbot.waitSignal(presenter.loaded, timeout=5000) as loaded:
        presenter.reload()

    assert contacts.list.count() == len(BUILTIN) == len(loaded.args[0].personas)
    assert contacts.list_caption.text() == f"{len(BUILTIN)} sellers"
    assert contacts.select_persona(DALE.id)
    detail = contacts.detail
    assert detail.name.text() == "Dale Pruitt" and detail.phone.text() == DALE.phone
    assert detail.best.text() == "Best 90"
    chips = [
        detail.chips.itemAt(i).widget().text() for i in range(detail.chips.count()) if detail.chips.itemAt(i).widget()
    ]
    assert chips == ["Low motivation", "Skeptical"]
    assert not detail.edit_button.isVisible() and not detail.delete_button.isVisible()  # built-ins are not editable
    other = next(p for p in BUILTIN if p.id != DALE.id)
    contacts.select_persona(other.id)
    assert detail.best.text() == "Not called yet"
    assert detail.options.scenario.count() >= 6 and detail.options.scenario_id() == "cold-call-first-contact"


def test_search_and_filters_narrow_the_list(qtbot, page):
    page.search.setText("coal county")
    assert visible_names(page) == ["Dale Pruitt"]
    assert page.list_caption.text() == f"1 of {len(BUILTIN)} sellers"
    page.search.setText("0103817")  # part of a phone number, without its punctuation
    assert visible_names(page) == ["Dale Pruitt"]
    page.search.setText("")

    page.set_filter(motivation="high")
    names = visible_names(page)
    assert names and all(page.list.persona(pid).motivation_level == "high" for pid in page.list.visible_ids())
    assert page.filter_button.text().strip() == "1"
    page.set_filter(motivation="high", style="friendly")
    assert set(visible_names(page)) <= set(names)

    page.set_filter(source="user")  # no personas of your own yet
    assert visible_names(page) == []
    assert page.detail_stack.currentWidget() is page.empty
    assert "No sellers match" in page.empty.text() and "create your own" in page.empty.text()
    page.clear_filters()
    assert len(visible_names(page)) == len(BUILTIN) and page.detail_stack.currentIndex() == 0


def test_calling_uses_the_chosen_difficulty_scenario_and_mode(qtbot, page, state):
    page.select_persona(DALE.id)
    options = page.detail.options
    qtbot.mouseClick(options.difficulty.buttons["ELITE"], Qt.MouseButton.LeftButton)
    options.scenario.setCurrentIndex(options.scenario.findData("price-negotiation"))
    assert "skeptical" in options.difficulty_help.text()
    assert options.scenario_help.text()  # the scenario's description

    with qtbot.waitSignal(page.call_requested, timeout=1000) as voice:
        qtbot.mouseClick(page.detail.call_button, Qt.MouseButton.LeftButton)
    assert voice.args == [CallRequest(DALE.id, "price-negotiation", "ELITE", True, False)]

    with qtbot.waitSignal(page.call_requested, timeout=1000) as typed:
        qtbot.mouseClick(page.detail.type_button, Qt.MouseButton.LeftButton)
    assert typed.args[0].typed is True

    # Exam mode: no objection hints, and the choice is saved for next time.
    assert page.detail.objections.isVisible()
    qtbot.mouseClick(options.mode.buttons["exam"], Qt.MouseButton.LeftButton)
    assert not page.detail.objections.isVisible()
    assert settings_pool().waitForDone(5000)
    assert json.loads(app_settings.settings_path().read_text())["practice_mode"] is False
    assert state.settings.practice_mode is False

    # Each seller keeps the options last picked for them.
    other = next(p for p in BUILTIN if p.id != DALE.id)
    page.select_persona(other.id)
    qtbot.mouseClick(options.difficulty.buttons["BEGINNER"], Qt.MouseButton.LeftButton)
    page.select_persona(DALE.id)
    assert options.difficulty_value() == "ELITE" and options.scenario_id() == "price-negotiation"

    with qtbot.waitSignal(page.call_requested, timeout=1000) as entered:
        page.list.setFocus()
        qtbot.keyClick(page.list, Qt.Key.Key_Return)
    assert entered.args == [CallRequest(DALE.id, "price-negotiation", "ELITE", False, False)]
    rect = page.list.visualItemRect(page.list.currentItem())
    with qtbot.assertNotEmitted(page.call_requested):  # one click selects, never calls
        qtbot.mouseClick(page.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(page.call_requested, timeout=1000) as double:
        qtbot.mouseDClick(page.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert double.args[0].persona_id == DALE.id


def fill(editor, **values: str) -> None:
    for key, value in values.items():
        widget = editor.inputs[key]
        if isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value)
        elif isinstance(widget, QLineEdit):
            widget.setText(value)
        else:
            widget.setCurrentIndex(widget.findData(value))


def error_text(editor, key: str) -> str:
    label = editor.errors[key]
    return label.text() if label.isVisible() else ""


def test_your_own_persona_is_checked_field_by_field_then_stored(qtbot, page, state):
    editor = page.open_new_persona()
    qtbot.addWidget(editor)
    with qtbot.assertNotEmitted(page.persona_save_requested):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    for key in ("name", "property_type", "location", "asking_price", "objection_patterns"):
        assert error_text(editor, key), key
    assert "required" in error_text(editor, "name").lower()
    assert editor.inputs["name"].property("invalid") is True

    fill(editor, name="Gloria Vance")
    assert error_text(editor, "name") == ""  # fixed as you type, once a save was tried
    fill(
        editor,
        phone=DALE.phone,
        property_type="3 acres with a burned-out cabin",
        location="Marion County, FL",
        asking_price="$85,000",
        fair_price="90000",
        motivation_level="high",
        conversation_style="aggressive",
    )
    editor._add_objection("price too low")
    editor._add_objection("paperwork hassle")
    assert editor.check().keys() == {"phone", "fair_price"}
    assert "Dale Pruitt already has this number" in error_text(editor, "phone")
    assert "above the asking price" in error_text(editor, "fair_price")
    assert editor.inputs["objection_patterns"].toPlainText() == "price too low\npaperwork hassle"

    fill(editor, phone="(555) 099-1234", fair_price="")
    with qtbot.waitSignal(page.presenter.persona_saved, timeout=5000) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    persona = saved.args[0]
    assert persona.id == "user-gloria-vance" and persona.asking_price == 85000 and persona.fair_price == 59500
    stored = {row["id"]: row for row in state.queries.user_personas()}
    assert stored["user-gloria-vance"]["phone"] == "(555) 099-1234"
    qtbot.waitUntil(lambda: page.list.count() == len(BUILTIN) + 1, timeout=5000)
    assert page.current_persona_id() == "user-gloria-vance"
    assert page.detail.edit_button.isVisible() and page.detail.delete_button.isVisible()
    assert page.editor is None


def test_editing_keeps_the_id_and_deleting_asks_first(qtbot, page, state):
    editor = page.open_new_persona()
    fill(editor, name="Hank Ott", property_type="duplex", location="Lake County, IN", asking_price="140000",
         objection_patterns="call back later")  # fmt: skip
    with qtbot.waitSignal(page.presenter.loaded, timeout=5000):
        editor.try_save()
    assert page.select_persona("user-hank-ott")

    editor = page.open_edit_persona()
    assert editor is not None and editor.inputs["name"].text() == "Hank Ott"
    fill(editor, location="Porter County, IN")
    with qtbot.waitSignal(page.presenter.loaded, timeout=5000):
        editor.try_save()
    rows = state.queries.user_personas()
    assert [(r["id"], r["location"]) for r in rows] == [("user-hank-ott", "Porter County, IN")]

    box = page.confirm_delete()
    assert isinstance(box, QMessageBox) and "Hank Ott" in box.text() and "history" in box.text()
    with qtbot.assertNotEmitted(page.persona_delete_requested):
        box.button(QMessageBox.StandardButton.Cancel).click()
    assert state.queries.user_personas()

    box = page.confirm_delete()
    delete = next(b for b in box.buttons() if b.text() == "Delete")
    with qtbot.waitSignal(page.presenter.persona_deleted, timeout=5000):
        delete.click()
    qtbot.waitUntil(lambda: page.list.count() == len(BUILTIN), timeout=5000)
    assert state.queries.user_personas() == []
    assert page.confirm_delete() is None  # a built-in is selected now: nothing to delete


def test_a_storage_error_while_saving_is_shown_in_the_form(qtbot, page, state, monkeypatch):
    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(state.repository, "save_user_persona", broken)
    editor = page.open_new_persona()
    fill(editor, name="Ivy Hart", property_type="lot", location="Polk County, FL", asking_price="20000",
         objection_patterns="is this a scam")  # fmt: skip
    editor.try_save()
    qtbot.waitUntil(lambda: editor.form_error.isVisible(), timeout=5000)
    assert "could not be saved" in editor.form_error.text() and "disk full" in editor.form_error.text()
    assert editor.save_button.isEnabled() and editor.isVisible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshot_of_the_contacts(qtbot, state, tmp_path, scheme):
    graded_call(state, DALE, Grade(85, 80, 75, 90))
    rosa = next(p for p in BUILTIN if p.name == "Rosa Delgado")
    graded_call(state, rosa, Grade(50, 40, 45, 30))
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
        contacts.select_persona(DALE.id)
        name = "contacts" if scheme == "light" else "contacts_dark"
        path = grab(window, name, tmp_path)
    assert path.stat().st_size > 20_000


def test_every_control_has_a_tooltip_and_rows_grow_with_the_font(qtbot, page):
    assert controls_without_tooltips(page) == []
    editor = page.open_new_persona()
    assert controls_without_tooltips(editor) == []
    option = QStyleOptionViewItem()
    option.font = QFont(page.font())
    delegate = page.list.itemDelegate()
    normal = delegate.sizeHint(option, page.list.model().index(0, 0)).height()
    option.font.setPointSizeF(page.font().pointSizeF() * 2)  # a user who needs large text
    assert delegate.sizeHint(option, page.list.model().index(0, 0)).height() >= normal * 1.8

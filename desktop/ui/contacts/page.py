"""The contacts page: find a seller, see who they are, pick difficulty, scenario and mode, and call them.

It holds no data access: the presenter gives it `ContactsData` and carries out what its signals ask for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.personas import CONVERSATION_STYLES, MOTIVATION_LEVELS, Persona
from desktop.core.scenarios import Scenario
from desktop.ui.contacts.assigned_call import assigned_exam, show_mode
from desktop.ui.contacts.detail import ContactDetail
from desktop.ui.contacts.persona_editor import PersonaEditor
from desktop.ui.contacts.seller_list import ContactFilter, ContactList
from desktop.ui.shell.requests import CallRequest
from desktop.ui.widgets import icons
from desktop.ui.widgets.controls import Banner
from desktop.ui.widgets.plain_text import escape

if TYPE_CHECKING:
    from desktop.sync.assignments import Assignment

SOURCES = (("user", "Your own"), ("builtin", "Built-in"), ("team", "From your team"))


@dataclass(frozen=True)
class ContactsData:
    personas: list[Persona]
    scenarios: list[Scenario]
    best_scores: dict[str, int]
    practice_mode: bool = True
    assignments: list[Assignment] = field(default_factory=list)  # the coach's, still open, soonest due first


class ContactsPage(QWidget):
    call_requested = Signal(object)  # CallRequest
    persona_save_requested = Signal(dict)  # form data, already checked on the GUI thread
    persona_delete_requested = Signal(str)
    practice_mode_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self._personas: list[Persona] = []
        self._scenarios: list[Scenario] = []
        self._best: dict[str, int] = {}
        self._assignments: list[Assignment] = []
        self._choices: dict[str, tuple[str, str]] = {}  # persona id -> (scenario id, difficulty) last picked
        self._practice_mode = True  # the app's mode; a call assigned in Exam mode is placed in Exam mode regardless
        self._set_up: set[int] = set()  # assignments whose call was set up when their seller was first selected
        self.editor: PersonaEditor | None = None
        self.confirm_box: QMessageBox | None = None
        self._select_after_reload: str | None = None

        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self._build_list_column())
        self.splitter.addWidget(self._build_detail_column())
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([380, 620])
        layout.addWidget(self.splitter)
        self._shortcuts()
        self.show_loading()

    # --- building ----------------------------------------------------------------------------------------------------

    def _build_list_column(self) -> QWidget:
        column = QWidget()
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 8, 0)
        header = QHBoxLayout()
        header.addWidget(QLabel("Contacts", objectName="title"))
        header.addStretch(1)
        self.new_button = QPushButton(" New")
        self.new_button.setIcon(icons.icon("person_plus"))
        self.new_button.setToolTip("Create your own seller persona (Ctrl+N)")
        self.new_button.clicked.connect(self.open_new_persona)
        header.addWidget(self.new_button)
        layout.addLayout(header)

        self.assignment_line = Banner()
        self.assignment_line.setAccessibleName("Assigned by your coach")
        label = self.assignment_line.label
        label.setTextFormat(Qt.TextFormat.RichText)  # our markup; the server's words are escaped
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        label.setToolTip("Calls your coach assigned: they count when you call this seller in this scenario and level")
        label.linkActivated.connect(self._on_assignment_link)
        self.assignment_line.hide()
        layout.addWidget(self.assignment_line)

        search_row = QHBoxLayout()
        self.search = QLineEdit(placeholderText="Search name, property, place or number")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icons.icon("search", "MUTED"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setToolTip("Find a seller by name, property, place or phone number (Ctrl+F)")
        self.search.textChanged.connect(lambda _text: self._refilter())
        search_row.addWidget(self.search, 1)
        self.filter_button = QToolButton(objectName="flat")
        self.filter_button.setIcon(icons.icon("filter"))
        self.filter_button.setToolTip("Filter by motivation, style or who made the persona")
        self.filter_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.filter_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.filter_button.setMenu(self._build_filter_menu())
        search_row.addWidget(self.filter_button)
        layout.addLayout(search_row)

        self.list = ContactList()
        self.list.selected_persona.connect(self._on_selected)
        self.list.activated_persona.connect(lambda pid: self._request_call(pid, typed=False))
        layout.addWidget(self.list, 1)
        self.list_caption = QLabel(objectName="muted")
        layout.addWidget(self.list_caption)
        return column

    def _build_filter_menu(self) -> QMenu:
        menu = QMenu(self)
        self._filter_groups: dict[str, QActionGroup] = {}
        sections = (
            ("motivation", "Motivation", [(m, f"{m.title()} motivation") for m in MOTIVATION_LEVELS]),
            ("style", "Style", [(s, s.title()) for s in CONVERSATION_STYLES]),
            ("source", "Made by", list(SOURCES)),
        )
        for key, title, options in sections:
            menu.addSection(title)
            group = QActionGroup(menu)
            group.setExclusive(True)
            for value, label in [("", f"Any {title.lower()}" if key != "source" else "Anyone"), *options]:
                action = QAction(label, menu, checkable=True)
                action.setData(value)
                action.setChecked(value == "")
                group.addAction(action)
                menu.addAction(action)
            group.triggered.connect(lambda _action: self._refilter())
            self._filter_groups[key] = group
        menu.addSeparator()
        menu.addAction("Clear filters", self.clear_filters)
        return menu

    def _build_detail_column(self) -> QWidget:
        self.detail_stack = QStackedWidget()
        self.detail = ContactDetail()
        self.detail.call_button.clicked.connect(lambda: self._request_call(self.current_persona_id(), typed=False))
        self.detail.type_button.clicked.connect(lambda: self._request_call(self.current_persona_id(), typed=True))
        self.detail.edit_button.clicked.connect(self.open_edit_persona)
        self.detail.delete_button.clicked.connect(self.confirm_delete)
        self.detail.options.changed.connect(self._remember_choice)
        self.detail.options.practice_mode_changed.connect(lambda practice: setattr(self, "_practice_mode", practice))
        self.detail.options.practice_mode_changed.connect(self.practice_mode_changed)
        scroll = QScrollArea(objectName="pageScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.detail)
        self.empty = QLabel(objectName="muted", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.detail_stack.addWidget(scroll)
        self.detail_stack.addWidget(self.empty)
        return self.detail_stack

    def _shortcuts(self) -> None:
        bindings = (
            ("Ctrl+F", lambda: (self.search.setFocus(), self.search.selectAll())),
            ("Ctrl+N", self.open_new_persona),
            ("Ctrl+E", self.open_edit_persona),
            ("Delete", self.confirm_delete),
            ("Ctrl+Return", lambda: self._request_call(self.current_persona_id(), typed=True)),
        )
        for keys, slot in bindings:
            QShortcut(QKeySequence(keys), self, activated=slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        # Enter in the search box calls the first match, like a phone's contact search.
        self.search.returnPressed.connect(lambda: self._request_call(self.current_persona_id(), typed=False))

    # --- data in -----------------------------------------------------------------------------------------------------

    def show_loading(self, text: str = "Loading your sellers...") -> None:
        self.list_caption.setText(text)
        self._show_empty(text)

    def show_error(self, message: str) -> None:
        self.list_caption.setText("Your sellers could not be loaded.")
        self._show_empty(message)

    def show_data(self, data: ContactsData) -> None:
        self._personas = list(data.personas)
        self._scenarios = list(data.scenarios)
        self._best = dict(data.best_scores)
        self._assignments = list(data.assignments)
        self.detail.options.set_scenarios(self._scenarios)
        self._practice_mode = data.practice_mode
        self.list.set_personas(self._personas, self._best, self._assigned_chips())
        self._show_assignment_line()
        self._refilter()
        self._show_mode()
        if self._select_after_reload and self.list.select_persona(self._select_after_reload):
            self._select_after_reload = None
        if self.editor is not None:
            self.editor.set_other_personas(self._personas)

    # --- the coach's assignments -------------------------------------------------------------------------------------

    def assignment_for(self, persona_id: str) -> Assignment | None:
        """The soonest open assignment with this seller."""
        return next((a for a in self._assignments if a.persona_id == persona_id), None)

    def _assigned_chips(self, today: date | None = None) -> dict[str, str]:
        chips: dict[str, str] = {}
        for assignment in self._assignments:  # soonest first: each seller shows its soonest
            chips.setdefault(assignment.persona_id, assignment.chip(today))
        return chips

    def _show_assignment_line(self, today: date | None = None) -> None:
        """The line at the top of the list: the next assignment in full, and how many more."""
        if not self._assignments:
            self.assignment_line.hide()
            return
        first = self._assignments[0]
        when = first.badge(today).removeprefix("Assigned by your coach: ")
        text = (
            f"<b>Assigned by your coach: {escape(first.persona_name or first.persona_id)}</b>"
            f"<br>{escape(first.scenario_title or first.scenario_id)}, {first.difficulty.title()}"
            f"<br>{escape(when)} &nbsp;<a href='assignment:{first.id}'>Set up this call</a>"
        )
        more = len(self._assignments) - 1
        if more:
            text += f"<br>and {more} more: see the sellers marked Assigned"
        self.assignment_line.set_message(text, "info")
        self.assignment_line.show()

    def _on_assignment_link(self, link: str) -> None:
        key = link.removeprefix("assignment:")
        assignment = next((a for a in self._assignments if str(a.id) == key), None)
        if assignment is not None:
            self.set_up_assignment(assignment)

    def set_up_assignment(self, assignment: Assignment) -> bool:
        """Selects the assigned seller with the assignment's scenario and level, ready to call (False when the
        seller is not in the list: a team persona not synced yet, or hidden by the search)."""
        self.search.clear()
        self.clear_filters()
        if not self.list.select_persona(assignment.persona_id):
            return False
        self._set_up.add(assignment.id)
        self._choices[assignment.persona_id] = (assignment.scenario_id, assignment.difficulty)
        self.detail.options.set_scenario_id(assignment.scenario_id)
        self.detail.options.set_difficulty(assignment.difficulty)
        self._show_mode()
        return True

    def set_practice_mode(self, practice: bool) -> None:
        self._practice_mode = practice
        self._show_mode()

    def is_assigned_exam(self, persona_id: str, scenario_id: str, difficulty: str) -> bool:
        return assigned_exam(self._assignments, persona_id, scenario_id, difficulty)

    def _show_mode(self) -> None:
        """The mode the selected call will be placed in: Exam, fixed, for a call assigned in Exam mode, else the
        app's (shown without saving it: the app's mode stays what the trainee chose)."""
        options = self.detail.options
        persona_id = self.current_persona_id() or ""
        exam = bool(persona_id) and self.is_assigned_exam(persona_id, options.scenario_id(), options.difficulty_value())
        show_mode(options, self._practice_mode, exam)
        self.detail.update_objections()

    def personas(self) -> list[Persona]:
        return list(self._personas)

    def current_persona_id(self) -> str | None:
        return self.list.current_persona_id()

    def call_request_for(self, persona_id: str, typed: bool = False) -> CallRequest:
        """The call the page would place for this seller now: their last scenario and difficulty, the app's mode, or
        Exam mode when the call counts for an assignment given in Exam mode."""
        options = self.detail.options
        scenario_id, difficulty = self._choices.get(persona_id, (options.scenario_id(), options.difficulty_value()))
        practice = self._practice_mode and not self.is_assigned_exam(persona_id, scenario_id, difficulty)
        return CallRequest(persona_id, scenario_id, difficulty, practice, typed)

    # --- selection, filters ------------------------------------------------------------------------------------------

    def current_filter(self) -> ContactFilter:
        def chosen(key: str) -> str:
            action = self._filter_groups[key].checkedAction()
            return action.data() if action is not None else ""

        return ContactFilter(self.search.text(), chosen("motivation"), chosen("style"), chosen("source"))

    def set_filter(self, motivation: str = "", style: str = "", source: str = "") -> None:
        for key, value in (("motivation", motivation), ("style", style), ("source", source)):
            for action in self._filter_groups[key].actions():
                action.setChecked(action.data() == value)
        self._refilter()

    def clear_filters(self) -> None:
        self.set_filter()

    def _refilter(self) -> None:
        contact_filter = self.current_filter()
        visible = self.list.apply_filter(contact_filter)
        active = contact_filter.active_count
        self.filter_button.setText(f" {active}" if active else "")
        total = len(self._personas)
        if not total:
            return
        if visible == total:
            self.list_caption.setText(f"{total} sellers")
        else:
            self.list_caption.setText(f"{visible} of {total} sellers")
        if not visible:
            what = f" “{contact_filter.text.strip()}”" if contact_filter.text.strip() else " these filters"
            self._show_empty(f"No sellers match{what}.\nClear the search or the filters, or create your own persona.")

    def _on_selected(self, persona_id: str) -> None:
        persona = self.list.persona(persona_id) if persona_id else None
        if persona is None:
            if self._personas and not self.list.visible_ids():
                return  # the "no match" message from _refilter stays
            self._show_empty("Pick a seller on the left." if self._personas else self.list_caption.text())
            return
        assignment = self.assignment_for(persona.id)
        if assignment is not None and assignment.id not in self._set_up:  # first seen: its call, ready to place
            self._set_up.add(assignment.id)
            self._choices[persona.id] = (assignment.scenario_id, assignment.difficulty)
        self.detail.show_persona(persona, self._best.get(persona.id), assignment)
        scenario_id, difficulty = self._choices.get(persona.id, (None, None))
        if scenario_id:
            self.detail.options.set_scenario_id(scenario_id)
        if difficulty:
            self.detail.options.set_difficulty(difficulty)
        self._show_mode()
        self.detail_stack.setCurrentIndex(0)

    def _show_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.detail_stack.setCurrentIndex(1)

    def _remember_choice(self) -> None:
        persona_id = self.current_persona_id()
        if persona_id:
            options = self.detail.options
            self._choices[persona_id] = (options.scenario_id(), options.difficulty_value())
        self._show_mode()

    def _request_call(self, persona_id: str | None, typed: bool) -> None:
        if persona_id:
            self.call_requested.emit(self.call_request_for(persona_id, typed))

    # --- own personas ------------------------------------------------------------------------------------------------

    def open_new_persona(self) -> PersonaEditor:
        return self._open_editor(None)

    def open_edit_persona(self) -> PersonaEditor | None:
        persona = self.list.persona(self.current_persona_id() or "")
        if persona is None or persona.source != "user":
            return None
        return self._open_editor(persona)

    def _open_editor(self, persona: Persona | None) -> PersonaEditor:
        if self.editor is not None:
            self.editor.close()
        self.editor = PersonaEditor(self._personas, persona, parent=self)
        self.editor.save_requested.connect(self.persona_save_requested)
        self.editor.finished.connect(lambda _result: setattr(self, "editor", None))
        self.editor.open()
        return self.editor

    def persona_saved(self, persona: Persona) -> None:
        """The presenter stored it: close the editor; the reload that follows selects it."""
        self._choices.setdefault(
            persona.id, (self.detail.options.scenario_id(), self.detail.options.difficulty_value())
        )
        self._select_after_reload = persona.id
        if self.editor is not None:
            self.editor.accept()

    def persona_save_failed(self, problem: dict[str, str] | str) -> None:
        if self.editor is not None:
            self.editor.show_problem(problem)

    def select_persona(self, persona_id: str) -> bool:
        return self.list.select_persona(persona_id)

    def confirm_delete(self) -> QMessageBox | None:
        persona = self.list.persona(self.current_persona_id() or "")
        if persona is None or persona.source != "user":
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Delete persona",
            f"Delete {persona.name}?\n\nYour past calls with them stay in your history.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(
            lambda button: self.persona_delete_requested.emit(persona.id) if button is delete else None
        )
        box.finished.connect(lambda _result: setattr(self, "confirm_box", None))
        self.confirm_box = box
        box.open()
        return box

    # --- remembered layout -------------------------------------------------------------------------------------------

    def save_layout(self, settings: QSettings) -> None:
        settings.setValue("splitter", self.splitter.saveState())
        settings.setValue("choices", json.dumps(self._choices))
        settings.setValue("selected", self.current_persona_id() or "")

    def restore_layout(self, settings: QSettings) -> None:
        state = settings.value("splitter")
        if state is not None:
            self.splitter.restoreState(state)
        try:
            choices = json.loads(settings.value("choices", "{}") or "{}")
            self._choices = {
                k: (str(v[0]), str(v[1])) for k, v in choices.items() if isinstance(v, list) and len(v) == 2
            }
        except (TypeError, ValueError):
            self._choices = {}
        selected = settings.value("selected", "")
        if selected:
            self._select_after_reload = str(selected)

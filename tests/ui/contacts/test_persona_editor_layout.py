"""Issue 15, item 8: the persona editor's layout does not jump as error messages appear: every field and the Save
button stay where they were, and a message too long for its line is kept whole in its tooltip."""

from __future__ import annotations

from PySide6.QtCore import QPoint

from desktop.core.personas import load_builtin_personas
from desktop.ui.contacts.persona_editor import PersonaEditor


def _positions(editor: PersonaEditor) -> dict[str, QPoint]:
    where = {key: widget.mapTo(editor, QPoint(0, 0)) for key, widget in editor.inputs.items()}
    where["save"] = editor.save_button.mapTo(editor, QPoint(0, 0))
    return where


def test_errors_appear_without_moving_the_fields(qtbot) -> None:
    editor = PersonaEditor(load_builtin_personas())
    qtbot.addWidget(editor)
    editor.resize(620, 3000)  # tall enough that every field is laid out without scrolling
    editor.show()
    qtbot.waitExposed(editor)
    before = _positions(editor)

    assert editor.try_save() is False  # an empty form: errors under the required fields
    qtbot.waitUntil(lambda: editor.errors["name"].isVisible())
    assert editor.errors["name"].text()
    assert _positions(editor) == before

    long = "Fair price should not be above the asking price, or the seller would take any offer at once. " * 2
    editor.show_problem({"fair_price": long.strip(), "name": "Name is required."})
    assert editor.errors["fair_price"].toolTip() == long.strip()
    assert editor.errors["fair_price"].text().endswith("…")  # cut to its line, whole in the tooltip
    editor.show_problem("The persona could not be saved (the disk is full). Try again.")
    assert editor.form_error.isVisible()
    assert _positions(editor) == before

    editor.show_problem({})
    assert not editor.errors["name"].isVisible() and not editor.form_error.isVisible()
    assert _positions(editor) == before

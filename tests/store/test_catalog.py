"""User-made personas: validated with a message per bad field, stored in the database, listed beside built-ins."""

from __future__ import annotations

import pytest

from desktop.core.personas import PersonaValidationError
from desktop.store.catalog import PersonaCatalog

GOOD = {
    "name": "Joan Pike",
    "property_type": "12 acres of timber land",
    "location": "Polk County, AR",
    "motivation_level": "medium",
    "conversation_style": "friendly",
    "objection_patterns": ["price too low", "needs to talk to her son"],
    "asking_price": 48000,
}


def test_a_user_persona_is_stored_and_listed(repo, queries):
    catalog = PersonaCatalog(queries)
    builtin_count = len(catalog.personas())
    saved = catalog.save_user_persona(repo, GOOD)
    assert saved.source == "user"
    listed = catalog.personas()
    assert len(listed) == builtin_count + 1
    assert catalog.persona(saved.id).objection_patterns == ("price too low", "needs to talk to her son")

    edited = catalog.save_user_persona(repo, {**saved.to_dict(), "motivation_level": "high"})
    assert edited.id == saved.id
    assert catalog.persona(saved.id).motivation_level == "high"
    assert len(catalog.personas()) == builtin_count + 1

    assert catalog.delete_user_persona(repo, saved.id) is True
    assert catalog.persona(saved.id) is None


@pytest.mark.parametrize(
    "bad, fields",
    [
        ({**GOOD, "name": ""}, {"name"}),
        (
            {**GOOD, "motivation_level": "desperate", "conversation_style": None},
            {"motivation_level", "conversation_style"},
        ),
        ({**GOOD, "asking_price": "lots"}, {"asking_price"}),
        ({**GOOD, "objection_patterns": []}, {"objection_patterns"}),
    ],
)
def test_bad_fields_each_get_a_message_and_nothing_is_written(repo, queries, bad, fields):
    catalog = PersonaCatalog(queries)
    with pytest.raises(PersonaValidationError) as caught:
        catalog.save_user_persona(repo, bad)
    assert fields <= set(caught.value.errors)
    assert all(isinstance(message, str) and message for message in caught.value.errors.values())
    assert queries.user_personas() == []


@pytest.mark.parametrize("garbage", [None, [], "Joan", 5])
def test_garbage_never_crashes(repo, queries, garbage):
    with pytest.raises(PersonaValidationError):
        PersonaCatalog(queries).save_user_persona(repo, garbage)


def test_a_broken_row_does_not_hide_the_others(repo, queries):
    repo.save_user_persona("user-broken", {"id": "user-broken"})
    catalog = PersonaCatalog(queries)
    assert len(catalog.personas()) == len(catalog._builtin)

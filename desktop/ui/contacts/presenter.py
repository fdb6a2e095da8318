"""Feeds the contacts page and the dial pad from the store, and stores the trainee's own personas; all off the GUI
thread."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from desktop.core.personas import Persona, PersonaValidationError
from desktop.ui.contacts.page import ContactsData, ContactsPage
from desktop.ui.settings.presenter import save_settings_in_background
from desktop.ui.widgets.tasks import run_in_background

if TYPE_CHECKING:
    from desktop.store.catalog import PersonaCatalog
    from desktop.store.local_data import LocalData
    from desktop.ui.contacts.dialer import DialerPage

log = logging.getLogger(__name__)


class ContactsPresenter(QObject):
    loaded = Signal(object)  # ContactsData, after every (re)load
    persona_saved = Signal(object)  # Persona
    persona_deleted = Signal(str)

    def __init__(self, state: LocalData, contacts: ContactsPage, dialer: DialerPage | None = None) -> None:
        super().__init__(contacts)
        self._state = state
        self._contacts = contacts
        self._dialer = dialer
        self._catalog: PersonaCatalog | None = None
        self.data: ContactsData | None = None
        contacts.persona_save_requested.connect(self.save_persona)
        contacts.persona_delete_requested.connect(self.delete_persona)
        contacts.practice_mode_changed.connect(self.set_practice_mode)
        if dialer is not None:
            dialer.practice_mode_changed.connect(self.set_practice_mode)
            dialer.opened.connect(self._start_dialer_on_contacts_difficulty)

    def catalog(self) -> PersonaCatalog:
        """Built on first use from a worker thread (it reads the bundled files)."""
        if self._catalog is None:
            from desktop.store.catalog import PersonaCatalog

            self._catalog = PersonaCatalog(self._state.queries)
        return self._catalog

    def reload(self) -> None:
        """Reads personas, scenarios and best scores again (after a call, a grade, an edit, a team sync)."""
        state = self._state

        def job() -> ContactsData:
            catalog = self.catalog()
            return ContactsData(
                personas=catalog.personas(),
                scenarios=catalog.scenarios(),
                best_scores=state.queries.best_scores_by_persona(),
                practice_mode=state.settings.practice_mode,
                assignments=_open_assignments(state),
            )

        run_in_background(job, self._loaded)

    def _loaded(self, data: ContactsData | None, error: Exception | None) -> None:
        if error is not None or data is None:
            self._contacts.show_error(f"Your sellers could not be read ({error}). Restart the app; if it keeps "
                                      "happening, run `roleplay doctor`.")  # fmt: skip
            return
        self.data = data
        self._contacts.show_data(data)
        if self._dialer is not None:
            self._dialer.set_personas(data.personas)
            self._dialer.set_scenarios(data.scenarios)
            self._dialer.set_practice_mode(data.practice_mode)
        self.loaded.emit(data)

    def save_persona(self, data: dict) -> None:
        repository = self._state.repository
        run_in_background(lambda: self.catalog().save_user_persona(repository, data), self._saved)

    def _saved(self, persona: Persona | None, error: Exception | None) -> None:
        if isinstance(error, PersonaValidationError):
            self._contacts.persona_save_failed(error.errors)
            return
        if error is not None or persona is None:
            log.error("saving a persona failed: %r", error)
            self._contacts.persona_save_failed(f"The persona could not be saved ({error}). Try again.")
            return
        self._contacts.persona_saved(persona)
        self.persona_saved.emit(persona)
        self.reload()

    def delete_persona(self, persona_id: str) -> None:
        repository = self._state.repository

        def done(deleted: bool | None, error: Exception | None) -> None:
            if error is not None:
                self._contacts.show_error(f"The persona could not be deleted ({error}). Try again.")
                return
            self.persona_deleted.emit(persona_id)
            self.reload()

        run_in_background(lambda: self.catalog().delete_user_persona(repository, persona_id), done)

    def _start_dialer_on_contacts_difficulty(self) -> None:
        """The Dial pad opens on the difficulty picked in Contacts (the trainee can still change it there)."""
        if self._dialer is not None:
            self._dialer.options.set_difficulty(self._contacts.detail.options.difficulty_value())

    def set_practice_mode(self, practice: bool) -> None:
        """One mode for the whole app, remembered in the settings file."""
        self._contacts.set_practice_mode(practice)
        if self._dialer is not None:
            self._dialer.set_practice_mode(practice)
        if self._state.settings.practice_mode != practice:
            self._state.settings.practice_mode = practice
            save_settings_in_background(self._state.settings)


def _open_assignments(state: LocalData) -> list:
    """The coach's assignments still to do, as the last sync cached them (empty without a team server). They are
    a hint beside the sellers: if the cache cannot be read, Contacts still opens, without them."""
    from desktop.store.sync_store import SyncStore
    from desktop.sync.assignments import open_assignments

    try:
        return open_assignments(SyncStore(state.repository))
    except Exception:
        log.exception("the cached assignments could not be read")
        return []

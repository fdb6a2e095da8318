"""Feeds the history view: pages of sessions, the progress chart and the totals, all read off the GUI thread.

Each listing (a filter change or a refresh) gets a generation number; pages that arrive for an older listing are
dropped, so typing a search quickly never mixes results.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QObject, Signal, Slot

from desktop.core.clock import parse_iso
from desktop.core.progress import PracticeTotals, ProgressPoint, practice_totals
from desktop.store import progress
from desktop.store.local_data import LocalData
from desktop.store.queries import SessionFilter
from desktop.ui.history.model import HistoryRow, history_row, history_rows
from desktop.ui.history.view import HistoryView
from desktop.ui.widgets.tasks import run_in_background

log = logging.getLogger(__name__)

PAGE_SIZE = 100
READ_ERROR = "Your history could not be read ({detail}). Your calls are safe; try again, or restart the app."


def origin_devices(state: LocalData, session_ids: Iterable[int]) -> dict[int, str]:
    """Which sessions came from another device (sync's bookkeeping); empty when sync is not there."""
    try:
        from desktop.store.sync_store import SyncStore
    except ImportError:
        return {}
    try:
        return SyncStore(state.repository).origin_devices(session_ids)
    except Exception:  # an older schema without the sync tables: nothing came from elsewhere
        log.debug("origin devices unavailable", exc_info=True)
        return {}


@dataclass(frozen=True)
class Listing:
    generation: int
    total: int
    rows: list[HistoryRow]


@dataclass(frozen=True)
class ProgressData:
    points: list[ProgressPoint]
    totals: PracticeTotals
    personas: list[tuple[str, str]]


class HistoryPresenter(QObject):
    listing_loaded = Signal(int)  # generation: the first page of a listing is in the model
    page_loaded = Signal(int)  # rows in the model after a page arrived
    progress_loaded = Signal()

    def __init__(
        self,
        state: LocalData,
        view: HistoryView,
        *,
        page_size: int = PAGE_SIZE,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(view)
        self._state = state
        self._view = view
        self._page_size = page_size
        self._today = today
        self._generation = 0
        self._filter = view.current_filter()
        view.filter_changed.connect(self._filter_changed)
        view.model.more_wanted.connect(self._load_page)

    # -- slots for the lead --------------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Reloads the listing (keeping the filters), the chart, the totals and the seller list."""
        self._load_listing(self._view.current_filter())
        self.reload_progress()

    @Slot()
    def reload_progress(self) -> None:
        run_in_background(self._read_progress, self._progress_read)

    @Slot(int)
    def session_updated(self, session_id: int) -> None:
        """A session changed (its grade arrived, sync updated it): refresh its row in place and the totals."""
        queries = self._state.queries

        def read() -> HistoryRow | None:
            record = queries.get_session(session_id)
            if record is None:
                return None
            return history_row(record.summary, origin_devices(self._state, [session_id]).get(session_id, ""))

        def done(row: HistoryRow | None, error: Exception | None) -> None:
            if error is None and row is not None:
                self._view.model.update_row(row)

        run_in_background(read, done)
        self.reload_progress()

    @Slot(int)
    def session_deleted(self, session_id: int) -> None:
        self._view.model.remove_session(session_id)
        self.reload_progress()

    # -- listing -------------------------------------------------------------------------------------------------

    def _filter_changed(self, session_filter: SessionFilter) -> None:
        self._load_listing(session_filter)

    def _load_listing(self, session_filter: SessionFilter) -> None:
        self._generation += 1
        generation, limit, queries = self._generation, self._page_size, self._state.queries
        self._filter = session_filter

        def read() -> Listing:
            total = queries.count_sessions(session_filter)
            summaries = queries.list_sessions(limit=limit, offset=0, session_filter=session_filter)
            origins = origin_devices(self._state, [s.id for s in summaries])
            return Listing(generation, total, history_rows(summaries, origins))

        run_in_background(read, self._listing_read)

    def _listing_read(self, listing: Listing | None, error: Exception | None) -> None:
        if error is not None:
            self._view.show_error(READ_ERROR.format(detail=error))
            return
        if listing is None or listing.generation != self._generation:
            return
        self._view.model.reset(listing.generation, listing.total, listing.rows)
        self.listing_loaded.emit(listing.generation)

    def _load_page(self, offset: int) -> None:
        generation, limit, queries, session_filter = (
            self._generation,
            self._page_size,
            self._state.queries,
            self._filter,
        )

        def read() -> list[HistoryRow]:
            summaries = queries.list_sessions(limit=limit, offset=offset, session_filter=session_filter)
            return history_rows(summaries, origin_devices(self._state, [s.id for s in summaries]))

        def done(rows: list[HistoryRow] | None, error: Exception | None) -> None:
            model = self._view.model
            if error is not None:
                model.page_failed(generation)
                self._view.show_error(READ_ERROR.format(detail=error))
                return
            if model.append_page(generation, offset, rows or []):
                self.page_loaded.emit(model.rowCount())

        run_in_background(read, done)

    # -- progress ------------------------------------------------------------------------------------------------

    def _read_progress(self) -> ProgressData:
        points = progress.graded_points()
        days = [parse_iso(started).astimezone().date() for started in progress.ended_call_starts()]
        totals = practice_totals(days, points, self._today())
        names = dict(progress.personas_called())
        try:
            from desktop.store.catalog import PersonaCatalog

            for persona in PersonaCatalog(self._state.queries).personas():
                names.setdefault(persona.id, persona.name)
        except Exception:  # the seller list is a convenience; history works without the catalog
            log.warning("could not read the persona catalog for the history filters", exc_info=True)
        personas = sorted(names.items(), key=lambda item: item[1].lower())
        return ProgressData(points, totals, personas)

    def _progress_read(self, data: ProgressData | None, error: Exception | None) -> None:
        if error is not None or data is None:
            self._view.show_error(READ_ERROR.format(detail=error))
            return
        self._view.set_personas(data.personas)
        self._view.show_progress(data.points, data.totals)
        self.progress_loaded.emit()

"""Builds the QApplication, shows the window at once, and opens the data off the GUI thread."""

from __future__ import annotations

import sys

from desktop.settings import APP_NAME


def load_home_data(state) -> object:
    from desktop.store.catalog import PersonaCatalog
    from desktop.ui.main_window import HomeData

    catalog = PersonaCatalog(state.queries)
    return HomeData(
        personas=catalog.personas(),
        best_scores=state.queries.best_scores_by_persona(),
        sessions=state.queries.list_sessions(limit=50),
        total_sessions=state.queries.count_sessions(),
        recovered_sessions=state.recovered_sessions,
    )


def run_gui() -> int:
    from PySide6.QtWidgets import QApplication

    from desktop.bootstrap import open_app_state
    from desktop.grading.queue import GradingQueue
    from desktop.ui import theme
    from desktop.ui.main_window import MainWindow
    from desktop.ui.tasks import run_in_background

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setStyleSheet(theme.STYLESHEET)
    window = MainWindow()
    window.show()
    resources: dict = {}

    def open_and_queue_grading():
        # Off the GUI thread: opening may migrate the database, and finding ungraded calls reads it.
        state = open_app_state()
        grading = GradingQueue(state.repository, state.queries)
        grading.enqueue_pending()
        return state, grading

    def opened(result, error: Exception | None) -> None:
        if error is not None:
            window.show_error(str(error))
            return
        state, resources["grading"] = result
        resources["state"] = state
        run_in_background(lambda: load_home_data(state), loaded)

    def loaded(data, error: Exception | None) -> None:
        if error is not None:
            window.show_error(f"Your history could not be read: {error}")
        else:
            window.show_data(data)

    run_in_background(open_and_queue_grading, opened)
    code = app.exec()
    if "grading" in resources:
        resources["grading"].stop()
    if "state" in resources:
        resources["state"].close()
    return code

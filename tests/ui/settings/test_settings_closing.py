"""Settings read in the background may arrive after the window has gone (the app quitting while it loads): the
late result is dropped, not written into deleted widgets (a fresh-clone CI run caught the RuntimeError)."""

from __future__ import annotations

import threading

from desktop.bootstrap import open_app_state
from desktop.ui.settings import form as form_module
from desktop.ui.settings.page import SettingsPage
from desktop.ui.settings.presenter import SettingsPresenter
from desktop.ui.widgets import tasks


def test_settings_that_arrive_after_the_page_closed_are_dropped(qtbot, monkeypatch, data_home):
    state = open_app_state()
    release = threading.Event()
    real_load = form_module.load_snapshot

    def slow_load(*args, **kwargs):
        release.wait(10)  # held until the page is gone
        return real_load(*args, **kwargs)

    monkeypatch.setattr(form_module, "load_snapshot", slow_load)
    try:
        earlier = set(tasks._live_relays)  # other tests' results still on their way are not this test's
        page = SettingsPage()
        presenter = SettingsPresenter(state, page)
        presenter.load()
        page.deleteLater()
        qtbot.waitUntil(lambda: not _alive(page), timeout=5_000)
        release.set()
        qtbot.waitUntil(lambda: not (tasks._live_relays - earlier), timeout=10_000)  # the late result was delivered
    finally:
        release.set()
        state.close()


def _alive(widget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)

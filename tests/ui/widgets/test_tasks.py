"""Background work for the GUI: a result that arrives after the app has quit is dropped, not raised on a worker."""

from __future__ import annotations

import shiboken6

from desktop.ui.widgets.tasks import _Relay, _Task


def test_a_result_after_the_relay_is_gone_is_dropped_quietly(qtbot) -> None:
    delivered = []
    relay = _Relay(lambda result, error: delivered.append(result))
    task = _Task(lambda: 42, relay)
    shiboken6.delete(relay)  # what quitting does to it while the job still runs
    task.run()  # raised "Signal source has been deleted" on the worker thread before
    assert delivered == []

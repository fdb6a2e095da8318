"""A warning that repeats in a flood (issue 14, item 15: `QSocketNotifier: Invalid socket 64 and type 'Read',
disabling...` at about 2 MB/s) fills the log with a few copies and a count, so rotation never throws away what came
before it."""

from __future__ import annotations

import logging

from PySide6.QtCore import qWarning

from desktop.log_repeats import RepeatLimiter
from tests.app.test_crash import app_log, handler  # noqa: F401 (fixtures)

FLOOD = "QSocketNotifier: Invalid socket 64 and type 'Read', disabling..."


def test_a_flood_of_one_qt_warning_is_cut_to_a_few_lines(app_log, handler) -> None:  # noqa: F811
    logging.getLogger("desktop").warning("the line before the flood")
    for _ in range(20_000):
        qWarning(FLOOD)
    qWarning("a different warning after it")
    text = app_log.read_text(encoding="utf-8")
    assert "the line before the flood" in text
    assert text.count("Invalid socket 64") <= 10
    assert "a different warning after it" in text
    assert len(text) < 10_000


def test_the_count_of_what_was_left_out_is_logged_when_the_window_ends() -> None:
    now = [0.0]
    limiter = RepeatLimiter(per_window=3, window_s=60.0, clock=lambda: now[0])
    records = [logging.LogRecord("qt", logging.WARNING, __file__, 1, "%s", (FLOOD,), None) for _ in range(10)]
    kept = [limiter.filter(r) for r in records]
    assert kept == [True] * 3 + [False] * 7
    now[0] = 61.0
    later = logging.LogRecord("qt", logging.WARNING, __file__, 1, "%s", (FLOOD,), None)
    assert limiter.filter(later)
    assert "7 more like it left out" in later.getMessage()

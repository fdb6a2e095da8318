"""History: paging through a real store, filters, debounced transcript search, streaks and XP, the progress chart,
the "from another device" marker, and opening a call."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, datetime, timedelta, timezone

import pytest
from PySide6.QtCore import Qt

from benchmarks.common import generate_history
from desktop.core.progress import ProgressPoint, practice_totals, streaks
from desktop.core.results import Grade
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.grading.queue import grade_session, rule_based_grade
from desktop.store.models import SessionRow, database
from desktop.ui.history.model import SCORE, SELLER, SESSION_ID_ROLE
from desktop.ui.history.presenter import HistoryPresenter
from desktop.ui.history.view import HistoryView, date_bounds
from desktop.ui.widgets import theme
from tests.conftest import PERSONA
from tests.fixtures import FIXTURE_NAMES, load_fixture_call
from tests.ui.screens import app_state, save_screenshot, seed_call

ROSA = {
    "id": "rosa-delgado",
    "name": "Rosa Delgado",
    "property_type": "a 3-bed house needing repairs",
    "location": "Tulsa, OK",
    "objection_patterns": ["price too low"],
}
TODAY = date(2025, 6, 20)


def lines(*texts: str) -> list[TranscriptLine]:
    speakers = (Speaker.SELLER, Speaker.TRAINEE)
    return [TranscriptLine(i + 1, speakers[i % 2], text, i * 4000, 3000) for i, text in enumerate(texts)]


def at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc).astimezone(timezone.utc)


@pytest.fixture
def state(store, repo, queries):
    return app_state(store, repo, queries)


@pytest.fixture
def history(qtbot, state):
    view = HistoryView()
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    presenter = HistoryPresenter(state, view, page_size=100, today=lambda: TODAY)
    return view, presenter


def load(qtbot, presenter: HistoryPresenter) -> None:
    with qtbot.waitSignals([presenter.listing_loaded, presenter.progress_loaded], timeout=10000):
        presenter.refresh()


def ids_in(view: HistoryView) -> list[int]:
    return [view.model.session_id_at(row) for row in range(view.model.rowCount())]


def test_pages_load_newest_first_as_the_table_scrolls(qtbot, history, store):
    generate_history(store.db, sessions=250, lines_per_session=4)
    view, presenter = history
    load(qtbot, presenter)
    assert view.model.total == 250
    assert view.model.rowCount() == 100
    assert ids_in(view)[:3] == [250, 249, 248]
    assert "250 calls" in view.caption.text() and "100 loaded" in view.caption.text()

    for expected in (200, 250):
        view.table.scrollToBottom()
        # >=: a prefetch may bring the following page before the check runs.
        qtbot.waitUntil(lambda n=expected: view.model.rowCount() >= n, timeout=10000)
    ids = ids_in(view)
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 250
    assert not view.model.canFetchMore(view.model.index(-1, -1))
    assert view.caption.text() == "250 calls"


def test_the_next_page_is_fetched_before_the_bottom_is_reached(qtbot, state, store):
    generate_history(store.db, sessions=200, lines_per_session=2)
    view = HistoryView()
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    presenter = HistoryPresenter(state, view, page_size=80)
    with qtbot.waitSignal(presenter.listing_loaded, timeout=10000):
        presenter.refresh()
    assert view.model.rowCount() == 80
    bar = view.table.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > bar.pageStep() * 4, timeout=5000)
    # Two screens above the bottom: the view alone would not ask yet.
    with qtbot.waitSignal(presenter.page_loaded, timeout=10000) as loaded:
        bar.setValue(bar.maximum() - 2 * bar.pageStep())
    assert loaded.args[0] == 160 and bar.value() < bar.maximum()


def test_filters_narrow_the_listing(qtbot, history, repo):
    walter_pro = seed_call(repo, lines("Hello?", "Hi, is this Walter?"), difficulty="PRO")
    rosa_typed = seed_call(repo, lines("Hello?", "Hi Rosa"), persona=ROSA, difficulty="ELITE", mode="text")
    seed_call(repo, [], status="failed", error_message="no network")
    view, presenter = history
    load(qtbot, presenter)
    assert view.model.total == 3
    assert view.persona_filter.findData("rosa-delgado") > 0

    with qtbot.waitSignal(presenter.listing_loaded, timeout=5000):
        view.persona_filter.setCurrentIndex(view.persona_filter.findData("rosa-delgado"))
    assert ids_in(view) == [rosa_typed]
    assert view.model.row_at(0).texts[3] == "Typed"

    with qtbot.waitSignal(presenter.listing_loaded, timeout=5000):
        view.clear_filters()
    assert view.model.total == 3

    with qtbot.waitSignal(presenter.listing_loaded, timeout=5000):
        view.difficulty_filter.setCurrentIndex(view.difficulty_filter.findData("PRO"))
    with qtbot.waitSignal(presenter.listing_loaded, timeout=5000):
        view.status_filter.setCurrentIndex(view.status_filter.findData("completed"))
    assert ids_in(view) == [walter_pro]

    with qtbot.waitSignal(presenter.listing_loaded, timeout=5000):
        view.mode_filter.setCurrentIndex(view.mode_filter.findData("text"))
    assert ids_in(view) == []
    assert view.empty.isVisible() and "No calls match" in view.empty.text()


def test_search_is_debounced_and_finds_transcript_words(qtbot, history, repo):
    seed_call(repo, lines("Hello?", "Hi, I'm calling about your land."))
    wanted = seed_call(repo, lines("Hello?", "Do you still own the parcel near Zanzibar Creek?"))
    view, presenter = history
    load(qtbot, presenter)
    emitted: list = []
    view.filter_changed.connect(emitted.append)

    with qtbot.waitSignal(presenter.listing_loaded, timeout=5000):
        for size in range(1, len("zanzib") + 1):
            view.search.setText("zanzib"[:size])
    # Six keystrokes, one query: the timer restarts on each and fires once typing pauses.
    assert len(emitted) == 1 and emitted[0].search == "zanzib"
    assert ids_in(view) == [wanted]


def test_date_presets_are_local_days(qtbot):
    start, end = date_bounds("today", TODAY)
    local_midnight = datetime(2025, 6, 20).astimezone()
    assert start is not None and end is not None
    assert datetime.fromisoformat(start.replace("Z", "+00:00")) == local_midnight
    assert datetime.fromisoformat(end.replace("Z", "+00:00")) - local_midnight == timedelta(days=1)
    week_start, week_end = date_bounds("week", TODAY)
    assert (
        week_end is None
        and datetime.fromisoformat(week_start.replace("Z", "+00:00")) == datetime(2025, 6, 14).astimezone()
    )
    # Either order of the two days works; the second day is included.
    low, high = date_bounds("custom", TODAY, date(2025, 6, 10), date(2025, 6, 1))
    assert datetime.fromisoformat(low.replace("Z", "+00:00")) == datetime(2025, 6, 1).astimezone()
    assert datetime.fromisoformat(high.replace("Z", "+00:00")) == datetime(2025, 6, 11).astimezone()
    assert date_bounds("any", TODAY) == (None, None)


def test_date_filter_keeps_only_that_period(qtbot, history, repo):
    recent = seed_call(repo, lines("Hello?", "Hi"), started_at=datetime.now(timezone.utc) - timedelta(minutes=5))
    seed_call(repo, lines("Hello?", "Hi"), started_at=datetime.now(timezone.utc) - timedelta(days=40))
    view, presenter = history
    load(qtbot, presenter)
    assert view.model.total == 2
    with qtbot.waitSignal(presenter.listing_loaded, timeout=5000):
        view.date_filter.setCurrentIndex(view.date_filter.findData("month"))
    assert ids_in(view) == [recent]
    assert view.date_from.isHidden()
    view.date_filter.setCurrentIndex(view.date_filter.findData("custom"))
    assert view.date_from.isVisibleTo(view) and view.date_to.isVisibleTo(view)


def test_streaks_and_totals():
    days = [TODAY, TODAY - timedelta(days=1), TODAY - timedelta(days=2), TODAY - timedelta(days=5)]
    assert streaks(days, TODAY) == (3, 3)
    # Yesterday's run is still alive this morning; a gap of two days ends it.
    assert streaks(days[1:], TODAY) == (2, 2)
    assert streaks([TODAY - timedelta(days=3)], TODAY) == (0, 1)
    assert streaks([], TODAY) == (0, 0)
    point = ProgressPoint(1, "2025-06-20T10:00:00.000Z", "p", "P", "PRO", (50, 60, 70, 80), 65, xp=200, earnings=900)
    totals = practice_totals(days + [TODAY], [point, point], TODAY)
    assert (totals.calls, totals.graded_calls, totals.xp, totals.earnings) == (5, 2, 400, 1800)
    assert totals.practised_today and totals.current_streak_days == 3


def test_tiles_show_streak_xp_and_the_chart_follows_the_persona(qtbot, history, repo):
    # Oldest first, as calls really happen: the listing is newest first by id.
    for offset, persona, score, xp in ((6, ROSA, 70, 190), (2, None, 40, 130), (1, None, 60, 170), (0, ROSA, 80, 210)):
        grade = Grade(score, score, score, score, xp_earned=xp, virtual_earnings=score * 100)
        extra = {"persona": persona} if persona else {}
        seed_call(
            repo, lines("Hello?", "Hi there"), started_at=at_noon(TODAY - timedelta(days=offset)), grade=grade, **extra
        )
    view, presenter = history
    load(qtbot, presenter)

    assert view.calls_tile.value.text() == "4"
    assert view.streak_tile.value.text() == "3" and "best 3" in view.streak_tile.caption.text()
    assert view.xp_tile.value.text() == "700"
    assert view.earnings_tile.value.text() == "$25,000"
    assert view.average_tile.value.text() == "62"

    assert view.chart.point_count == 4
    view.chart_persona.setCurrentIndex(view.chart_persona.findData("rosa-delgado"))
    assert view.chart.point_count == 2
    overall = view.chart.line("overall")
    assert len(overall) == 2 and overall[0].x() < overall[1].x()
    # Higher scores are drawn higher: the later Rosa call scored 80 against 70.
    assert overall[1].y() < overall[0].y()
    view.series_boxes["closing"].setChecked(False)
    assert "closing" not in view.chart.visible_series
    assert view.model.row_at(0).persona_id == "rosa-delgado"  # today's call on top


def test_a_grade_arriving_updates_its_row_in_place(qtbot, history, repo):
    session_id = seed_call(repo, lines("Hello?", "Hi, is this Walter?"))
    view, presenter = history
    load(qtbot, presenter)
    assert view.model.index(0, SCORE).data() == "grading…"
    repo.save_grade(session_id, Grade(90, 80, 70, 60))
    with qtbot.waitSignal(view.model.dataChanged, timeout=5000):
        presenter.session_updated(session_id)
    assert view.model.index(0, SCORE).data() == "75"
    assert view.model.index(0, SCORE).data(Qt.ItemDataRole.ForegroundRole).name() == theme.score_color(75)


def test_calls_from_another_device_are_marked(qtbot, history, repo):
    here = seed_call(repo, lines("Hello?", "Hi"))
    pulled = seed_call(repo, lines("Hello?", "Hi"))
    repo.submit(
        lambda: database.execute_sql(
            "INSERT INTO sync_remote_sessions (session_id, device_id, pulled_at) VALUES (?, ?, ?)",
            (pulled, "laptop-7f3a9c21", "2025-06-20T10:00:00.000Z"),
        )
    ).result()
    view, presenter = history
    load(qtbot, presenter)
    by_id = {view.model.session_id_at(row): row for row in range(view.model.rowCount())}
    marked = view.model.index(by_id[pulled], SELLER)
    plain = view.model.index(by_id[here], SELLER)
    assert view.model.row_at(by_id[pulled]).origin_device == "laptop-7f3a9c21"
    assert marked.data(Qt.ItemDataRole.DecorationRole) is not None
    assert "another device" in marked.data(Qt.ItemDataRole.ToolTipRole)
    assert plain.data(Qt.ItemDataRole.DecorationRole) is None


def test_double_click_and_enter_open_the_review(qtbot, history, repo):
    older = seed_call(repo, lines("Hello?", "Hi"))
    newer = seed_call(repo, lines("Hello?", "Hi again"))
    view, presenter = history
    load(qtbot, presenter)
    table = view.table
    index = view.model.index(1, SELLER)
    assert index.data(SESSION_ID_ROLE) == older
    with qtbot.waitSignal(view.open_requested, timeout=2000) as opened:
        table.doubleClicked.emit(index)
    assert opened.args == [older]
    table.setFocus()
    table.setCurrentIndex(view.model.index(0, 0))
    with qtbot.waitSignal(view.open_requested, timeout=2000) as opened:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened.args == [newer]


def test_an_empty_history_says_what_to_do(qtbot, history):
    view, presenter = history
    load(qtbot, presenter)
    assert view.model.total == 0
    assert "No calls yet" in view.empty.text() and view.empty.isVisible()
    assert view.chart.point_count == 0
    assert view.streak_tile.value.text() == "0"


def test_screenshot_of_a_month_of_practice(qtbot, state, repo, queries, tmp_path):
    """A realistic history for the README: a month of graded calls with several sellers, through the real write path."""
    rng = random.Random(5)
    personas = [PERSONA, ROSA, {**PERSONA, "id": "dale-pruitt", "name": "Dale Pruitt"}]
    now = datetime.now(timezone.utc)
    # Oldest first with a few days off, ending today; later calls lean towards the better fixtures (practice pays).
    days_back = sorted(rng.sample(range(1, 32), 23), reverse=True) + [0]
    for index, back in enumerate(days_back):
        name = rng.choices(FIXTURE_NAMES, weights=(index + 1, 12, 24 - index, 4))[0]
        call = load_fixture_call(name)
        session_id = seed_call(
            repo,
            call.lines,
            persona=rng.choice(personas),
            difficulty=rng.choice(["ROOKIE", "PRO", "ELITE"]),
            mode="voice" if call.voice else "text",
            started_at=now - timedelta(days=back, hours=rng.randint(1, 6)),
        )
        grade_session(repo, queries, session_id, rule_based_grade)
    view = HistoryView()
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    presenter = HistoryPresenter(state, view)  # the real today: the streak counts up to now
    load(qtbot, presenter)
    assert view.model.total == 24 and view.chart.point_count == 24
    assert view.streak_tile.value.text() != "0"
    save_screenshot(view, "history", tmp_path)


def test_a_deleted_call_leaves_the_list_and_the_totals(qtbot, history, repo):
    kept = seed_call(repo, lines("Hello?", "Hi"), grade=Grade(60, 60, 60, 60, xp_earned=100))
    gone = seed_call(repo, lines("Hello?", "Hi"), grade=Grade(80, 80, 80, 80, xp_earned=300))
    view, presenter = history
    load(qtbot, presenter)
    assert view.xp_tile.value.text() == "400"
    repo.delete_session(gone)
    with qtbot.waitSignal(presenter.progress_loaded, timeout=5000):
        presenter.session_deleted(gone)
    assert ids_in(view) == [kept] and view.model.total == 1
    assert view.xp_tile.value.text() == "100" and view.chart.point_count == 1


def test_a_voice_call_typed_into_says_so_like_its_feedback_does(qtbot, history, repo, queries):
    # Issue 15: the feedback header says "voice + typed" for a voice call the trainee typed into; History said "Voice".
    spoken = seed_call(repo, lines("Hello?", "Hi, is this Walter?"))
    mixed = seed_call(repo, lines("Hello?", "Hi, is this Walter?", "Who's this?", "Sam, typing: my mic died"))
    metrics = queries.get_session(mixed).metrics
    repo.save_metrics(mixed, dataclasses.replace(metrics, typed_lines=1))
    view, presenter = history
    load(qtbot, presenter)
    kinds = {view.model.session_id_at(row): view.model.row_at(row).texts[3] for row in range(view.model.rowCount())}
    assert kinds == {spoken: "Voice", mixed: "Voice + typed"}
    assert queries.get_session(mixed).summary.typed_into and not queries.get_session(spoken).summary.typed_into
    # Metrics that are not JSON (a hand edit, damage) read as not typed into, and the rest of the page still lists.
    SessionRow.update(metrics="{not json").where(SessionRow.id == spoken).execute()
    assert [(s.id, s.typed_into) for s in queries.list_sessions()] == [(mixed, True), (spoken, False)]

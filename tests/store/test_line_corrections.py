"""Correcting what the recogniser heard, on a real SQLite file: the first heard words are kept through any number of
corrections, the call is measured, flagged for grading and pushed again, search follows the corrected words, and
what cannot be corrected is refused with words the user can read. Also a database from before corrections existed
(schema 6, made by plain SQL) opens, upgrades, and takes a correction."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from desktop.core.results import Grade
from desktop.core.transcript import MAX_LINE_CHARS, Speaker, TranscriptLine
from desktop.store.db import Store
from desktop.store.migrations import migrate, schema_version
from desktop.store.queries import SessionFilter, SessionQueries
from desktop.store.sessions import SessionRepository
from tests.conftest import PERSONA, SCENARIO, start

HEARD = "It's now and on time."
SAID = "Is now a good time?"
LINES = (
    TranscriptLine(1, Speaker.SELLER, "Hello, who's calling?", 0, 1200),
    TranscriptLine(2, Speaker.TRAINEE, "Hi Walter, this is Sam with Blue Ridge Land Partners.", 1500, 3000),
    TranscriptLine(3, Speaker.TRAINEE, HEARD, 4600, 1400),
    TranscriptLine(4, Speaker.SELLER, "I suppose. What's this about?", 6300, 1800),
)


def ended_call(repo: SessionRepository, mode: str = "voice", graded: bool = True) -> int:
    from desktop.core.metrics import compute_metrics

    session = start(repo, mode=mode)
    for line in LINES:
        repo.append_line(session.id, line)
    repo.end_session(session.id, end_reason="user_hangup", metrics=compute_metrics(LINES, voice=mode == "voice"))
    if graded:
        repo.save_grade(session.id, Grade(40, 40, 40, 40))
    return session.id


def line(queries: SessionQueries, session_id: int, seq: int) -> str:
    return next(ln.text for ln in queries.get_session(session_id).lines if ln.seq == seq)


def test_a_correction_keeps_what_was_heard_and_queues_the_call_for_grading_and_sync(repo, queries):
    session_id = ended_call(repo)
    before = queries.get_session(session_id)
    assert before.heard_texts == {} and not before.summary.needs_grading

    assert repo.correct_line(session_id, 3, f"  {SAID}\n") is True
    after = queries.get_session(session_id)
    assert line(queries, session_id, 3) == SAID  # trimmed
    assert after.heard_texts == {3: HEARD} and after.corrected_lines == 1
    assert after.summary.revision > before.summary.revision  # sync pushes it again
    assert after.summary.needs_grading  # the grade follows the corrected words
    # The analytics are measured again on the corrected words: the statement is now a question.
    assert after.metrics.questions == before.metrics.questions + 1
    # The other lines are untouched.
    assert [ln for ln in after.lines if ln.seq != 3] == [ln for ln in before.lines if ln.seq != 3]


def test_the_report_shows_a_corrected_line_with_what_was_heard_as_literal_text(repo, queries):
    from desktop.core.untrusted.display import escape_markdown as md
    from desktop.store.documents import session_markdown

    session_id = ended_call(repo)
    assert "heard as" not in session_markdown(queries.get_session(session_id))
    repo.correct_line(session_id, 3, SAID)
    report = session_markdown(queries.get_session(session_id))
    assert f"{md(SAID)} *(corrected; heard as: {md(HEARD)})*" in report
    assert "Graded on the corrected words (1 line corrected after the call)." in report
    # What was heard is data: markup in it stays literal characters.
    marked = start(repo, mode="voice")
    repo.append_line(marked.id, TranscriptLine(1, Speaker.TRAINEE, "<b>now</b> *and* on time", 0, 900))
    repo.end_session(marked.id, end_reason="user_hangup")
    repo.correct_line(marked.id, 1, SAID)
    assert "<b>" not in session_markdown(queries.get_session(marked.id))
    assert f"heard as: {md('<b>now</b> *and* on time')})*" in session_markdown(queries.get_session(marked.id))


def test_correcting_twice_keeps_the_first_heard_words_and_back_to_them_clears(repo, queries):
    session_id = ended_call(repo)
    repo.correct_line(session_id, 3, "Is now a good tim?")
    repo.correct_line(session_id, 3, SAID)
    assert line(queries, session_id, 3) == SAID
    assert queries.get_session(session_id).heard_texts == {3: HEARD}

    revision = queries.get_session(session_id).summary.revision
    assert repo.correct_line(session_id, 3, SAID) is False  # unchanged: nothing written
    assert queries.get_session(session_id).summary.revision == revision

    assert repo.correct_line(session_id, 3, HEARD) is True
    assert line(queries, session_id, 3) == HEARD
    assert queries.get_session(session_id).heard_texts == {}


def test_search_finds_the_corrected_words_not_the_misheard_ones(repo, queries):
    session_id = ended_call(repo)

    def found(words: str) -> list[int]:
        return [s.id for s in queries.list_sessions(session_filter=SessionFilter(search=words))]

    assert found("good time") == [] and found("and on time") == [session_id]
    repo.correct_line(session_id, 3, SAID)
    assert found("good time") == [session_id] and found("and on time") == []


@pytest.mark.parametrize(
    ("seq", "text", "message"),
    [
        (1, "Hello, who is calling?", "Only your own lines"),
        (3, "   \n ", "empty"),
        (3, "x" * (MAX_LINE_CHARS + 1), f"at most {MAX_LINE_CHARS}"),
    ],
    ids=["seller line", "empty", "too long"],
)
def test_what_cannot_be_corrected_is_refused_and_nothing_changes(repo, queries, seq, text, message):
    session_id = ended_call(repo)
    before = queries.get_session(session_id)
    with pytest.raises(ValueError, match=message):
        repo.correct_line(session_id, seq, text)
    assert queries.get_session(session_id) == before


def test_a_line_at_the_cap_is_taken(repo, queries):
    session_id = ended_call(repo)
    assert repo.correct_line(session_id, 3, "y" * MAX_LINE_CHARS)
    assert len(line(queries, session_id, 3)) == MAX_LINE_CHARS


def test_a_typed_call_an_active_call_and_a_missing_line_are_refused(repo, queries):
    typed = ended_call(repo, mode="text")
    with pytest.raises(ValueError, match="typed"):
        repo.correct_line(typed, 3, SAID)
    active = start(repo)
    repo.append_line(active.id, LINES[2])
    with pytest.raises(ValueError, match="in progress"):
        repo.correct_line(active.id, 3, SAID)
    with pytest.raises(LookupError):
        repo.correct_line(ended_call(repo), 99, SAID)
    assert line(queries, typed, 3) == HEARD
    # An exam is graded on the call as it happened.
    exam = start(repo, mode="voice", practice_mode=False)
    repo.append_line(exam.id, LINES[2])
    repo.end_session(exam.id, end_reason="user_hangup")
    with pytest.raises(ValueError, match="was an exam"):
        repo.correct_line(exam.id, 3, SAID)
    assert line(queries, exam.id, 3) == HEARD
    # A line typed into a voice call (stored without speech timing) was never heard.
    switched = start(repo, mode="voice")
    repo.append_line(switched.id, TranscriptLine(1, Speaker.TRAINEE, "Typed in the middle of a call.", 5000, 0))
    repo.end_session(switched.id, end_reason="user_hangup")
    with pytest.raises(ValueError, match="You typed this line"):
        repo.correct_line(switched.id, 1, SAID)


def test_a_database_from_before_corrections_opens_upgrades_and_takes_one(tmp_path: Path):
    path = tmp_path / "old.db"
    # Schema 6 as that version built it, then a finished call written by plain SQL the way it wrote one.
    builder = SqliteDatabase(str(path))
    migrate(builder, None, target=6)
    builder.close()
    old = sqlite3.connect(path)
    old.execute(
        "INSERT INTO sessions (client_session_id, mode, status, persona_id, persona_name, persona_snapshot,"
        " scenario_id, scenario_snapshot, difficulty, started_at, ended_at, duration_seconds, end_reason)"
        " VALUES ('old-call', 'voice', 'completed', ?, ?, '{}', ?, '{}', 'PRO', '2026-01-01T00:00:00.000Z',"
        " '2026-01-01T00:00:08.000Z', 8.0, 'user_hangup')",
        (PERSONA["id"], PERSONA["name"], SCENARIO["id"]),
    )
    for ln in LINES:
        old.execute(
            "INSERT INTO transcript_lines (session_id, seq, speaker, text, offset_ms, duration_ms)"
            " VALUES (1, ?, ?, ?, ?, ?)",
            (ln.seq, ln.speaker.value, ln.text, ln.offset_ms, ln.duration_ms),
        )
    old.commit()
    assert old.execute("PRAGMA user_version").fetchone()[0] == 6
    old.close()

    store = Store.open(path, tmp_path / "backups")
    try:
        assert schema_version(store.db) == 7
        assert store.migration_backup is not None and store.migration_backup.exists()  # copied aside first
        queries = SessionQueries()
        assert queries.get_session(1).heard_texts == {}
        SessionRepository(store).correct_line(1, 3, SAID)
        record = queries.get_session(1)
        assert record.heard_texts == {3: HEARD} and record.summary.needs_grading
    finally:
        store.close()

"""The session repository against a real SQLite file: atomic writes, ordering, search, filters."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from peewee import IntegrityError

from desktop.core.results import Grade
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.store.db import DatabaseCorruptError, Store
from desktop.store.migrations import LATEST_VERSION, MigrationError
from desktop.store.queries import SessionFilter, fts_query
from desktop.store.sessions import SessionNotActive, SessionNotFound
from tests.conftest import PERSONA, start


def line(seq: int, speaker: str, text: str, offset_ms: int = 0) -> TranscriptLine:
    return TranscriptLine(seq, Speaker(speaker), text, offset_ms, 1000)


def test_pragmas_wal_and_foreign_keys(store):
    assert store.db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1


def test_a_call_from_start_to_grade(repo, queries):
    started = start(repo, trainee_name="Sam")
    repo.append_line(started.id, line(1, "seller", "Hello?"))
    repo.append_line(started.id, line(2, "trainee", "Hi Walter, this is Sam. Did I catch you at an okay time?", 900))
    repo.end_session(started.id, end_reason="user_hangup")
    record = queries.get_session(started.id)
    assert record.summary.status == "completed"
    assert record.summary.needs_grading is True
    assert [entry.seq for entry in record.lines] == [1, 2]
    assert record.persona["objection_patterns"] == PERSONA["objection_patterns"]
    assert queries.sessions_needing_grade() == [started.id]

    repo.save_grade(started.id, Grade(70, 60, 50, 41, strengths=("You said 'okay time'",)))
    record = queries.get_session(started.id)
    assert record.grade.overall == 55
    assert record.summary.needs_grading is False
    assert queries.sessions_needing_grade() == []
    assert record.summary.revision == 2  # ended, then graded


def test_ids_are_sequential_and_uuids_unique(repo):
    first, second = start(repo), start(repo)
    assert second.id == first.id + 1
    assert first.client_session_id != second.client_session_id
    assert len(first.client_session_id) == 36


def test_a_failed_start_leaves_no_row(repo, queries):
    first = start(repo)
    with pytest.raises(IntegrityError):
        start(repo, client_session_id=first.client_session_id)
    assert queries.count_sessions() == 1


def test_invalid_start_is_rejected_before_writing(repo, queries):
    with pytest.raises(ValueError, match="mode"):
        start(repo, mode="video")
    with pytest.raises(ValueError, match="name"):
        start(repo, persona_snapshot={"id": "x"})
    assert queries.count_sessions() == 0


def test_ended_session_takes_no_more_lines(repo):
    started = start(repo)
    repo.end_session(started.id, end_reason="agent_hangup")
    with pytest.raises(SessionNotActive):
        repo.append_line(started.id, line(1, "seller", "Bye"))
    with pytest.raises(SessionNotActive):
        repo.end_session(started.id, end_reason="user_hangup")


def test_duplicate_seq_is_rejected_and_keeps_the_first(repo, queries):
    started = start(repo)
    repo.append_line(started.id, line(1, "seller", "Hello?"))
    with pytest.raises(IntegrityError):
        repo.append_line(started.id, line(1, "seller", "Something else"))
    assert [entry.text for entry in queries.get_session(started.id).lines] == ["Hello?"]


def test_unknown_session_is_reported(repo):
    with pytest.raises(SessionNotFound):
        repo.append_line(999, line(1, "seller", "Hello?"))


def test_grading_an_active_session_is_refused(repo):
    started = start(repo)
    with pytest.raises(SessionNotActive):
        repo.save_grade(started.id, Grade(1, 2, 3, 4))


def test_correction_replaces_text_and_search_follows(repo, queries):
    started = start(repo)
    repo.append_line(started.id, line(1, "seller", "I would never sell the pasture for that kind of money"))
    repo.replace_line_text(started.id, 1, "I would never sell the pasture", interrupted=True)
    record = queries.get_session(started.id)
    assert record.lines[0].text == "I would never sell the pasture"
    assert record.lines[0].interrupted is True
    assert queries.list_sessions(session_filter=SessionFilter(search="pasture"))
    assert queries.list_sessions(session_filter=SessionFilter(search="money")) == []


def test_search_filters_and_paging(repo, queries):
    ids = []
    for index in range(5):
        started = start(repo, difficulty="ELITE" if index % 2 else "ROOKIE", mode="text" if index == 4 else "voice")
        word = "easement" if index in (1, 3) else "driveway"
        repo.append_line(started.id, line(1, "seller", f"There is an {word} on the north side"))
        repo.end_session(started.id, end_reason="user_hangup")
        ids.append(started.id)
    newest_first = [s.id for s in queries.list_sessions()]
    assert newest_first == list(reversed(ids))
    assert [s.id for s in queries.list_sessions(limit=2, offset=1)] == [ids[3], ids[2]]
    assert {s.id for s in queries.list_sessions(session_filter=SessionFilter(search="EASE"))} == {ids[1], ids[3]}
    assert queries.count_sessions(SessionFilter(difficulty="ELITE")) == 2
    assert [s.id for s in queries.list_sessions(session_filter=SessionFilter(mode="text"))] == [ids[4]]
    assert queries.count_sessions(SessionFilter(search="easement", difficulty="ROOKIE")) == 0


@pytest.mark.parametrize("typed", ['"', "AND OR NOT", "(*)", "near(", "'; DROP TABLE sessions; --"])
def test_search_survives_any_input(repo, queries, typed):
    started = start(repo)
    repo.append_line(started.id, line(1, "seller", "hello there"))
    assert queries.list_sessions(session_filter=SessionFilter(search=typed)) == [] or fts_query(typed)
    assert queries.count_sessions() == 1


def test_delete_cascades_to_lines_grades_and_search(repo, queries, store):
    started = start(repo)
    repo.append_line(started.id, line(1, "seller", "unique-word-here"))
    repo.end_session(started.id, end_reason="user_hangup")
    repo.save_grade(started.id, Grade(1, 2, 3, 4))
    repo.delete_session(started.id)
    assert queries.get_session(started.id) is None
    counts = [store.db.execute_sql(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("transcript_lines", "grades")]
    assert counts == [0, 0]
    assert queries.list_sessions(session_filter=SessionFilter(search="unique")) == []


def test_best_scores_by_persona(repo, queries):
    for score in (40, 80, 60):
        started = start(repo)
        repo.end_session(started.id, end_reason="user_hangup")
        repo.save_grade(started.id, Grade(score, score, score, score))
    assert queries.best_scores_by_persona() == {PERSONA["id"]: 80}


def test_best_score_counts_each_sessions_own_grade_not_the_rule_grade_kept_beside_it(repo, queries):
    started = start(repo)
    repo.end_session(started.id, end_reason="user_hangup")
    repo.save_grade(started.id, Grade(90, 90, 90, 90, grader="heuristic"))  # kept for comparison...
    repo.save_grade(started.id, Grade(50, 50, 50, 50, grader="llm"))  # ...the model's grade is the session's
    ungraded = start(repo)
    repo.end_session(ungraded.id, end_reason="user_hangup")
    assert queries.best_scores_by_persona() == {PERSONA["id"]: 50}


def test_user_personas_round_trip(repo, queries):
    repo.save_user_persona("user-ann", {"id": "user-ann", "name": "Ann"})
    repo.save_user_persona("user-ann", {"id": "user-ann", "name": "Ann B."})
    assert queries.user_personas() == [{"id": "user-ann", "name": "Ann B."}]
    assert repo.delete_user_persona("user-ann") is True
    assert queries.user_personas() == []


def test_corrupt_file_gives_a_clear_error_and_is_left_untouched(tmp_path: Path):
    path = tmp_path / "roleplay.db"
    garbage = b"this is not a database " * 200
    path.write_bytes(garbage)
    with pytest.raises(DatabaseCorruptError, match="cannot be read"):
        Store.open(path, tmp_path / "backups")
    assert path.read_bytes() == garbage


def test_database_from_a_newer_app_is_refused_untouched(tmp_path: Path):
    path = tmp_path / "roleplay.db"
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(MigrationError, match="newer version"):
        Store.open(path, tmp_path / "backups")
    assert path.read_bytes() == before


def test_search_pages_through_many_matches_with_filters(repo, queries, store):
    ids = []
    for index in range(24):
        started = start(repo, difficulty="ELITE" if index % 3 == 0 else "ROOKIE")
        for seq in range(1, 31):  # 720 matching lines: more than one batch of the search walk
            repo.append_line(started.id, line(seq, "seller", f"about {seq} acres of pasture"))
        repo.end_session(started.id, end_reason="user_hangup")
        ids.append(started.id)
    elite_newest_first = [i for i in reversed(ids) if (i - ids[0]) % 3 == 0]
    search = SessionFilter(search="acres", difficulty="ELITE")
    assert [s.id for s in queries.list_sessions(limit=3, offset=2, session_filter=search)] == elite_newest_first[2:5]
    assert [s.id for s in queries.list_sessions(limit=50, session_filter=SessionFilter(search="pasture"))] == list(
        reversed(ids)
    )
    assert queries.count_sessions(search) == len(elite_newest_first)

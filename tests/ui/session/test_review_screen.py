"""Review of a past call: a real WAV played through QMediaPlayer with the transcript following it, seeking by
clicking a line, speed, exports (Markdown, JSON, PDF), delete after confirmation, and calls without audio."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer

from desktop import settings as app_settings
from desktop.core.transcript import Speaker, TranscriptLine
from desktop.grading.queue import grade_session, rule_based_grade
from desktop.store.models import database
from desktop.ui.session.presenters import ReviewPresenter
from desktop.ui.session.review import ReviewScreen
from tests.conftest import PERSONA, SCENARIO
from tests.ui.screens import app_state, save_screenshot, seed_call, write_tone_wav

LINES = [
    TranscriptLine(1, Speaker.SELLER, "Hello? Who is this?", 0, 1400),
    TranscriptLine(
        2,
        Speaker.TRAINEE,
        "Hi Walter, this is Sam with Blue Ridge Land Partners. I'm calling about your twenty acres off Hickory Road. "
        "Did I catch you at an okay time?",
        2000,
        6500,
    ),
    TranscriptLine(3, Speaker.SELLER, "I guess. What is it about?", 9000, 1800),
    TranscriptLine(
        4, Speaker.TRAINEE, "We buy land around Bastrop. Have you ever thought about selling it?", 11300, 4800
    ),
    TranscriptLine(
        5,
        Speaker.SELLER,
        "Maybe, if the price is right. I'm not in a hurry though, and I'd want to talk to my family first.",
        16600,
        5200,
    ),
    TranscriptLine(
        6, Speaker.TRAINEE, "That makes sense. What would you and your family want to see before deciding?", 22400, 4000
    ),
    TranscriptLine(
        7, Speaker.SELLER, "A fair number, mostly. Taxes keep going up and nobody uses the place.", 27000, 4200
    ),
]


@pytest.fixture
def state(store, repo, queries):
    return app_state(store, repo, queries)


@pytest.fixture
def review(qtbot, state):
    screen = ReviewScreen()
    qtbot.addWidget(screen)
    screen.resize(1200, 800)
    screen.show()
    return screen, ReviewPresenter(state, screen)


def open_review(qtbot, presenter: ReviewPresenter, session_id: int) -> None:
    with qtbot.waitSignal(presenter.review_shown, timeout=5000):
        presenter.open_session(session_id)


@pytest.fixture
def recorded_call(repo, queries):
    wav = write_tone_wav(app_settings.recordings_dir() / "call-1.wav", seconds=32.0, rate=8000)
    session_id = seed_call(repo, LINES, recording_path=str(wav))
    grade_session(repo, queries, session_id, rule_based_grade)
    return session_id, wav


def test_playback_moves_the_highlight_and_a_click_seeks(qtbot, review, recorded_call, tmp_path):
    screen, presenter = review
    session_id, _wav = recorded_call
    open_review(qtbot, presenter, session_id)
    player = screen.player
    assert player.has_media and player.play_button.isEnabled() and player.note.isHidden()
    assert screen.transcript.count() == len(LINES)
    qtbot.waitUntil(lambda: player.player.mediaStatus() == QMediaPlayer.MediaStatus.LoadedMedia, timeout=5000)

    player.set_speed(2.0)
    assert player.player.playbackRate() == 2.0
    player.seek(LINES[2].offset_ms - 500)
    player.play()
    # The highlight follows the position: once playback passes 9.0 s, the third line is the current one.
    qtbot.waitUntil(lambda: screen.transcript.current_index >= 2, timeout=10000)
    assert player.position >= LINES[2].offset_ms
    assert screen.transcript.current_index == screen.transcript.index_at_time(player.position)

    player.pause()
    qtbot.waitUntil(lambda: not player.is_playing, timeout=5000)
    paused_at = screen.transcript.current_index

    # Clicking a line jumps there (and plays from it).
    item_rect = screen.transcript.visualItemRect(screen.transcript.item(1))
    qtbot.mouseClick(screen.transcript.viewport(), Qt.MouseButton.LeftButton, pos=item_rect.center())
    qtbot.waitUntil(lambda: screen.transcript.current_index == 1, timeout=5000)
    assert paused_at >= 2
    qtbot.waitUntil(lambda: player.position >= LINES[1].offset_ms, timeout=5000)
    qtbot.waitUntil(lambda: screen.transcript.current_index >= 2, timeout=10000)
    player.pause()
    save_screenshot(screen, "review", tmp_path)


def test_the_highlight_is_the_line_being_spoken():
    from desktop.ui.session.transcript_replay import TranscriptReplay

    replay = TranscriptReplay()
    replay.set_lines(LINES, "Walter")
    assert [replay.index_at_time(t) for t in (-1, 0, 1999, 2000, 9500, 100_000)] == [-1, 0, 0, 1, 2, 6]
    assert replay.follow(11_400) == 3
    replay.deleteLater()


def test_exports_write_markdown_json_and_pdf(qtbot, review, recorded_call, tmp_path, state, queries):
    screen, presenter = review
    session_id, _wav = recorded_call
    open_review(qtbot, presenter, session_id)
    written = {}
    for fmt in ("md", "json", "pdf"):
        target = tmp_path / "exports" / f"call.{fmt}"
        screen.choose_export_path = lambda _fmt, name, t=target: str(t)
        with qtbot.waitSignal(presenter.exported, timeout=10000) as blocker:
            screen.request_export(fmt)
        written[fmt] = blocker.args[0]
        assert written[fmt] == str(target)
        assert "Saved to" in screen.message.text()

    markdown = (tmp_path / "exports" / "call.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Call with Walter Briggs") and "Hickory Road" in markdown
    document = json.loads((tmp_path / "exports" / "call.json").read_text(encoding="utf-8"))
    assert document["id"] == session_id and document["device_id"] == state.settings.device_id
    assert [line["text"] for line in document["transcript"]] == [line.text for line in LINES]
    assert document["grade"]["overall"] == queries.get_session(session_id).grade.overall
    pdf = (tmp_path / "exports" / "call.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000


def test_a_failed_export_is_explained(qtbot, review, recorded_call, tmp_path):
    screen, presenter = review
    session_id, _wav = recorded_call
    open_review(qtbot, presenter, session_id)
    blocker_file = tmp_path / "not-a-folder"
    blocker_file.write_text("x")
    screen.choose_export_path = lambda _fmt, _name: str(blocker_file / "call.md")
    with qtbot.waitSignal(presenter.export_failed, timeout=5000):
        screen.request_export("md")
    assert "export failed" in screen.message.text()


def test_delete_asks_first_then_removes_the_call_and_its_recording(qtbot, review, recorded_call, queries):
    screen, presenter = review
    session_id, wav = recorded_call
    open_review(qtbot, presenter, session_id)
    questions = []

    screen.confirm_delete = lambda question: questions.append(question) or False
    with qtbot.assertNotEmitted(screen.delete_requested):
        screen.request_delete()
    assert questions and "cannot be undone" in questions[0]
    assert queries.get_session(session_id) is not None

    screen.confirm_delete = lambda _question: True
    with qtbot.waitSignal(screen.deleted, timeout=5000) as deleted:
        screen.request_delete()
        assert screen.player.player.source().isEmpty()  # the file is let go before it is deleted
    assert deleted.args == [session_id]
    assert queries.get_session(session_id) is None
    assert not wav.exists()
    assert "deleted" in screen.subtitle.text()


def test_a_typed_call_shows_its_transcript_and_says_why_there_is_no_audio(qtbot, review, repo):
    screen, presenter = review
    typed = [TranscriptLine(line.seq, line.speaker, line.text, line.offset_ms, 0) for line in LINES]
    session_id = seed_call(repo, typed, mode="text")
    open_review(qtbot, presenter, session_id)
    assert not screen.player.has_media and not screen.player.play_button.isEnabled()
    assert "typed call" in screen.player.note.text()
    assert screen.transcript.count() == len(LINES)
    screen.transcript.line_clicked.emit(3)
    assert screen.transcript.current_index == 3
    assert "Grading is pending" in screen.scores.grader.text()


def test_missing_and_remote_recordings_are_explained(qtbot, review, repo):
    screen, presenter = review
    gone = seed_call(repo, LINES, recording_path=str(app_settings.recordings_dir() / "moved-away.wav"))
    open_review(qtbot, presenter, gone)
    assert "missing" in screen.player.note.text() and not screen.player.has_media

    pulled = seed_call(repo, LINES)
    repo.submit(
        lambda: database.execute_sql(
            "INSERT INTO sync_remote_sessions (session_id, device_id, pulled_at) VALUES (?, ?, ?)",
            (pulled, "desk-42aa", "2025-06-20T10:00:00.000Z"),
        )
    ).result()
    open_review(qtbot, presenter, pulled)
    assert "another device" in screen.player.note.text()
    assert screen.origin.isVisibleTo(screen) and "desk-42a" in screen.origin.text()


def test_a_deleted_call_cannot_be_opened(qtbot, review, repo):
    screen, presenter = review
    session_id = seed_call(repo, LINES)
    repo.delete_session(session_id)
    with qtbot.assertNotEmitted(presenter.review_shown, wait=0):
        presenter.open_session(session_id)
        qtbot.waitUntil(lambda: screen.message.isVisibleTo(screen), timeout=5000)
    assert "no longer stored" in screen.message.text()
    assert not screen.delete_button.isEnabled()


def test_keyboard_plays_pauses_and_seeks(qtbot, review, recorded_call):
    screen, presenter = review
    session_id, _wav = recorded_call
    open_review(qtbot, presenter, session_id)
    player = screen.player
    qtbot.waitUntil(lambda: player.player.mediaStatus() == QMediaPlayer.MediaStatus.LoadedMedia, timeout=5000)
    screen.activateWindow()
    screen.setFocus()
    qtbot.waitUntil(screen.isActiveWindow, timeout=2000)
    qtbot.keyClick(screen, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: player.position >= 5000, timeout=5000)
    qtbot.keyClick(screen, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.is_playing, timeout=5000)
    qtbot.keyClick(screen, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not player.is_playing, timeout=5000)
    position = player.position
    qtbot.keyClick(screen, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: player.position <= max(0, position - 4000), timeout=5000)


def test_an_interrupted_calls_recording_is_repaired_before_playing(qtbot, review, repo):
    screen, presenter = review
    wav = write_tone_wav(app_settings.recordings_dir() / "crashed.wav", seconds=4.0, rate=8000)
    data = wav.read_bytes()
    # What a killed recorder leaves: audio on disk that the header does not count yet.
    wav.write_bytes(data[:40] + (0).to_bytes(4, "little") + data[44:])
    session_id = seed_call(repo, LINES[:2], recording_path=str(wav), status="interrupted")
    open_review(qtbot, presenter, session_id)
    assert int.from_bytes(wav.read_bytes()[40:44], "little") == len(data) - 44
    assert screen.player.has_media
    qtbot.waitUntil(lambda: screen.player.player.duration() >= 3900, timeout=5000)


def test_a_delete_that_fails_removes_nothing_and_the_recording_plays_again(qtbot, review, recorded_call, queries):
    screen, presenter = review
    session_id, wav = recorded_call
    open_review(qtbot, presenter, session_id)

    def refuse(_session_id: int) -> None:
        raise OSError("database is locked")

    presenter._state.repository.delete_session = refuse  # the boundary: the store refuses
    screen.confirm_delete = lambda _question: True
    screen.request_delete()
    qtbot.waitUntil(lambda: "could not be deleted" in screen.message.text(), timeout=5000)
    assert queries.get_session(session_id) is not None and wav.exists()
    assert screen.player.player.source().toLocalFile() == str(wav) and screen.player.play_button.isEnabled()


def test_a_debrief_names_the_coach_not_the_seller(qtbot, review, repo):
    """Issue 15, item 4: the review of a debrief labels the coach's lines "Coach", never the seller's name."""
    screen, presenter = review
    started = repo.start_session(
        persona_snapshot=PERSONA, scenario_snapshot=SCENARIO, difficulty="PRO", mode="text", kind="coach"
    )
    for seq, (speaker, text) in enumerate(
        [(Speaker.COACH, "How did the call feel?"), (Speaker.TRAINEE, "Rushed."), (Speaker.SELLER, "Noted.")], 1
    ):
        repo.append_line(started.id, TranscriptLine(seq, speaker, text))
    repo.end_session(started.id, end_reason="user_hangup")
    open_review(qtbot, presenter, started.id)
    captions = [screen.transcript._bubble(screen.transcript.model().index(i, 0)).caption for i in range(3)]
    assert captions[0].startswith("Coach ") and captions[2].startswith("Coach ") and captions[1].startswith("You")
    assert not any(PERSONA["name"].split()[0] in caption or "hint" in caption for caption in captions)
    # A sales call keeps the seller's name.
    session_id = seed_call(repo, LINES, mode="text")
    open_review(qtbot, presenter, session_id)
    assert screen.transcript._bubble(screen.transcript.model().index(0, 0)).caption.startswith(
        PERSONA["name"].split()[0]
    )

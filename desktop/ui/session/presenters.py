"""Presenters of one session: the feedback screen (updated when the grade arrives) and the review (its recording,
exports, delete, corrections of what was heard). Every read, write and file operation runs off the GUI thread through
run_in_background.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from desktop import settings as app_settings
from desktop.core.vocabulary import Status
from desktop.store.local_data import LocalData
from desktop.store.records import SessionRecord
from desktop.ui.history.presenter import origin_devices
from desktop.ui.session.export import export_session
from desktop.ui.session.feedback import FeedbackScreen
from desktop.ui.session.review import ReviewData, ReviewScreen
from desktop.ui.widgets.tasks import run_in_background

log = logging.getLogger(__name__)

NOT_FOUND = "This call is no longer stored on this computer (it may have been deleted)."
READ_ERROR = "This call could not be read ({detail}). Try again; if it keeps failing, restart the app."


class GradingRelay(QObject):
    """Turns the grading queue's events (heard on the grading thread) into queued Qt signals on the GUI thread.

    Wire it with `queue.add_listener(relay.on_grading_event)` (or pass it as the queue's `listener`).
    """

    graded = Signal(int)
    failed = Signal(int, str)
    progress = Signal(int, str, int)  # session_id, stage ("queued", "grading"), sessions waiting

    def on_grading_event(self, event) -> None:
        stage = getattr(event, "stage", "graded" if event.grade is not None else "failed")
        if stage == "graded":
            self.graded.emit(event.session_id)
        elif stage == "failed":
            self.failed.emit(event.session_id, event.error or "unknown error")
        else:
            self.progress.emit(event.session_id, stage, int(getattr(event, "waiting", 0)))


class FeedbackPresenter(QObject):
    record_shown = Signal(int)  # after each (re)load reached the screen

    def __init__(self, state: LocalData, screen: FeedbackScreen) -> None:
        super().__init__(screen)
        self._state = state
        self._screen = screen
        self._session_id: int | None = None

    @property
    def session_id(self) -> int | None:
        return self._session_id

    @Slot(int)
    def show_session(self, session_id: int) -> None:
        """Opens the screen on a session (right after its call ended): grading... until the grade is stored."""
        self._session_id = session_id
        self._screen.show_loading()
        self._load(session_id)

    @Slot(int)
    def grade_arrived(self, session_id: int) -> None:
        if session_id == self._session_id:
            self._load(session_id)

    @Slot(int, str)
    def grading_failed(self, session_id: int, message: str) -> None:
        if session_id == self._session_id:
            self._screen.show_grading_failed(message)

    @Slot(int, str, int)
    def grading_progress(self, session_id: int, stage: str, waiting: int) -> None:
        if session_id == self._session_id and stage == "queued" and waiting:
            noun = "call" if waiting == 1 else "calls"
            self._screen.banner_text.setText(f"Grading your call… {waiting} earlier {noun} first.")

    def _load(self, session_id: int) -> None:
        queries = self._state.queries

        def done(record: SessionRecord | None, error: Exception | None) -> None:
            if session_id != self._session_id:
                return  # the user moved on to another call meanwhile
            if error is not None:
                self._screen.show_error(READ_ERROR.format(detail=error))
            elif record is None:
                self._screen.show_error(NOT_FOUND)
            else:
                self._screen.show_record(record)
                self.record_shown.emit(session_id)

        run_in_background(lambda: queries.get_session(session_id), done)


def resolve_recording(recording_path: str) -> Path | None:
    """The recording's file: stored paths are absolute or relative to the data folder."""
    if not recording_path:
        return None
    path = Path(recording_path)
    return path if path.is_absolute() else app_settings.data_dir() / path


def no_audio_reason(record: SessionRecord, recording: Path | None, origin_device: str) -> str:
    """Why a call has no audio to play, in the user's words; empty when the recording is there."""
    if recording is not None and recording.is_file():
        return ""
    if recording is not None:
        return f"The recording of this call is missing: {recording} was moved or deleted. The transcript is all here."
    if origin_device:
        return "This call was made on another device. Recordings stay on the device that made them."
    if record.summary.mode == "text":
        return "This was a typed call, so there is no audio to play."
    if record.summary.status == Status.FAILED:
        return "This call never connected, so nothing was recorded."
    return "No recording was made for this call."


class ReviewPresenter(QObject):
    review_shown = Signal(int)
    exported = Signal(str)  # the path written
    export_failed = Signal(str)
    # A correction was saved: the call wants grading again. The app hands it to the grading queue, as it does the
    # feedback screen's "Grade again", and passes the queue's results back to grade_arrived / grading_failed.
    regrade_requested = Signal(int)
    correction_failed = Signal(str)
    record_updated = Signal(int)  # the screen shows the call as stored now (after a correction, after a new grade)

    def __init__(self, state: LocalData, screen: ReviewScreen) -> None:
        super().__init__(screen)
        self._state = state
        self._screen = screen
        self._session_id: int | None = None
        screen.export_requested.connect(self.export)
        screen.delete_requested.connect(self.delete)
        screen.correction_requested.connect(self.correct)

    @Slot(int)
    def open_session(self, session_id: int) -> None:
        self._session_id = session_id
        self._screen.show_loading()
        state = self._state

        def read() -> ReviewData | None:
            record = state.queries.get_session(session_id)
            if record is None:
                return None
            origin = origin_devices(state, [session_id]).get(session_id, "")
            recording = resolve_recording(record.recording_path)
            if recording is not None and record.summary.status == Status.INTERRUPTED and recording.is_file():
                _repair(recording)
            reason = no_audio_reason(record, recording, origin)
            return ReviewData(record, None if reason else recording, reason, origin)

        def done(data: ReviewData | None, error: Exception | None) -> None:
            if session_id != self._session_id:
                return
            if error is not None:
                self._screen.show_error(READ_ERROR.format(detail=error))
            elif data is None:
                self._screen.show_error(NOT_FOUND)
            else:
                self._screen.show_review(data)
                self.review_shown.emit(session_id)

        run_in_background(read, done)

    @Slot(int, str, str)
    def export(self, session_id: int, fmt: str, path: str) -> None:
        state = self._state
        data = self._screen.data
        record = data.record if data and data.record.id == session_id else None

        def write() -> Path:
            current = record or state.queries.get_session(session_id)
            if current is None:
                raise LookupError(NOT_FOUND)
            return export_session(current, fmt, path, state.settings.device_id)

        def done(written: Path | None, error: Exception | None) -> None:
            if error is not None:
                message = f"The export failed ({error}). Check that the folder exists and you can write there."
                self._screen.show_message(message, ok=False)
                self.export_failed.emit(str(error))
            else:
                self._screen.show_message(f"Saved to {written}", ok=True)
                self.exported.emit(str(written))

        run_in_background(write, done)

    @Slot(int)
    def delete(self, session_id: int) -> None:
        """Deletes the session through the repository (on its writer thread) and then its recording file."""
        state = self._state
        data = self._screen.data
        recording = data.recording if data and data.record.id == session_id else None

        def remove() -> None:
            state.repository.delete_session(session_id)
            _remove_recording(recording)

        def done(_result, error: Exception | None) -> None:
            if error is not None:
                self._screen.show_message(f"The call could not be deleted ({error}). Nothing was removed.", ok=False)
                self._screen.restore_after_failed_delete()
            else:
                self._screen.show_deleted(session_id)

        run_in_background(remove, done)

    @Slot(int, int, str)
    def correct(self, session_id: int, seq: int, text: str) -> None:
        """Stores the trainee's corrected words through the repository (its writer thread), then shows the line
        corrected and has the call graded again on them."""
        state = self._state

        def save() -> tuple[bool, SessionRecord | None]:
            changed = state.repository.correct_line(session_id, seq, text)
            return changed, state.queries.get_session(session_id)

        def done(result: tuple[bool, SessionRecord | None] | None, error: Exception | None) -> None:
            if error is not None:
                # A ValueError carries words for the user (empty, too long, not a line of theirs).
                detail = str(error) if isinstance(error, ValueError) else f"The correction was not saved ({error})."
                self._screen.show_message(detail, ok=False)
                self.correction_failed.emit(detail)
                return
            changed, record = result
            if record is None:
                self._screen.show_error(NOT_FOUND)
                return
            self._screen.show_updated_record(record)
            if changed and record.summary.needs_grading:
                self._screen.show_message("Correction saved. Grading the call again on your words…", ok=True)
                self.regrade_requested.emit(session_id)
            elif changed:  # a coach debrief: not graded
                self._screen.show_message("Correction saved.", ok=True)
            else:
                self._screen.message.hide()
            self.record_updated.emit(session_id)

        run_in_background(save, done)

    @Slot(int)
    def grade_arrived(self, session_id: int) -> None:
        """A new grade for the call on screen: the report follows it (the recording plays on)."""
        if session_id != self._session_id or self._screen.session_id != session_id:
            return
        queries = self._state.queries

        def done(record: SessionRecord | None, error: Exception | None) -> None:
            if session_id != self._session_id or error is not None or record is None:
                return
            self._screen.show_updated_record(record)
            if not record.summary.needs_grading:
                self._screen.message.hide()
            self.record_updated.emit(session_id)

        run_in_background(lambda: queries.get_session(session_id), done)

    @Slot(int, str)
    def grading_failed(self, session_id: int, message: str) -> None:
        if session_id == self._session_id and self._screen.session_id == session_id:
            self._screen.show_message(
                f"Grading again did not finish ({message}). Your correction is saved; the call is graded again the "
                "next time the app starts.",
                ok=False,
            )


def _repair(recording: Path) -> None:
    """A call cut short by a crash may leave a WAV whose header undercounts its audio; fix it before playing."""
    try:
        from desktop.voice.audio.recorder import repair_recording
    except ImportError:
        return
    repair_recording(recording)


def _remove_recording(recording: Path | None) -> None:
    """Deletes the call's recording when it lives in the app's recordings folder; files elsewhere are the user's."""
    if recording is None:
        return
    try:
        inside = recording.resolve().is_relative_to(app_settings.recordings_dir().resolve())
        if inside:
            recording.unlink(missing_ok=True)
    except OSError:
        log.warning("could not delete the recording of a deleted call", exc_info=True)

"""Review of a past call, offline: the recording with the transcript following it, the scores, feedback and
analytics, export, delete (after the user confirms), and correcting what the recogniser heard on the trainee's lines
(the call is then graded again on the corrected words).

ReviewPresenter loads the call and does the exports and the delete off the GUI thread; this screen only shows and asks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.transcript import TranscriptLine
from desktop.store.records import SessionRecord
from desktop.ui.session.analytics_card import AnalyticsCard
from desktop.ui.session.correction import ACTION_TEXT, CorrectHeardDialog, why_not_correctable
from desktop.ui.session.export import FORMATS, suggested_filename
from desktop.ui.session.feedback import corrected_note, describe_call
from desktop.ui.session.player import SEEK_STEP_MS, RecordingPlayer
from desktop.ui.session.transcript_replay import TranscriptReplay
from desktop.ui.widgets import icons, theme
from desktop.ui.widgets.report import FeedbackCard, ScoresCard, card, follow_theme, section_title


def style() -> str:
    return f"""
QPushButton#danger {{ color: {theme.DANGER}; border-color: {theme.DANGER}; }}
QPushButton#danger:hover {{ background: {_tint(theme.DANGER, 32)}; }}
QLabel#origin {{ color: {theme.ACCENT}; }}
"""


def _tint(hex_color: str, alpha: int) -> str:
    """A light wash of the colour: the red text and bin icon stay readable on it when hovered."""
    return f"rgba({int(hex_color[1:3], 16)}, {int(hex_color[3:5], 16)}, {int(hex_color[5:7], 16)}, {alpha})"


EXPORT_LABELS = {"md": "Markdown (.md)", "json": "JSON (.json)", "pdf": "PDF (.pdf)"}


@dataclass(frozen=True)
class ReviewData:
    """What the review shows: the stored call, its recording (None when there is none) and why there is none."""

    record: SessionRecord
    recording: Path | None
    no_audio_reason: str = ""
    origin_device: str = ""


def _ask_path(parent: QWidget, fmt: str, suggested: str) -> str | None:
    start = str(Path.home() / suggested)
    path, _ = QFileDialog.getSaveFileName(parent, "Export the call", start, FORMATS[fmt])
    return path or None


def _confirm(parent: QWidget, question: str) -> bool:
    answer = QMessageBox.question(
        parent,
        "Delete this call?",
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


class ReviewScreen(QWidget):
    back_requested = Signal()
    export_requested = Signal(int, str, str)  # session_id, format ("md", "json", "pdf"), path
    delete_requested = Signal(int)  # the user confirmed; the presenter deletes
    deleted = Signal(int)  # the session is gone from the store
    correction_requested = Signal(int, int, str)  # session_id, seq, the corrected words; the presenter saves them

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.setStyleSheet(style())
        self._data: ReviewData | None = None
        self.correct_dialog: CorrectHeardDialog | None = None
        # Replaceable so tests (and a future native dialog) need no modal dialog.
        self.choose_export_path: Callable[[str, str], str | None] = lambda fmt, name: _ask_path(self, fmt, name)
        self.confirm_delete: Callable[[str], bool] = lambda question: _confirm(self, question)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 16)
        outer.addLayout(self._build_header())
        self.player = RecordingPlayer()
        outer.addWidget(self.player)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        transcript_card = card()
        transcript_layout = QVBoxLayout(transcript_card)
        transcript_header = QHBoxLayout()
        transcript_header.addWidget(section_title("Transcript"))
        transcript_header.addStretch(1)
        self.correct_button = QPushButton(icons.icon("edit"), " Correct…")
        self.correct_button.setAccessibleName(ACTION_TEXT)
        transcript_header.addWidget(self.correct_button)
        transcript_layout.addLayout(transcript_header)
        self.transcript = TranscriptReplay()
        self.transcript.why_not_correctable = self._why_not_correctable
        transcript_layout.addWidget(self.transcript, 1)
        splitter.addWidget(transcript_card)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        report = QWidget()
        report.setObjectName("page")
        report_layout = QVBoxLayout(report)
        report_layout.setContentsMargins(0, 0, 0, 0)
        self.scores = ScoresCard()
        # Said when the grade was (or is being) worked out on words the trainee corrected.
        self.corrected = QLabel("")
        self.corrected.setObjectName("muted")
        self.corrected.setWordWrap(True)
        self.corrected.setContentsMargins(10, 0, 10, 4)  # in line with the cards' text
        self.corrected.hide()
        self.feedback = FeedbackCard()
        self.analytics = AnalyticsCard()
        for part in (self.scores, self.corrected, self.feedback, self.analytics):
            report_layout.addWidget(part)
        report_layout.addStretch(1)
        scroll.setWidget(report)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        outer.addWidget(splitter, 1)

        follow_theme(self.restyle)
        self.player.position_changed.connect(self.transcript.follow)
        self.transcript.line_clicked.connect(self._line_clicked)
        self.transcript.correct_requested.connect(self.request_correction)
        self.transcript.current_changed.connect(self._update_correct_button)
        self.correct_button.clicked.connect(lambda: self.request_correction(self.transcript.current_index))
        self._shortcuts()
        self.show_loading()

    def _build_header(self) -> QHBoxLayout:
        header = QHBoxLayout()
        self.back_button = QToolButton()
        self.back_button.setIcon(icons.icon("back"))
        self.back_button.setIconSize(QSize(20, 20))
        self.back_button.setToolTip("Back to your history (Alt+Left)")
        self.back_button.clicked.connect(self.back_requested)
        header.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        titles = QVBoxLayout()
        self.title = QLabel("Review")
        self.title.setObjectName("title")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.subtitle = QLabel("")
        self.subtitle.setObjectName("muted")
        self.subtitle.setWordWrap(True)
        self.origin = QLabel("")
        self.origin.setObjectName("origin")
        self.origin.hide()
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.hide()
        for label in (self.title, self.subtitle, self.origin, self.message):
            titles.addWidget(label)
        header.addLayout(titles, 1)
        self.export_button = QPushButton(icons.icon("export"), " Export")
        self.export_button.setToolTip("Save this call as Markdown, JSON or PDF (Ctrl+E)")
        menu = QMenu(self.export_button)
        for fmt, label in EXPORT_LABELS.items():
            menu.addAction(label, lambda f=fmt: self.request_export(f))
        self.export_button.setMenu(menu)
        header.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)
        self.delete_button = QPushButton(icons.icon("trash", "DANGER"), " Delete")
        self.delete_button.setObjectName("danger")
        self.delete_button.setToolTip("Delete this call and its recording from this computer (Delete)")
        self.delete_button.clicked.connect(self.request_delete)
        header.addWidget(self.delete_button, 0, Qt.AlignmentFlag.AlignTop)
        return header

    def _shortcuts(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        bindings = (
            (QKeySequence(Qt.Key.Key_Space), self.player.toggle),
            (QKeySequence(Qt.Key.Key_Left), lambda: self.player.step(-SEEK_STEP_MS)),
            (QKeySequence(Qt.Key.Key_Right), lambda: self.player.step(SEEK_STEP_MS)),
            (QKeySequence(QKeySequence.StandardKey.Delete), self.request_delete),
            (QKeySequence("Ctrl+E"), self.export_button.showMenu),
            (QKeySequence(QKeySequence.StandardKey.Back), self.back_requested.emit),
            (QKeySequence(Qt.Key.Key_F2), lambda: self.request_correction(self.transcript.current_index)),
        )
        for keys, action in bindings:
            shortcut = QShortcut(keys, self)
            shortcut.setContext(context)
            shortcut.activated.connect(action)

    # -- what the presenter calls ---------------------------------------------------------------------------------

    @property
    def session_id(self) -> int | None:
        return self._data.record.id if self._data else None

    @property
    def data(self) -> ReviewData | None:
        return self._data

    def show_loading(self) -> None:
        self._data = None
        self.title.setText("Review")
        self.subtitle.setText("Loading the call…")
        self.origin.hide()
        self.message.hide()
        self.player.unload()
        self.transcript.set_lines([], "Seller")
        self.set_actions_enabled(False)

    def show_review(self, data: ReviewData) -> None:
        self._data = data
        record = data.record
        self.title.setText(f"Call with {record.summary.persona_name}")
        self.subtitle.setText(describe_call(record))
        self.origin.setText(f"Made on another device ({data.origin_device[:8]})" if data.origin_device else "")
        self.origin.setVisible(bool(data.origin_device))
        self.message.hide()
        seller = record.persona.get("name") or record.summary.persona_name
        # In a debrief the other voice is the coach's, not the seller's.
        debrief = record.summary.kind == "coach"
        other = "Coach" if debrief else seller.split()[0] if seller else "Seller"
        self.transcript.set_lines(record.lines, other, "Coach" if debrief else "Coach hint", record.heard_texts)
        self._update_correct_button()
        self._load_recording(data)
        if not record.lines:
            self.show_message("No lines were recorded in this call.", ok=True)
        self._render_report(record)
        self.set_actions_enabled(True)

    def _render_report(self, record: SessionRecord) -> None:
        grade = record.grade
        pending = "Grading is pending." if record.summary.needs_grading else "This call was not graded."
        self.scores.show_grade(grade, pending)
        self.feedback.show_grade(grade, pending)
        self.analytics.show_metrics(record.metrics, typed=record.summary.mode == "text")
        note = corrected_note(record)
        self.corrected.setText(note)
        self.corrected.setVisible(bool(note))

    def show_updated_record(self, record: SessionRecord) -> None:
        """The same call read again (a line corrected, a new grade): transcript and report follow, while the
        recording keeps playing where it was."""
        if self._data is None or self._data.record.id != record.id:
            return
        self._data = ReviewData(record, self._data.recording, self._data.no_audio_reason, self._data.origin_device)
        self.transcript.set_lines(
            record.lines, self.transcript.seller_name, self.transcript.coach_name, record.heard_texts
        )
        self._update_correct_button()
        self._render_report(record)

    def restyle(self, *_palette) -> None:
        """Light/dark switch: rebuild stylesheet colours and the report; playback carries on undisturbed."""
        self.setStyleSheet(style())
        if self._data is not None:
            self._render_report(self._data.record)
        self.transcript.viewport().update()

    def show_message(self, text: str, ok: bool = True) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {theme.SUCCESS if ok else theme.DANGER};")
        self.message.show()

    def show_error(self, text: str) -> None:
        self.subtitle.setText("")
        self.show_message(text, ok=False)

    def show_deleted(self, session_id: int) -> None:
        """The presenter deleted it: clear the screen and tell whoever listens (history, navigation)."""
        if self.session_id == session_id:
            self.show_loading()
            self.subtitle.setText("This call was deleted.")
        self.deleted.emit(session_id)

    # -- user actions --------------------------------------------------------------------------------------------

    def request_export(self, fmt: str) -> None:
        if self._data is None:
            return
        path = self.choose_export_path(fmt, suggested_filename(self._data.record, fmt))
        if path:
            self.export_requested.emit(self._data.record.id, fmt, path)

    def request_delete(self) -> None:
        if self._data is None:
            return
        summary = self._data.record.summary
        question = (
            f"Delete the call with {summary.persona_name}, its transcript, grade and recording from this computer? "
            "This cannot be undone."
        )
        if self.confirm_delete(question):
            # Let go of the recording before it is deleted: Windows cannot delete a file a player holds open, and
            # Qt's FFmpeg player could hang stopping a source whose file had vanished under it.
            self.player.unload()
            self.set_actions_enabled(False)
            self.delete_requested.emit(summary.id)

    def restore_after_failed_delete(self) -> None:
        """The delete failed and nothing was removed: the recording plays again and the actions come back."""
        if self._data is not None:
            self._load_recording(self._data)
        self.set_actions_enabled(True)

    def request_correction(self, index: int) -> None:
        """Opens the correction dialog on a line of the trainee's; Save asks the presenter to store the words."""
        lines = self.transcript.lines
        line = lines[index] if 0 <= index < len(lines) else None
        if self._data is None or line is None or self._why_not_correctable(line):
            return
        self.transcript.set_current(index)
        dialog = CorrectHeardDialog(line.text, self.transcript.heard_text(index), self)
        session_id = self._data.record.id
        dialog.accepted.connect(lambda: self._corrected(session_id, line.seq, line.text, dialog.text))
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.correct_dialog = dialog
        self._place_below_line(dialog, index)
        dialog.open()  # window-modal, without a nested event loop

    def _place_below_line(self, dialog: CorrectHeardDialog, index: int) -> None:
        """Just under the line being corrected, so it and the seller's reply around it stay in view."""
        item = self.transcript.item(index)
        screen = self.screen().availableGeometry()
        dialog.adjustSize()
        rect = self.transcript.visualItemRect(item)
        # The trainee's bubbles sit on the right: the dialog lines up with them.
        below = self.transcript.viewport().mapToGlobal(rect.bottomRight())
        x = min(max(screen.left(), below.x() - dialog.width()), screen.right() - dialog.width())
        y = below.y() + 8
        if y + dialog.height() > screen.bottom():  # no room below: above the line instead
            y = self.transcript.viewport().mapToGlobal(rect.topLeft()).y() - dialog.height() - 8
        dialog.move(x, max(screen.top(), y))

    def _dialog_closed(self, dialog: CorrectHeardDialog) -> None:
        if self.correct_dialog is dialog:
            self.correct_dialog = None
        dialog.deleteLater()

    def _corrected(self, session_id: int, seq: int, before: str, text: str) -> None:
        if text != before:
            self.show_message("Saving your correction…", ok=True)
            self.correction_requested.emit(session_id, seq, text)

    def _why_not_correctable(self, line: TranscriptLine | None) -> str:
        data = self._data
        return why_not_correctable(data.record if data else None, line, data.origin_device if data else "")

    def _update_correct_button(self, *_index) -> None:
        lines = self.transcript.lines
        index = self.transcript.current_index
        why_not = self._why_not_correctable(lines[index] if 0 <= index < len(lines) else None)
        self.correct_button.setEnabled(not why_not)
        self.correct_button.setToolTip(why_not or "Correct the words the speech recogniser heard on this line (F2)")

    def _load_recording(self, data: ReviewData) -> None:
        length_ms = int((data.record.summary.duration_seconds or 0) * 1000)
        self.player.load(data.recording, data.no_audio_reason, length_ms)

    def _line_clicked(self, index: int) -> None:
        lines = self.transcript.lines
        if not 0 <= index < len(lines):
            return
        if self.player.has_media:
            self.player.seek(lines[index].offset_ms)
            self.player.play()
        # Without audio the click still marks the line, so the transcript reads the same way.
        self.transcript.set_current(index)
        self._update_correct_button()

    def set_actions_enabled(self, enabled: bool) -> None:
        self.export_button.setEnabled(enabled)
        self.delete_button.setEnabled(enabled)
        if enabled:
            self._update_correct_button()
        else:  # loading, or being deleted
            self.correct_button.setEnabled(False)

    def hideEvent(self, event) -> None:
        # Leaving the screen (back to history, the window to the tray) must not leave a call playing unseen.
        self.player.pause()
        super().hideEvent(event)

"""The screen that opens the moment a call ends: "grading..." until the grade arrives, then the scores, feedback
quoting the trainee, rewards and the call analytics, with buttons to replay the call or call again."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.core.clock import format_clock
from desktop.core.results import HEURISTIC_GRADER
from desktop.core.vocabulary import GRADED_KINDS, Status
from desktop.store.records import SessionRecord
from desktop.ui.session.analytics_card import AnalyticsCard
from desktop.ui.widgets import icons, theme
from desktop.ui.widgets.report import FeedbackCard, ScoresCard, card, follow_theme, local_time


def style() -> str:
    """Extra rules on top of the app's stylesheet (the banner itself is styled there, as QFrame#banner)."""
    return f"""
QFrame#banner {{ padding: 4px; }}
QProgressBar {{ border: none; background: {theme.BORDER}; border-radius: 3px; max-height: 6px; }}
QProgressBar::chunk {{ background: {theme.ACCENT}; border-radius: 3px; }}
"""


STATUS_TEXT = {
    Status.COMPLETED: "completed",
    Status.INTERRUPTED: "cut short",
    Status.FAILED: "did not connect",
    Status.ACTIVE: "in progress",
}
FEEDBACK_PENDING = "Feedback that quotes your own words appears here once the call is graded."
GRADING_TEXT = "Grading your call… This usually takes a few seconds; the page updates by itself."


def describe_call(record: SessionRecord) -> str:
    """One line under the title: scenario, level, mode, length, when and how it ended."""
    summary = record.summary
    parts = [
        record.scenario.get("title") or summary.scenario_id,
        summary.difficulty.title(),
        "Practice" if record.practice_mode else "Exam",
        "typed" if summary.mode == "text" else "voice + typed" if _typed_into(record) else "voice",
        format_clock(summary.duration_seconds),
        local_time(summary.started_at),
        STATUS_TEXT.get(summary.status, summary.status),
    ]
    return "  ·  ".join(part for part in parts if part)


def _typed_into(record: SessionRecord) -> bool:
    """A voice call the trainee typed into for part of it (the analytics counted the typed lines)."""
    return bool(record.metrics is not None and getattr(record.metrics, "typed_lines", 0))


def measured_on(record: SessionRecord) -> str:
    """What the grade was measured on, said plainly under the scores."""
    metrics = record.metrics
    if metrics is None:
        return ""
    turns = f"{metrics.trainee_turns} of your turns and {metrics.seller_turns} of the seller's"
    if record.summary.mode == "text":
        return f"Measured on the transcript: {turns} (typed, so no speech timing)."
    how = "speech timing from the spoken part only" if metrics.typed_lines else "with speech timing"
    # Recognition slips land on the very words the grade reads ("Is now a good time?" heard as "It's now and on
    # time."); the trainee has to know the words are the recogniser's, and where to put them right.
    return (
        f"Measured on the transcript as the speech recogniser heard you: {turns} ({how}). If it misheard you, "
        "correct the line in Replay the call (F2) and the call is graded again."
    )


def corrected_note(record: SessionRecord) -> str:
    """Says when the grade follows words the trainee corrected after the call (or is being worked out on them)."""
    count = record.corrected_lines
    if not count or record.summary.kind not in GRADED_KINDS:
        return ""
    lines = "1 line corrected" if count == 1 else f"{count} lines corrected"
    if record.summary.needs_grading:
        return f"Grading again on your corrected words: {lines}."
    return f"Graded on your corrected words: {lines}." if record.grade is not None else ""


class FeedbackScreen(QWidget):
    """Shows one session's outcome. Fed by FeedbackPresenter; emits what the user wants to do next."""

    replay_requested = Signal(int)
    regrade_requested = Signal(int)  # "Grade again": the rules stood in for the model, which may answer now
    call_again_requested = Signal(str, str, str)  # persona_id, scenario_id, difficulty
    debrief_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.setStyleSheet(style())
        self._record: SessionRecord | None = None
        self._failure = ""
        self._debrief_enabled = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 16)
        header = QHBoxLayout()
        titles = QVBoxLayout()
        self.title = QLabel("Your call")
        self.title.setObjectName("title")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.subtitle = QLabel("")
        self.subtitle.setObjectName("muted")
        self.subtitle.setWordWrap(True)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        header.addLayout(titles, 1)
        self.replay_button = self._button(
            "&Replay the call", icons.icon("play"), "Listen to the call with its transcript (Alt+R)"
        )
        self.call_again_button = self._button(
            "Call &again", icons.icon("phone", "ON_ACCENT"), "Call the same seller on the same scenario (Alt+A)"
        )
        self.call_again_button.setObjectName("primary")
        self.debrief_button = self._button(
            "&Debrief with coach", icons.icon("bulb"), "Talk the call through with the coach"
        )
        self.debrief_button.hide()
        self.regrade_button = self._button(
            "&Grade again", icons.icon("pulse"), "Ask the model to grade this call again (the rules stood in)"
        )
        self.regrade_button.hide()
        for button in (self.replay_button, self.regrade_button, self.debrief_button, self.call_again_button):
            header.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(header)

        self.banner = card()
        self.banner.setObjectName("banner")
        banner_layout = QVBoxLayout(self.banner)
        self.banner_text = QLabel(GRADING_TEXT)
        self.banner_text.setWordWrap(True)
        self.banner_progress = QProgressBar()
        self.banner_progress.setRange(0, 0)
        self.banner_progress.setTextVisible(False)
        self.banner_progress.setToolTip("Grading in progress")
        banner_layout.addWidget(self.banner_text)
        banner_layout.addWidget(self.banner_progress)
        outer.addWidget(self.banner)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        body.setObjectName("page")
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        left = QVBoxLayout()
        self.scores = ScoresCard()
        left.addWidget(self.scores)
        self.measured = QLabel("")
        self.measured.setObjectName("muted")
        self.measured.setWordWrap(True)
        left.addWidget(self.measured)
        self.feedback = FeedbackCard()
        left.addWidget(self.feedback)
        left.addStretch(1)
        top.addLayout(left, 3)
        self.analytics = AnalyticsCard()
        top.addWidget(self.analytics, 2, Qt.AlignmentFlag.AlignTop)
        body_layout.addLayout(top)
        body_layout.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        follow_theme(self.restyle)
        self.replay_button.clicked.connect(self._replay)
        self.regrade_button.clicked.connect(self._regrade)
        self.call_again_button.clicked.connect(self._call_again)
        self.debrief_button.clicked.connect(self._debrief)
        self.show_loading()

    # -- what the presenter calls -----------------------------------------------------------------------------

    @property
    def session_id(self) -> int | None:
        return self._record.id if self._record else None

    @property
    def record(self) -> SessionRecord | None:
        return self._record

    @property
    def is_grading(self) -> bool:
        return self.banner.isVisibleTo(self) and self.banner.property("kind") == "grading"

    def show_loading(self) -> None:
        self._record = None
        self._failure = ""
        self.title.setText("Your call")
        self.subtitle.setText("Loading the call…")
        self._set_buttons_enabled(False)
        self.banner.hide()
        self.scores.show_grade(None, "")
        self.feedback.show_grade(None, "")
        self.analytics.show_metrics(None)

    def show_record(self, record: SessionRecord) -> None:
        """Shows the call as stored now; while its grade is pending, the grading banner says so."""
        self._record = record
        summary = record.summary
        self.title.setText(f"Call with {summary.persona_name}")
        self.subtitle.setText(describe_call(record))
        self._set_buttons_enabled(True)
        grade = record.grade
        if grade is not None:
            self._failure = ""
        if grade is None and summary.needs_grading and self._failure:
            self.show_grading_failed(self._failure)
            pending = "Scores appear here when grading finishes."
        elif grade is None and summary.needs_grading:
            self._banner("grading", GRADING_TEXT, busy=True)
            pending = "Scores appear here when grading finishes."
        elif grade is None:
            why = record.error_message or "The call ended before anything could be graded."
            self._banner("error", f"This call was not graded. {why}", busy=False)
            pending = "Not graded."
        else:
            self.banner.hide()
            pending = ""
        self.scores.show_grade(grade, pending)
        self.feedback.show_grade(grade, FEEDBACK_PENDING if grade is None and summary.needs_grading else pending)
        self.analytics.show_metrics(record.metrics, typed=summary.mode == "text")
        measured = " ".join(part for part in (measured_on(record), corrected_note(record)) if part)
        self.measured.setText(measured if grade is not None else "")
        # The rules stood in for a configured model (the note says why): offer the model another go.
        self.regrade_button.setVisible(grade is not None and grade.grader == HEURISTIC_GRADER and bool(grade.note))

    def show_grading_failed(self, message: str) -> None:
        """Grading raised; the session stays flagged, so it is graded again at the next start."""
        self._failure = message
        self._banner(
            "warning",
            f"Grading did not finish ({message}). Your call is saved and will be graded the next time the app starts.",
            busy=False,
        )

    def show_error(self, message: str) -> None:
        self._banner("error", message, busy=False)

    def set_debrief_enabled(self, enabled: bool) -> None:
        """The coach debrief comes with the grading issue; until the lead enables it, the button stays hidden."""
        self._debrief_enabled = enabled
        self.debrief_button.setVisible(enabled)

    # -- internals ---------------------------------------------------------------------------------------------

    def _button(self, text: str, icon: QIcon, tip: str) -> QPushButton:
        # Painted icons follow the theme; the style's stock ones are near black, invisible in dark mode.
        button = QPushButton(icon, text)
        button.setToolTip(tip)
        return button

    def restyle(self, *_palette) -> None:
        """Light/dark switch: the colours baked into stylesheets and rich text are rebuilt."""
        self.setStyleSheet(style())
        if self._record is not None:
            self.show_record(self._record)

    def _banner(self, kind: str, text: str, busy: bool) -> None:
        # "grading" has no rule of its own, so it gets the app's soft accent banner; "error"/"warning" are styled.
        self.banner.setProperty("kind", kind)
        # The label's colour depends on the banner's kind (a descendant rule), so it is re-polished too.
        for widget in (self.banner, self.banner_text):
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        self.banner_text.setText(text)
        self.banner_progress.setVisible(busy)
        self.banner.show()

    def _set_buttons_enabled(self, enabled: bool) -> None:
        for button in (self.replay_button, self.call_again_button, self.debrief_button, self.regrade_button):
            button.setEnabled(enabled)

    def _replay(self) -> None:
        if self._record:
            self.replay_requested.emit(self._record.id)

    def _regrade(self) -> None:
        if self._record:
            self.regrade_button.hide()
            self._banner("grading", GRADING_TEXT, busy=True)
            self.regrade_requested.emit(self._record.id)

    def _call_again(self) -> None:
        if self._record:
            summary = self._record.summary
            self.call_again_requested.emit(summary.persona_id, summary.scenario_id, summary.difficulty)

    def _debrief(self) -> None:
        if self._record and self._debrief_enabled:
            self.debrief_requested.emit(self._record.id)

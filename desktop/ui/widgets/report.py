"""The parts of a graded call both the feedback screen and the review show: scores with bars and feedback that
quotes the trainee (the analytics card is in analytics_card.py), plus small shared helpers."""

from __future__ import annotations

import html

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from desktop.core.clock import parse_iso
from desktop.core.coach_review import read_feedback
from desktop.core.results import HEURISTIC_GRADER, Grade, grader_words
from desktop.ui.widgets import theme

SCORE_LABELS = {
    "rapport": "Rapport",
    "discovery": "Discovery",
    "objection_handling": "Objection handling",
    "closing": "Closing",
}


def scaled_font(base: QFont, factor: float, bold: bool = False) -> QFont:
    """A copy of `base` `factor` times as large, whether the stylesheet set it in points or pixels."""
    font = QFont(base)
    if base.pointSizeF() > 0:
        font.setPointSizeF(base.pointSizeF() * factor)
    else:
        font.setPixelSize(max(1, round(base.pixelSize() * factor)))
    font.setBold(bold)
    return font


def local_time(iso: str) -> str:
    """A stored UTC timestamp as the user's wall-clock time."""
    return parse_iso(iso).astimezone().strftime("%d %b %Y  %H:%M")


def follow_theme(restyle) -> None:
    """Calls `restyle(palette_name)` whenever the app switches between light and dark (if the theme announces it).

    restyle must be a bound method of a QObject, so Qt drops the connection when that object is destroyed.
    """
    notifier = getattr(theme, "notifier", None)
    if notifier is not None:
        notifier().changed.connect(restyle)


def soft_accent() -> str:
    return getattr(theme, "ACCENT_SOFT", "#dbeafe")


def card(parent: QWidget | None = None) -> QFrame:
    frame = QFrame(parent)
    frame.setObjectName("card")
    return frame


def section_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label


# -- scores -------------------------------------------------------------------------------------------------------


def score_text(score: int | None) -> str:
    """A drawn score in words, for tooltips and screen readers."""
    return "not graded yet" if score is None else f"{score} out of 100"


class OverallBadge(QWidget):
    """The overall score in the middle of a ring filled to the score, coloured like every score in the app."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._score: int | None = None
        self.setToolTip("Overall: the rounded mean of the four scores")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Overall score")
        self.setAccessibleDescription(score_text(None))

    @property
    def score(self) -> int | None:
        return self._score

    def set_score(self, score: int | None) -> None:
        self._score = score
        self.setAccessibleDescription(score_text(score))
        self.update()

    def sizeHint(self) -> QSize:
        side = self.fontMetrics().height() * 6
        return QSize(side, side)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height())
        pen_width = max(4.0, side / 12)
        rect = QRectF(pen_width / 2, pen_width / 2, side - pen_width, side - pen_width)
        painter.setPen(QPen(QColor(theme.BORDER), pen_width))
        painter.drawEllipse(rect)
        color = QColor(theme.score_color(self._score))
        if self._score is not None:
            pen = QPen(color, pen_width)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            painter.drawArc(rect, 90 * 16, -round(360 * 16 * self._score / 100))
        painter.setPen(color if self._score is not None else QColor(theme.MUTED))
        painter.setFont(scaled_font(self.font(), 2.2, bold=True))
        number_rect = QRectF(0, 0, side, side * 0.62)
        number_rect.moveTop(side * 0.14)
        painter.drawText(number_rect, Qt.AlignmentFlag.AlignCenter, "–" if self._score is None else str(self._score))
        painter.setPen(QColor(theme.MUTED))
        painter.setFont(scaled_font(self.font(), 0.85))
        painter.drawText(QRectF(0, side * 0.62, side, side * 0.2), Qt.AlignmentFlag.AlignCenter, "overall")
        painter.end()


class ScoreBar(QWidget):
    """One criterion: its name and score on a line, and a bar filled to the score below."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self._score: int | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(label)
        self.setAccessibleDescription(score_text(None))

    @property
    def score(self) -> int | None:
        return self._score

    def set_score(self, score: int | None) -> None:
        self._score = score
        self.setToolTip(f"{self.label}: {score_text(score)}")
        self.setAccessibleDescription(score_text(score))
        self.update()

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance(self.label) * 2, round(metrics.height() * 1.9))

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        text_h = metrics.height()
        painter.setPen(QColor(theme.TEXT))
        painter.drawText(QRectF(0, 0, self.width(), text_h), Qt.AlignmentFlag.AlignLeft, self.label)
        color = QColor(theme.score_color(self._score))
        painter.setPen(color)
        painter.setFont(scaled_font(self.font(), 1.0, bold=True))
        value = "–" if self._score is None else str(self._score)
        painter.drawText(QRectF(0, 0, self.width(), text_h), Qt.AlignmentFlag.AlignRight, value)
        bar_h = max(4.0, text_h * 0.4)
        track = QRectF(0, text_h + (self.height() - text_h - bar_h) / 2, self.width(), bar_h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.BORDER))
        painter.drawRoundedRect(track, bar_h / 2, bar_h / 2)
        if self._score:
            painter.setBrush(color)
            filled = QRectF(track)
            filled.setWidth(track.width() * self._score / 100)
            painter.drawRoundedRect(filled, bar_h / 2, bar_h / 2)
        painter.end()


class ScoresCard(QFrame):
    """The overall ring, the four score bars, and what the call earned."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.addWidget(section_title("Scores"))
        row = QHBoxLayout()
        self.overall = OverallBadge()
        row.addWidget(self.overall, 0, Qt.AlignmentFlag.AlignTop)
        bars = QVBoxLayout()
        self.bars = {name: ScoreBar(label) for name, label in SCORE_LABELS.items()}
        for bar in self.bars.values():
            bars.addWidget(bar)
        row.addLayout(bars, 1)
        layout.addLayout(row)
        self.rewards = QLabel()
        self.rewards.setObjectName("rewards")
        self.rewards.setWordWrap(True)
        self.rewards.setToolTip("Virtual earnings: what a deal like this might have made. XP: practice points.")
        layout.addWidget(self.rewards)
        self.grader = QLabel()
        self.grader.setObjectName("muted")
        self.grader.setWordWrap(True)
        layout.addWidget(self.grader)
        self.show_grade(None)

    def show_grade(self, grade: Grade | None, pending_text: str = "Not graded yet.") -> None:
        self.overall.set_score(grade.overall if grade else None)
        for name, bar in self.bars.items():
            bar.set_score(getattr(grade, name) if grade else None)
        self.rewards.setVisible(grade is not None)
        if grade is None:
            self.rewards.setText("")
            self.grader.setText(pending_text)
            return
        self.rewards.setText(
            f"<b>${grade.virtual_earnings:,}</b> virtual earnings &nbsp;·&nbsp; <b>+{grade.xp_earned} XP</b>"
        )
        if grade.grader == HEURISTIC_GRADER:
            # Notes written for the command line name a command; the screen offers a button instead.
            note = grade.note.split("; re-grade with", 1)[0].strip()
            why = f" ({note})" if note else ""
            self.grader.setText(f"Graded by {grader_words(grade.grader)}{why}.")
        else:
            self.grader.setText(f"Graded by {grader_words(grade.grader)}.")


# -- feedback ------------------------------------------------------------------------------------------------------


def feedback_html(item: str) -> str:
    """One feedback item as rich text: the trainee's own words set apart from the advice around them. The item is
    taken apart by the coach's reader (`read_feedback`), so both read the grade's two forms the same way."""
    parts = read_feedback(item)
    if not parts.said:  # neither form: plain advice
        return html.escape(item)
    if parts.try_instead:
        lead = f'You said "{parts.said}" — try "{parts.try_instead}" because '
    else:
        lead = f'You said "{parts.said}": '
    # The reason as the grader wrote it, closing full stop included (read_feedback drops it for the coach's lines).
    why = html.escape(item[len(lead) :] if item.startswith(lead) else parts.why)
    said = html.escape(parts.said)
    if parts.try_instead:
        return (
            f'<span style="color:{theme.MUTED}">You said</span> <i>“{said}”</i><br>'
            f'<b>Try</b> “{html.escape(parts.try_instead)}”<br><span style="color:{theme.MUTED}">because {why}</span>'
        )
    return f"<i>“{said}”</i> — {why}"


class FeedbackCard(QFrame):
    """Strengths, improvements and recommendations, each item quoting what the trainee said."""

    # Colours by theme name, looked up when drawn, so a switch to dark mode applies at the next render.
    SECTIONS = (
        ("strengths", "What worked", "SUCCESS"),
        ("improvements", "What to improve", "WARNING"),
        ("recommendations", "For your next call", "ACCENT"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(section_title("Feedback"))
        self._body = QVBoxLayout()
        self._layout.addLayout(self._body)
        self.items: dict[str, list[QLabel]] = {}
        self.show_grade(None)

    def show_grade(
        self, grade: Grade | None, pending_text: str = "Feedback appears here once the call is graded."
    ) -> None:
        clear_layout(self._body)
        self.items = {key: [] for key, _, _ in self.SECTIONS}
        if grade is None:
            self._body.addWidget(muted_label(pending_text))
            return
        for key, title, color_name in self.SECTIONS:
            color = getattr(theme, color_name)
            entries = getattr(grade, key)
            heading = QLabel(title)
            heading.setStyleSheet(f"color: {color}; font-weight: 600;")
            self._body.addWidget(heading)
            if not entries:
                self._body.addWidget(muted_label("Nothing to add here."))
            for entry in entries:
                label = QLabel(feedback_html(entry))
                label.setTextFormat(Qt.TextFormat.RichText)
                label.setWordWrap(True)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                label.setObjectName("feedbackItem")
                label.setStyleSheet(
                    f"QLabel#feedbackItem {{ border-left: 3px solid {color}; padding: 2px 0 2px 8px; }}"
                )
                self._body.addWidget(label)
                self.items[key].append(label)


def muted_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("muted")
    label.setWordWrap(True)
    return label


def clear_layout(layout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            # Hidden at once: deleteLater alone would leave the old content on screen until the next event loop turn.
            item.widget().hide()
            item.widget().deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())

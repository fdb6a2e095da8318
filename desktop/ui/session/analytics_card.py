"""The call analytics card: each analytic with its value, a good / needs-work chip, and the published target
(`call-analytics.md`) under it. Typed calls show only what still means something, and say so."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from desktop.core.clock import format_clock
from desktop.core.metrics import TARGETS, answered_share, rate_metric
from desktop.core.results import CallMetrics
from desktop.ui.widgets import theme
from desktop.ui.widgets.report import clear_layout, muted_label, section_title

RATING_TEXT = {"good": "Good", "warn": "Needs work", "bad": "Needs work"}
RATING_TIPS = {
    "good": "Inside the published target",
    "warn": "Just outside the published target",
    "bad": "Far outside the published target",
}
TYPED_NOTE = (
    "This call was typed, so speech timing (talk ratio, pace, pauses, fillers) cannot be measured: "
    "only questions, objections and turns are shown."
)


def mixed_note(typed_lines: int) -> str:
    """What a voice call with typed turns measured its timing on."""
    plural = "line" if typed_lines == 1 else "lines"
    return (
        f"Voice + typed: you typed {typed_lines} {plural}, so talk ratio, pace, pauses, monologue and fillers are "
        "measured on the spoken part only; questions and objections count every line."
    )


EXPLAIN = {
    "talk_ratio": "Your speech time over both sides' speech time; silence not counted.",
    "longest_monologue_s": "Your longest stretch of talking without the seller speaking.",
    "questions": "Questions you asked, open (what, how, why...) and closed (yes/no).",
    "fillers_per_min": "Core fillers (um, uh, erm) per minute of your speech.",
    "soft_fillers_per_min": "Soft fillers (like, you know, basically, kind of) per minute of your speech.",
    "words_per_min": "Your words per minute of your own speaking time.",
    "patience_s": "Average pause between the seller finishing and you starting.",
    "switches_per_min": "How often the turn passed between you and the seller, per minute.",
    "interruptions": "Times you started talking while the seller was mid-turn (short 'uh-huh's do not count).",
    "call_length_s": "From connect to hang-up.",
    "objections_answered": "Seller objections that came up, and how many you acknowledged or met with a question.",
    "turns": "How many turns each side took.",
}


@dataclass(frozen=True)
class MetricRow:
    key: str
    label: str
    value: str
    target: str
    rating: str | None  # "good", "warn", "bad", or None when there is no published figure
    explanation: str
    detail: str = ""


def metric_rows(metrics: CallMetrics) -> list[MetricRow]:
    """What the analytics card shows, in order; timing metrics a typed call cannot have are left out."""

    def row(key: str, label: str, value: str, rated: float | None = None, detail: str = "") -> MetricRow:
        target = TARGETS.get(key)
        source = f" Source: {target.source}." if target else ""
        return MetricRow(
            key, label, value, target.text if target else "", rate_metric(key, rated), EXPLAIN[key] + source, detail
        )

    m = metrics
    rows: list[MetricRow] = []
    if m.talk_ratio is not None:
        rows.append(row("talk_ratio", "Talk ratio", f"{round(m.talk_ratio * 100)} % you", m.talk_ratio))
    if m.longest_monologue_s is not None:
        longest = m.longest_monologue_s
        rows.append(row("longest_monologue_s", "Longest monologue", f"{longest:.0f} s", longest))
    questions = f"{m.questions} ({m.open_questions} open)"
    rows.append(row("questions", "Questions asked", questions, m.questions))
    if m.fillers_per_min is not None:
        rows.append(row("fillers_per_min", "Filler words", f"{m.fillers_per_min:.1f} /min", m.fillers_per_min))
    if m.soft_fillers_per_min is not None:
        rows.append(row("soft_fillers_per_min", "Soft fillers", f"{m.soft_fillers_per_min:.1f} /min"))
    if m.words_per_min is not None:
        rows.append(row("words_per_min", "Pace", f"{m.words_per_min:.0f} words/min", m.words_per_min))
    if m.patience_s is not None:
        rows.append(row("patience_s", "Patience", f"{m.patience_s:.1f} s", m.patience_s))
    if m.switches_per_min is not None:
        rows.append(row("switches_per_min", "Interactivity", f"{m.switches_per_min:.1f} switches/min"))
    if m.interruptions is not None:
        rows.append(row("interruptions", "Interruptions", str(m.interruptions)))
    rows.append(row("call_length_s", "Call length", format_clock(m.call_length_s)))
    if m.objections_raised:
        missed = [name for name in m.objections_raised if name not in m.objections_answered]
        detail = (
            "Raised: " + ", ".join(m.objections_raised) + (f". Not answered: {', '.join(missed)}." if missed else ".")
        )
        value = f"{len(m.objections_answered)} of {len(m.objections_raised)}"
        rows.append(row("objections_answered", "Objections answered", value, answered_share(m), detail))
    else:
        rows.append(row("objections_answered", "Objections answered", "none came up"))
    turns = f"{m.trainee_turns} you / {m.seller_turns} seller"
    rows.append(MetricRow("turns", "Turns", turns, "", None, EXPLAIN["turns"]))
    return rows


def rating_chip(rating: str | None) -> QLabel:
    color = {"good": theme.SUCCESS, "warn": theme.WARNING, "bad": theme.DANGER}.get(rating or "", theme.MUTED)
    chip = QLabel(RATING_TEXT.get(rating or "", "Guidance"))
    chip.setObjectName("ratingChip")
    chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
    chip.setProperty("rating", rating or "none")
    chip.setToolTip(RATING_TIPS.get(rating or "", "No published target: for guidance only"))
    chip.setStyleSheet(
        f"QLabel#ratingChip {{ color: {color}; border: 1px solid {color}; border-radius: 9px; padding: 1px 8px; }}"
    )
    return chip


class AnalyticsCard(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.addWidget(section_title("Call analytics"))
        self.note = muted_label("")
        self.note.hide()
        layout.addWidget(self.note)
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(10)
        self._grid.setVerticalSpacing(2)
        self._grid.setColumnStretch(0, 1)
        layout.addLayout(self._grid)
        layout.addStretch(1)
        self.rows: list[MetricRow] = []
        self.chips: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        self.show_metrics(None)

    def show_metrics(self, metrics: CallMetrics | None, typed: bool = False) -> None:
        clear_layout(self._grid)
        self.rows = metric_rows(metrics) if metrics else []
        self.chips, self.values = {}, {}
        if metrics is None:
            self.note.setText("No analytics for this call: nothing was said that could be measured.")
        else:
            typed_only = typed or (metrics.talk_ratio is None and not metrics.typed_lines)
            self.note.setText(
                TYPED_NOTE if typed_only else mixed_note(metrics.typed_lines) if metrics.typed_lines else ""
            )
        self.note.setVisible(bool(self.note.text()))
        for index, row in enumerate(self.rows):
            top = index * 3
            name = QLabel(row.label)
            name.setStyleSheet("font-weight: 600;")
            value = QLabel(row.value)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            chip = rating_chip(row.rating)
            chip.setVisible(bool(row.target))  # a bare count (turns) has nothing to be rated against
            for widget in (name, value):
                widget.setToolTip(row.explanation)
            self._grid.addWidget(name, top, 0)
            self._grid.addWidget(value, top, 1)
            self._grid.addWidget(chip, top, 2)
            under = ". ".join(part for part in (f"Target: {row.target}" if row.target else "", row.detail) if part)
            if under:
                target = muted_label(under)
                target.setToolTip(row.explanation)
                self._grid.addWidget(target, top + 1, 0, 1, 3)
            self._grid.setRowMinimumHeight(top + 2, max(4, self.fontMetrics().height() // 3))
            self.chips[row.key] = chip
            self.values[row.key] = value

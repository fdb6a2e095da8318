"""The Practice-mode hint strip: the stage of the call, the discovery topics asked so far, the persona's objections
that came up (and whether they were answered), and one tip for what to do next. Hidden in Exam mode."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop.core.transcript import TranscriptLine
from desktop.ui.call.hints import STAGE_LABELS, STAGES, TOPICS, CallHints, HintState
from desktop.ui.widgets.plain_text import tooltip


def _chip(text: str, tip: str) -> QLabel:
    chip = QLabel(text, objectName="chip")
    chip.setTextFormat(Qt.TextFormat.PlainText)  # an objection label comes from the persona
    chip.setToolTip(tip)
    return chip


def _set_kind(chip: QLabel, kind: str) -> None:
    if chip.property("kind") == kind:
        return
    chip.setProperty("kind", kind)
    chip.style().unpolish(chip)
    chip.style().polish(chip)


class HintStrip(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="hintStrip")
        self.setToolTip("Practice hints: where your call is and what to try next. Exam mode hides them.")
        self._hints = CallHints(())
        layout = QVBoxLayout(self)
        layout.setSpacing(6)

        # Every chip, when the strip is wide enough to show them whole on their lines.
        self._full = QWidget()
        full = QVBoxLayout(self._full)
        full.setContentsMargins(0, 0, 0, 0)
        full.setSpacing(6)
        stages = QHBoxLayout()
        stages.addWidget(QLabel("Stage", objectName="stripLabel"))
        self.stage_chips: dict[str, QLabel] = {}
        for stage in STAGES:
            chip = _chip(STAGE_LABELS[stage], f"{STAGE_LABELS[stage]}: highlighted when your call is here")
            self.stage_chips[stage] = chip
            stages.addWidget(chip)
        stages.addSpacing(12)
        stages.addWidget(QLabel("Discovery", objectName="stripLabel"))
        self.topic_chips: dict[str, QLabel] = {}
        for topic in TOPICS:
            chip = _chip(topic, f"Ticked once you have asked about the seller's {topic}")
            self.topic_chips[topic] = chip
            stages.addWidget(chip)
        stages.addStretch(1)
        full.addLayout(stages)

        self._objection_row = QHBoxLayout()
        self._objection_row.addWidget(QLabel("Objections", objectName="stripLabel"))
        self.objection_chips: dict[str, QLabel] = {}
        self._objection_row.addStretch(1)
        full.addLayout(self._objection_row)

        layout.addWidget(self._full)

        # In a narrow window (the smallest the app allows, or 200 % scaling) the rows would be squeezed until their
        # words are cut, and wrapping them takes height the call does not have: one line sums them up instead, and
        # each summary's tooltip lists what the chips would show.
        self._compact = QWidget()
        compact = QHBoxLayout(self._compact)
        compact.setContentsMargins(0, 0, 0, 0)
        compact.addWidget(QLabel("Stage", objectName="stripLabel"))
        self.stage_summary = _chip("", "")
        compact.addWidget(self.stage_summary)
        compact.addSpacing(12)
        compact.addWidget(QLabel("Discovery", objectName="stripLabel"))
        self.topic_summary = _chip("", "")
        compact.addWidget(self.topic_summary)
        compact.addSpacing(12)
        self._objection_summary_label = QLabel("Objections", objectName="stripLabel")
        compact.addWidget(self._objection_summary_label)
        self.objection_summary = _chip("", "")
        compact.addWidget(self.objection_summary)
        compact.addStretch(1)
        layout.addWidget(self._compact)
        self._compact.hide()

        self.tip = QLabel(objectName="hintTip", wordWrap=True)
        layout.addWidget(self.tip)

    @property
    def compact(self) -> bool:
        return self._compact.isVisibleTo(self)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit(event.size().width())

    def _fit(self, width: int) -> None:
        margins = self.layout().contentsMargins()
        compact = self._full.sizeHint().width() > width - margins.left() - margins.right()
        if compact != self.compact:
            self._full.setVisible(not compact)
            self._compact.setVisible(compact)

    @property
    def state(self) -> HintState:
        return self._hints.state

    def reset(self, objection_patterns: tuple[str, ...] | list[str]) -> None:
        self._hints = CallHints(objection_patterns)
        for chip in self.objection_chips.values():
            self._objection_row.removeWidget(chip)
            chip.deleteLater()
        self.objection_chips = {}
        for hint in self._hints.state.objections:
            chip = _chip(
                hint.label,
                "This seller may raise it. It lights up when they do, and turns green once "
                "you acknowledge it or ask about it.",
            )
            self.objection_chips[hint.pattern] = chip
            self._objection_row.insertWidget(self._objection_row.count() - 1, chip)
        self._show(self._hints.state)

    def add_line(self, line: TranscriptLine) -> None:
        self._show(self._hints.add(line))

    def _show(self, state: HintState) -> None:
        for stage, chip in self.stage_chips.items():
            kind = "current" if stage == state.stage else ("done" if stage in state.reached else "todo")
            _set_kind(chip, kind)
            chip.setText(("\u2713 " if kind == "done" else "") + STAGE_LABELS[stage])
        for topic, chip in self.topic_chips.items():
            asked = state.topics.get(topic, False)
            _set_kind(chip, "done" if asked else "todo")
            chip.setText(("\u2713 " if asked else "") + topic)
        for hint in state.objections:
            chip = self.objection_chips.get(hint.pattern)
            if chip is None:
                continue
            kind = "answered" if hint.answered else ("raised" if hint.raised else "todo")
            _set_kind(chip, kind)
            chip.setText(("\u2713 " if hint.answered else "! " if hint.raised else "") + hint.label)
        self._summarise(state)
        self.tip.setText(f"Next: {state.tip}")
        if self.width() > 0:
            self._fit(self.width())  # the chips' words changed (a tick, "!"): the row may no longer fit

    def _summarise(self, state: HintState) -> None:
        stage = STAGE_LABELS[state.stage]
        self.stage_summary.setText(f"{stage} ({STAGES.index(state.stage) + 1} of {len(STAGES)})")
        _set_kind(self.stage_summary, "current")
        self.stage_summary.setToolTip(" \u203a ".join(chip.text() for chip in self.stage_chips.values()))
        asked = [topic for topic in TOPICS if state.topics.get(topic, False)]
        self.topic_summary.setText(f"{len(asked)} of {len(TOPICS)} asked")
        _set_kind(self.topic_summary, "done" if len(asked) == len(TOPICS) else "todo")
        self.topic_summary.setToolTip("Asked: " + (", ".join(asked) or "nothing yet") + ". Still to ask: "
                                      + (", ".join(t for t in TOPICS if t not in asked) or "nothing"))  # fmt: skip
        objections = state.objections
        raised = [hint for hint in objections if hint.raised]
        answered = [hint for hint in raised if hint.answered]
        self._objection_summary_label.setVisible(bool(objections))
        self.objection_summary.setVisible(bool(objections))
        open_ = len(raised) - len(answered)
        self.objection_summary.setText(f"{len(raised)} raised, {len(answered)} answered" if raised else "none yet")
        _set_kind(self.objection_summary, "raised" if open_ else ("answered" if raised else "todo"))
        # The labels are the persona's words (data): shown as typed, never as markup.
        self.objection_summary.setToolTip(tooltip("\n".join(chip.text() for chip in self.objection_chips.values())))

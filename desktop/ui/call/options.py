"""The choices made before a call: how hard the seller is, which kind of call, and Practice (hints) or Exam mode."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QSizePolicy, QWidget

from desktop.core.difficulty import Difficulty
from desktop.core.scenarios import Scenario
from desktop.ui.shell.requests import DEFAULT_DIFFICULTY, DEFAULT_SCENARIO_ID
from desktop.ui.widgets import theme
from desktop.ui.widgets.controls import SegmentedControl

MODE_HELP = {
    "practice": "Practice: hints during the call (stage of the call, objections that came up). Graded the same.",
    "exam": "Exam: no hints, like a real call. Graded the same.",
}


class CallOptionsPanel(QWidget):
    """Difficulty, scenario and mode, as a labelled grid. `changed` fires on any user change."""

    changed = Signal()
    practice_mode_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None, *, show_help: bool = True) -> None:
        super().__init__(parent)
        self._show_help = show_help
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)

        self.difficulty = SegmentedControl(
            [(d.value, d.value.title(), f"{d.value.title()}: {d.profile.description}") for d in Difficulty]
        )
        self._color_difficulties()
        theme.notifier().changed.connect(self._color_difficulties)  # each theme has its own readable colours
        self.difficulty.set_value(DEFAULT_DIFFICULTY)
        self.difficulty.changed.connect(self._on_difficulty)
        self.difficulty_help = QLabel(objectName="hint", wordWrap=True)
        grid.addWidget(QLabel("Difficulty"), 0, 0)
        grid.addWidget(self.difficulty, 0, 1)
        grid.addWidget(self.difficulty_help, 1, 1)

        self.scenario = QComboBox()
        self.scenario.setToolTip("The kind of call you want to practise")
        self.scenario.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.scenario.setMinimumContentsLength(18)
        self.scenario.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.scenario.currentIndexChanged.connect(self._on_scenario)
        self.scenario_help = QLabel(objectName="hint", wordWrap=True)
        grid.addWidget(QLabel("Scenario"), 2, 0)
        grid.addWidget(self.scenario, 2, 1)
        grid.addWidget(self.scenario_help, 3, 1)

        self.mode = SegmentedControl(
            [("practice", "Practice", MODE_HELP["practice"]), ("exam", "Exam", MODE_HELP["exam"])]
        )
        self.mode.changed.connect(self._on_mode)
        self.mode_help = QLabel(MODE_HELP["practice"], objectName="hint", wordWrap=True)
        grid.addWidget(QLabel("Mode"), 4, 0)
        grid.addWidget(self.mode, 4, 1)
        grid.addWidget(self.mode_help, 5, 1)
        grid.setColumnStretch(1, 1)
        for label in (self.difficulty_help, self.scenario_help, self.mode_help):
            label.setVisible(show_help)
        self._scenarios: list[Scenario] = []
        self._update_difficulty_help()

    # --- values ------------------------------------------------------------------------------------------------------

    def _color_difficulties(self, *_palette: str) -> None:
        for level, color in theme.DIFFICULTY_COLORS.items():
            self.difficulty.set_color(level, color)

    def set_scenarios(self, scenarios: list[Scenario]) -> None:
        current = self.scenario_id() or DEFAULT_SCENARIO_ID
        self._scenarios = list(scenarios)
        self.scenario.blockSignals(True)
        self.scenario.clear()
        for item in self._scenarios:
            self.scenario.addItem(item.title, item.id)
            self.scenario.setItemData(self.scenario.count() - 1, item.description, Qt.ItemDataRole.ToolTipRole)
        self.scenario.blockSignals(False)
        self.set_scenario_id(current)

    def scenario_id(self) -> str:
        return self.scenario.currentData() or ""

    def set_scenario_id(self, scenario_id: str) -> None:
        index = self.scenario.findData(scenario_id)
        if index < 0:
            index = max(0, self.scenario.findData(DEFAULT_SCENARIO_ID))
        self.scenario.blockSignals(True)
        self.scenario.setCurrentIndex(index)
        self.scenario.blockSignals(False)
        self._update_scenario_help()

    def difficulty_value(self) -> str:
        return self.difficulty.value()

    def set_difficulty(self, level: str) -> None:
        self.difficulty.set_value(level.upper() if level.upper() in theme.DIFFICULTY_COLORS else DEFAULT_DIFFICULTY)
        self._update_difficulty_help()

    def practice_mode(self) -> bool:
        return self.mode.value() == "practice"

    def set_practice_mode(self, practice: bool) -> None:
        self.mode.set_value("practice" if practice else "exam")
        self.mode_help.setText(MODE_HELP["practice" if practice else "exam"])

    # --- reactions ---------------------------------------------------------------------------------------------------

    def _on_difficulty(self, _level: str) -> None:
        self._update_difficulty_help()
        self.changed.emit()

    def _on_scenario(self, _index: int) -> None:
        self._update_scenario_help()
        self.changed.emit()

    def _on_mode(self, value: str) -> None:
        self.mode_help.setText(MODE_HELP[value])
        self.practice_mode_changed.emit(value == "practice")
        self.changed.emit()

    def _update_difficulty_help(self) -> None:
        level = Difficulty.parse(self.difficulty.value() or DEFAULT_DIFFICULTY)
        self.difficulty_help.setText(f"The seller is {level.profile.description}.")

    def _update_scenario_help(self) -> None:
        scenario = next((s for s in self._scenarios if s.id == self.scenario_id()), None)
        self.scenario_help.setText(scenario.description if scenario else "")

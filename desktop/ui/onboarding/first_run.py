"""The first-run guide: four short pages over the main window. What the app is (no account needed), the trainee's
name (empty: nobody is called "Sam" by default), a 20-second check of the microphone (the words the recogniser
heard are shown) and the speaker, with headset advice, and a suggested first call that ends on the contacts.

It can be skipped on any page and reopened from Help. It only collects; the shell saves what it returns (the name
and "done") to the settings, where everything can be changed later.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.widgets.tasks import run_in_background

MAX_NAME = 40  # as the Settings page allows
WELCOME_TITLE = "Welcome to Roleplay Trainer"
WELCOME_TEXT = (
    "Practise acquisition calls with a seller who talks back, then get feedback that quotes your own words and "
    "tells you what to say instead.\n\nNo account is needed. The built-in practice partner runs on this computer, "
    "and your calls stay here unless you join a team later."
)
NAME_TEXT = "What's your first name? The seller will use it on the call. You can change it in Settings."
SOUND_TEXT = (
    "A 20-second check of your microphone and speaker. A headset works best: the seller's voice stays out of your "
    "microphone and the partner hears you clearly."
)
NOTHING_HEARD = (
    "Nothing was heard. Check that the right microphone is chosen in Settings → Sound, or type your calls instead."
)


# "Sam" was the name filled in for everyone before the guide asked; it counts as not chosen.
NAMES_NOT_CHOSEN = ("", "Sam")
# Set to "skip" where no one is there to answer the guide (the test suite, kiosk or scripted installs).
SKIP_ENV = "ROLEPLAY_FIRST_RUN"


def first_run_due(trainee_name: str, first_run_done: bool) -> bool:
    """The guide opens by itself only on a first start: no name chosen and the guide never finished or skipped."""
    if os.environ.get(SKIP_ENV, "").strip().lower() == "skip":
        return False
    return not first_run_done and trainee_name.strip() in NAMES_NOT_CHOSEN


def suggested_first_call(personas: Sequence[object]) -> tuple[str, str]:
    """(persona id, words for the trainee): the friendliest, most motivated seller, on the easiest level."""
    rank = {"high": 0, "medium": 1, "low": 2}
    style = {"friendly": 0, "cooperative": 1}
    easiest = min(
        personas,
        key=lambda p: (
            rank.get(getattr(p, "motivation_level", ""), 3),
            style.get(getattr(p, "conversation_style", ""), 2),
        ),
        default=None,
    )
    if easiest is None:
        return "", "Pick any contact and press Call."
    name, what = getattr(easiest, "name", ""), getattr(easiest, "property_type", "")
    where = getattr(easiest, "location", "")
    return getattr(easiest, "id", ""), f"{name}, {what} in {where}, on Beginner: a motivated, friendly seller."


def heard_verdict(heard: str, name: str) -> str:
    """What to tell the trainee about the words the recogniser heard."""
    heard = heard.strip().rstrip(".")
    if not heard:
        return NOTHING_HEARD
    if name and name.lower() in heard.lower():
        return f"Heard: “{heard}”. Your microphone works."
    return f"Heard: “{heard}”. The microphone works; if the words are off, speak closer to it or use a headset."


class FirstRunGuide(QDialog):
    """finished(name) when the trainee reaches the end; skipped() when they leave early (nothing is asked again)."""

    finished = Signal(str)
    skipped = Signal()
    PAGES = ("welcome", "name", "sound", "done")

    def __init__(
        self,
        *,
        listen: Callable[[], str],
        play: Callable[[], str],
        suggestion: str,
        name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Getting started")
        self.setObjectName("page")
        self.setModal(True)
        self._listen, self._play = listen, play
        self.listening = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 24, 28, 20)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)

        self.name_edit = QLineEdit(name)
        self.name_edit.setPlaceholderText("Your first name")
        self.name_edit.setMaxLength(MAX_NAME)
        self.name_edit.setAccessibleName("Your first name")
        self.say_label = _text("")
        self.heard_label = _text("")
        self.heard_label.setAccessibleName("What the microphone heard")
        self.speaker_label = _text("")
        self.listen_button = QPushButton("Check the microphone")
        self.play_button = QPushButton("Play a test sound")
        self.suggestion_label = _text(suggestion)

        self.stack.addWidget(_page(WELCOME_TITLE, _text(WELCOME_TEXT)))
        self.stack.addWidget(_page("Your name", _text(NAME_TEXT), self.name_edit))
        sound_rows = (self.say_label, self.listen_button, self.heard_label, self.play_button, self.speaker_label)
        self.stack.addWidget(_page("Microphone and speaker", _text(SOUND_TEXT), *sound_rows))
        done_text = _text("You're set. Your contacts are the sellers you can call; start with an easy one:")
        self.stack.addWidget(_page("Your first call", done_text, self.suggestion_label))

        buttons = QHBoxLayout()
        self.skip_button = QPushButton("Skip for now")
        self.skip_button.setToolTip("Close the guide; reopen it any time from Help → Getting started")
        self.back_button = QPushButton("Back")
        self.next_button = QPushButton("Get started")
        self.next_button.setObjectName("primary")
        self.next_button.setDefault(True)
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        outer.addLayout(buttons)

        self.skip_button.clicked.connect(self._skip)
        self.back_button.clicked.connect(lambda: self._go(self.stack.currentIndex() - 1))
        self.next_button.clicked.connect(self._next)
        self.name_edit.textChanged.connect(lambda _t: self._update_buttons())
        self.listen_button.clicked.connect(self._start_listening)
        self.play_button.clicked.connect(self._start_playing)
        self.resize(640, 440)
        self._go(0)

    # -- what tests and the shell read ---------------------------------------------------------------------------

    @property
    def page(self) -> str:
        return self.PAGES[self.stack.currentIndex()]

    @property
    def name(self) -> str:
        return " ".join(self.name_edit.text().split())

    # -- internals -------------------------------------------------------------------------------------------------

    def _go(self, index: int) -> None:
        self.stack.setCurrentIndex(max(0, min(index, len(self.PAGES) - 1)))
        if self.page == "sound":
            self.say_label.setText(f"Press the button, then say: “hello, this is {self.name}”.")
        if self.page == "name":
            self.name_edit.setFocus()
        self._update_buttons()

    def _update_buttons(self) -> None:
        page = self.page
        self.back_button.setVisible(page not in ("welcome",))
        self.next_button.setText({"welcome": "Get started", "done": "Go to my contacts"}.get(page, "Next"))
        self.next_button.setEnabled(page != "name" or bool(self.name))
        self.skip_button.setVisible(page != "done")

    def _next(self) -> None:
        if self.page == "done":
            self.finished.emit(self.name)
            self.accept()
            return
        if self.page == "name" and not self.name:
            return
        self._go(self.stack.currentIndex() + 1)

    def _skip(self) -> None:
        self.skipped.emit()
        self.reject()

    def _start_listening(self) -> None:
        if self.listening:
            return
        self.listening = True
        self.listen_button.setEnabled(False)
        self.heard_label.setText("Listening… say it now.")
        run_in_background(self._listen, self._heard)

    def _heard(self, heard: str | None, error: Exception | None) -> None:
        self.listening = False
        self.listen_button.setEnabled(True)
        self.listen_button.setText("Check again")
        if error is not None:
            self.heard_label.setText(
                getattr(error, "message", None) or f"The microphone could not be opened ({error})."
            )
            return
        self.heard_label.setText(heard_verdict(heard or "", self.name))

    def _start_playing(self) -> None:
        self.play_button.setEnabled(False)
        self.speaker_label.setText("Playing…")
        run_in_background(self._play, self._played)

    def _played(self, device: str | None, error: Exception | None) -> None:
        self.play_button.setEnabled(True)
        if error is not None:
            self.speaker_label.setText(
                f"The test sound could not play ({error}). Choose a speaker in Settings → Sound."
            )
        else:
            self.speaker_label.setText(f"Played on {device}. If you heard a chime, your speaker works.")


def _text(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _page(title: str, *widgets: QWidget) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    heading = QLabel(title)
    heading.setObjectName("title")
    layout.addWidget(heading)
    for widget in widgets:
        # Buttons keep their own width; text fills the line.
        layout.addWidget(
            widget, 0, Qt.AlignmentFlag.AlignLeft if isinstance(widget, QPushButton) else Qt.AlignmentFlag(0)
        )
    layout.addStretch(1)
    return page

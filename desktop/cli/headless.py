"""Pieces shared by the commands that hold a conversation with no window (`roleplay call`, `roleplay debrief`):
typed turns sent one at a time, the conversation printed as it happens, and the embedded partner started for it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from desktop import settings as app_settings
from desktop.cli.errors import CommandError
from desktop.core.transcript import Speaker
from desktop.voice.call.engine import Call
from desktop.voice.call.events import CallEnded, CallEvent, CallOutcome, Connected, LineFinalized, TimeWarning
from desktop.voice.call.setup import CallSetup

if TYPE_CHECKING:
    from desktop.partner.conversation import SpeechSynth

REPLY_TIMEOUT_S = 60.0
GREETING_WAIT_S = 4.0  # how long a typed turn waits for the agent's greeting before the trainee opens
STUCK_CLOSE_S = 10.0  # after we hang up on a stuck agent, how long the call has to close


class TypedTurns:
    """A call listener that sends the next typed turn each time the agent finishes a reply, and hangs up once the
    last one is answered. It also hands every event to the printer."""

    def __init__(self, turns: Sequence[str], printer: CallPrinter) -> None:
        self.call: Call | None = None
        self._turns = list(turns)
        self._printer = printer
        self._waiting_for_reply = False
        self._lock = threading.Lock()
        self.seller_lines = 0  # the agent's lines so far (the seller's, or the coach's)
        self.seller_lines_at_wav_end = 0
        self.last_line_is_sellers = False  # the newest final line: the trainee's last turn has been answered
        self._greeting_timer: threading.Timer | None = None

    def __call__(self, event: CallEvent) -> None:
        self._printer.event(event)
        if isinstance(event, LineFinalized):
            self.last_line_is_sellers = event.line.speaker is not Speaker.TRAINEE
            self.seller_lines += self.last_line_is_sellers
        if self.call is None or not isinstance(event, (Connected, LineFinalized)):
            return
        if isinstance(event, LineFinalized) and event.line.speaker is Speaker.TRAINEE:
            return
        if isinstance(event, Connected):
            # The agent normally speaks first and the first turn follows the greeting; an agent with no first
            # message would wait forever, so the trainee opens after a short silence.
            self._greeting_timer = threading.Timer(GREETING_WAIT_S, self._open_if_silent)
            self._greeting_timer.daemon = True
            self._greeting_timer.start()
            return
        self._next_turn()

    def _open_if_silent(self) -> None:
        if self.seller_lines == 0:
            self._next_turn()

    def cancel(self) -> None:
        if self._greeting_timer is not None:
            self._greeting_timer.cancel()

    def _next_turn(self) -> None:
        assert self.call is not None
        with self._lock:
            if not self._turns and not self._waiting_for_reply:
                return  # a voice call (--mic-wav): nothing typed to send
            if not self._turns:
                if self._waiting_for_reply:  # the last turn has its answer
                    self._waiting_for_reply = False
                    self.call.hang_up()
                return
            self.call.send_text(self._turns.pop(0))
            self._waiting_for_reply = True


class CallPrinter:
    """Prints the conversation as it happens ("You: ...", "Seller: ..."); silent with `quiet` (--json)."""

    def __init__(self, quiet: bool, agent_label: str = "Seller") -> None:
        self._quiet = quiet
        self._agent_label = agent_label

    def event(self, event: CallEvent) -> None:
        if self._quiet:
            return
        if isinstance(event, Connected):
            print("Connected.", flush=True)
        elif isinstance(event, LineFinalized):
            who = "You" if event.line.speaker is Speaker.TRAINEE else self._agent_label
            print(f"{who}: {event.line.text}", flush=True)
        elif isinstance(event, TimeWarning):
            print(f"-- {int(event.remaining_s // 60)} minutes left --", flush=True)
        elif isinstance(event, CallEnded):
            print(f"Call ended ({event.outcome.end_reason.value}).", flush=True)


def read_turns(say: Sequence[str], script: str | None) -> list[str]:
    """The trainee's typed turns: each --say, then the script file's lines (blank lines and # comments skipped)."""
    turns = [t.strip() for t in say if t.strip()]
    if script:
        try:
            text = Path(script).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read the script {script}: {exc}") from exc
        turns += [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return turns


def max_seconds(requested: int | None, settings: app_settings.Settings) -> float | None:
    if requested:
        return float(requested)
    return settings.max_session_minutes * 60.0 if settings.max_session_minutes else None


def wait_budget(setup: CallSetup, turns: Sequence[str]) -> float:
    """Long enough for every turn's reply (or the time limit), so a dead agent cannot hang the command."""
    budget = REPLY_TIMEOUT_S * (len(turns) + 2)
    if setup.max_seconds:
        budget = min(budget, setup.max_seconds + 30.0) if turns else setup.max_seconds + 30.0
    return budget


def hang_up_if_stuck(call: Call, outcome: CallOutcome | None) -> CallOutcome | None:
    """When the wait ran out (a stuck agent), hang up ourselves and give the call a moment to close."""
    if outcome is None:
        call.hang_up()
        outcome = call.wait_ended(STUCK_CLOSE_S)
    return outcome


def start_partner(stack: ExitStack, catalog, speech: SpeechSynth | None = None) -> str:
    """Starts the embedded practice partner for this command (stopped when `stack` closes); its base URL.
    `speech`: the partner's voice (see `system_speech.partner_speech`); without one it is text-only."""
    from desktop.partner.server import PracticePartner

    partner = PracticePartner(catalog=catalog, speech=speech)
    url = partner.start()
    stack.callback(partner.stop)
    return url

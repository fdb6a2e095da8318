"""How a call's end is read: the end-reason table, and what one trainee turn does to the rule-played seller."""

from __future__ import annotations

import pytest

from desktop.core.vocabulary import EndReason
from desktop.partner.seller.cues import read_turn
from desktop.partner.seller.scoring import score_turn
from desktop.voice.agent.connection_end import ConnectionEnd, EndKind
from desktop.voice.call.end_reason import session_end

DROPPED = ConnectionEnd(EndKind.CONNECTION_LOST, "The call dropped.")


@pytest.mark.parametrize(
    ("end", "hangup", "connected", "expected"),
    [
        (ConnectionEnd(EndKind.AGENT_ENDED, ""), None, True, (EndReason.AGENT_HANGUP, "completed", "")),
        (ConnectionEnd(EndKind.USER_CLOSED, ""), None, True, (EndReason.USER_HANGUP, "completed", "")),
        (DROPPED, None, True, (EndReason.CONNECTION_LOST, "interrupted", "The call dropped.")),
        (ConnectionEnd(EndKind.SERVER_ERROR, "Bad agent."), None, True, (EndReason.ERROR, "interrupted", "Bad agent.")),
        (ConnectionEnd(EndKind.CONNECT_FAILED, "No network."), None, False, (EndReason.ERROR, "failed", "No network.")),
        # A hang-up that came first wins over how the socket closed afterwards.
        (DROPPED, (EndReason.TIME_LIMIT, "Time is up."), True, (EndReason.TIME_LIMIT, "completed", "Time is up.")),
        (DROPPED, (EndReason.ERROR, "Mic unplugged."), True, (EndReason.ERROR, "interrupted", "Mic unplugged.")),
    ],
)
def test_session_end_table(end, hangup, connected, expected):
    assert session_end(end, hangup, connected) == expected


def _score(text: str, **overrides):
    context = {
        "turn_number": 3,
        "talked_over": False,
        "name_uses": 0,
        "answered": set(),
        "early_lowball": False,
        "busy_cold_call": False,
    }
    return score_turn(read_turn(text, "Walter"), **{**context, **overrides})


def test_good_technique_earns_goodwill_and_bad_technique_costs_patience():
    warm = _score("That sounds really hard, Walter. What has you thinking about selling?")
    assert warm.good > 1.0 and warm.weak == 0.0 and warm.used_name
    pushy = _score("This is my final offer, take it or leave it.")
    assert pushy.weak >= 1.0 and pushy.good < warm.good


def test_talking_over_the_seller_and_a_name_used_too_often_are_scored():
    assert _score("So what's your timeline?", talked_over=True).weak >= 1.0
    assert not _score("Walter, what's your timeline?", name_uses=3).used_name

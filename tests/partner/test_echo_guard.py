"""The echo guard's verdicts on words, with a line registered as playing: the seller's words coming back are echo, the
trainee's own words are not, and a garbled two-word fragment of the echo decides nothing until more is heard."""

from __future__ import annotations

from desktop.partner.echo import EchoGuard

LINE = "As far as utilities, there is power at the road but no water."


def guard_playing(line: str = LINE) -> EchoGuard:
    now = [100.0]
    guard = EchoGuard(clock=lambda: now[0])
    guard.playing(line, started=100.0, seconds=3.0)
    now[0] = 100.5
    return guard


def test_the_sellers_words_coming_back_are_echo_and_counted() -> None:
    guard = guard_playing()
    assert guard.is_echo("As far as utilities, there's power") is True
    assert guard.echo_turns == 1


def test_a_garbled_two_word_fragment_of_the_echo_decides_nothing_yet() -> None:
    # The first decode of the echo through laptop speakers: two words the seller never said.
    guard = guard_playing()
    assert guard.is_echo("As far as you cities") is None
    assert guard.echo_turns == 0


def test_three_words_of_the_trainees_own_clear_the_turn() -> None:
    guard = guard_playing()
    assert guard.is_echo("Doesn't the lot?") is None  # two words of its own: not yet
    assert guard.is_echo("Does the lot have water and electricity nearby?") is False


def test_a_final_decode_is_always_judged() -> None:
    guard = guard_playing()
    assert guard.is_echo("Wait, price?", final=True) is False
    assert guard.is_echo("utilities, power", final=True) is True

"""The word error rate counts words misheard, not words written another way: Whisper's "$40,000", "OK" and "I'm" are
the reference's "forty thousand dollars", "okay" and "I am"; a different word is still an error."""

from __future__ import annotations

import pytest

from tests.speech.scoring import corpus_error_rate, normalise, number_words, word_error_rate


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("I could offer you forty thousand dollars for the land", "I could offer you $40,000 for the land."),
        ("If I could close in two weeks", "If I could close in 2 weeks,"),
        ("Did I catch you at an okay time", "Did I catch you at an OK time?"),
        ("So what I am hearing is you would sell", "So what I'm hearing is you'd sell."),
        ("What happens if it does not sell this year", "What happens if it doesn't sell this year?"),
        ("It will not and I can not", "It won't, and I can't."),
        ("a follow up call", "A follow-up call."),
        ("ten percent down and one thousand two hundred fifty a month", "10% down and 1,250 a month"),
        ("about forty thousand", "Um, about 40k."),
    ],
)
def test_the_same_words_written_another_way_are_no_error(said: str, written: str) -> None:
    assert normalise(said) == normalise(written)
    assert word_error_rate(said, written) == 0.0


def test_a_misheard_word_is_still_an_error() -> None:
    assert word_error_rate("you would sell if the price was right", "You will tell if the price was right.") == 2 / 8
    assert word_error_rate("is this Dale", "this is Dale") == 2 / 3  # order counts
    assert normalise("Dale's land") == ["dale's", "land"]  # a possessive is not "Dale is"


def test_numbers_are_said_as_words() -> None:
    assert number_words(0) == "zero"
    assert number_words(45) == "forty five"
    assert number_words(1_250_000) == "one million two hundred fifty thousand"


def test_the_corpus_rate_weighs_each_line_by_its_words() -> None:
    pairs = [("one two three four five six seven eight nine ten", "one two three four five six seven eight nine ten"),
             ("yes", "no")]  # fmt: skip
    assert corpus_error_rate(pairs) == pytest.approx(1 / 11)  # the mean of the line rates would be 0.5

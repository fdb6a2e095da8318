"""Word error rate as speech recognition is scored: both texts brought to one written form first, so that a difference
in how a word is *written* is not counted as a word misheard. Whisper writes what it hears the way a transcriber
would ("$40,000", "OK", "I'm", "2 weeks"); the reference lines are written out in words. Each rule below says why.

`word_error_rate` is one utterance's rate (tests: "was this line heard well enough"); `corpus_error_rate` is the
benchmark figure: all errors over all reference words, so a short line weighs as much as its words, not as a long one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1000, "thousand"), (100, "hundred"))

# Contractions, spelt out: "I'm" and "I am" are the same words said two ways, and Whisper picks either. Only the
# unambiguous ones (and the pronoun "'s" = "is"): a possessive "Dale's" stays as it is. "'d" is "would" (what a
# trainee means in "I'd like", "you'd sell"); "had" is rare in these calls and is the same error on both sides.
_CONTRACTIONS = {
    "won't": "will not",
    "can't": "can not",
    "cannot": "can not",
    "shan't": "shall not",
    "let's": "let us",
    "ain't": "is not",
}
_SUFFIXES = (("n't", " not"), ("'re", " are"), ("'ve", " have"), ("'ll", " will"), ("'d", " would"), ("'m", " am"))
_IS_AFTER = frozenset("it that what there here he she who where how when".split())

# One spelling for words with several accepted ones ("OK"/"okay", "alright"/"all right"), so the choice is not an error.
_SPELLINGS = {"ok": "okay", "o.k.": "okay", "o.k": "okay", "alright": "all right", "gonna": "going to"}

# Hesitations Whisper sometimes writes and a reference never holds: they are not words of the message.
_FILLERS = frozenset("um umm uh uhh er erm hmm mm ah".split())

# A written amount: "$40,000", "40,000", "2", "3.5", "40k", "10%". Money and percent signs become words too.
_NUMBER = re.compile(r"(\$)?(\d[\d,]*(?:\.\d+)?)(k\b)?(%)?")


def number_words(value: int) -> str:
    """A whole number as it is said: 40000 -> "forty thousand", 1250 -> "one thousand two hundred fifty"."""
    if value < 20:
        return _ONES[value]
    if value < 100:
        tens, ones = divmod(value, 10)
        return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")
    for size, name in _SCALES:
        if value >= size:
            high, rest = divmod(value, size)
            return f"{number_words(high)} {name}" + (f" {number_words(rest)}" if rest else "")
    raise AssertionError(value)  # unreachable: every value >= 100 meets a scale


def _amount(match: re.Match[str]) -> str:
    dollar, digits, thousands, percent = match.groups()
    whole, _, fraction = digits.replace(",", "").partition(".")
    value = int(whole) * (1000 if thousands else 1)
    said = number_words(value) + (" point " + " ".join(_ONES[int(d)] for d in fraction) if fraction else "")
    return f" {said}{' percent' if percent else ''}{' dollars' if dollar else ''} "


def normalise(text: str) -> list[str]:
    """The words of `text` in one written form: lower case; numbers, money and percentages in words ("$40,000" and
    "forty thousand dollars", "2" and "two" are the same words); contractions spelt out; one spelling of "okay";
    hyphenated words split ("follow-up" / "follow up"); punctuation and hesitations ("um") dropped."""
    text = text.lower().replace("’", "'")
    for spelling, one in _SPELLINGS.items():
        text = re.sub(rf"(?<![\w.]){re.escape(spelling)}(?![\w])", one, text)
    text = _NUMBER.sub(_amount, text)
    text = text.replace("-", " ")
    words: list[str] = []
    for word in re.sub(r"[^a-z' ]+", " ", text).split():
        words.extend(_spelt_out(word.strip("'")).split())
    return [word for word in words if word and word not in _FILLERS]


def _spelt_out(word: str) -> str:
    if word in _CONTRACTIONS:
        return _CONTRACTIONS[word]
    if word.endswith("'s") and word[:-2] in _IS_AFTER:
        return f"{word[:-2]} is"
    for suffix, full in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            return word[: -len(suffix)] + full
    return word


def word_errors(reference: str, heard: str) -> tuple[int, int]:
    """(word edits from the reference to what was heard, reference words), both normalised."""
    ref, hyp = normalise(reference), normalise(heard)
    row = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, hyp_word in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ref_word != hyp_word))
    return row[len(hyp)], len(ref)


def word_error_rate(reference: str, heard: str) -> float:
    """One utterance: word edits over the reference's length, after `normalise`."""
    errors, words = word_errors(reference, heard)
    return errors / max(words, 1)


def corpus_error_rate(pairs: Iterable[tuple[str, str]]) -> float:
    """Many utterances, as recognition is reported: all word edits over all reference words."""
    errors = words = 0
    for reference, heard in pairs:
        made, said = word_errors(reference, heard)
        errors, words = errors + made, words + said
    return errors / max(words, 1)

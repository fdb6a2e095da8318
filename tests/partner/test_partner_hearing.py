"""The practice partner hears the trainee: real espeak-ng speech over a real socket to the partner's real recogniser.
Words grow as tentative transcripts and end as one user transcript the seller answers; silence and noise make no turn
and no phantom words; talking over the seller interrupts it and cuts its line to what was played; the seller's own
voice coming back into the microphone is not taken for the trainee."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from desktop.core.difficulty import Difficulty
from desktop.partner.conversation import SPOKEN_TURN_PLACEHOLDER
from desktop.partner.server import PracticePartner
from desktop.speech.recogniser import Recogniser
from desktop.speech.system_voice import find_speech_engine
from desktop.voice.agent.messages import (
    AgentResponseCorrection,
    AudioChunk,
    Interruption,
    TentativeUserTranscript,
    UserTranscript,
    VadScore,
)
from tests.partner.partner_kit import FAST, LONG_GREETING, Caller, config_for, new_caller, spoken, stream_audio
from tests.speech.spoken import SENTENCES, TRAINEE_LINES, room_noise, white_noise, word_error_rate

pytestmark = pytest.mark.timeout(90)


def pcm_silence(seconds: float) -> bytes:
    return bytes(int(seconds * 16000) * 2)


def without_trailing_quiet(pcm: bytes) -> bytes:
    """The clip up to its last 20 ms frame within 40 dB of its loudest."""
    samples = np.frombuffer(pcm, "<i2").astype(np.float64)
    frames = samples[: samples.size // 320 * 320].reshape(-1, 320)
    level = np.sqrt((frames**2).mean(axis=1)) + 1e-9
    last = int(np.nonzero(level > level.max() / 100)[0][-1])
    return pcm[: (last + 1) * 320 * 2]


def test_a_spoken_question_grows_on_screen_and_the_seller_answers_its_words(
    partner: PracticePartner, callers: list[Caller], speech_folder: Path
) -> None:
    caller = new_caller(callers).start(partner.http_url, config_for(Difficulty.ROOKIE), text_only=False)
    caller.wait_responses(1)
    # Two questions with a breath between (a turn of some 9 s), so that even a loaded machine decodes it as it grows.
    # The breath is 0.1 s after the first question's last sound: espeak-ng ends a clip with 0.3 s of quiet, and a gap
    # that long after a question would rightly end the turn (quick_end_ms) on a machine that decodes fast enough.
    question = f"{SENTENCES[3]}. {SENTENCES[0]}"  # water and power, or drill a well; and what is the price
    first = without_trailing_quiet(spoken(SENTENCES[3], speech_folder))
    audio = first + pcm_silence(0.1) + spoken(SENTENCES[0], speech_folder)
    stream_audio(caller, pcm_silence(0.4) + audio + pcm_silence(1.0))
    assert caller.wait(lambda: len(caller.responses()) >= 2, 30)
    (final,) = caller.of(UserTranscript)
    assert word_error_rate(question, final.text) <= 0.25, final.text
    tentatives = [m.text for m in caller.of(TentativeUserTranscript)]
    assert len(tentatives) >= 2 and len(tentatives[-1].split()) > len(tentatives[0].split()), tentatives  # growing
    assert all(m.event_id == final.event_id for m in caller.of(TentativeUserTranscript))
    answer = caller.responses()[1].lower()
    assert any(word in answer for word in ("water", "power", "well", "utilit")), answer
    assert "$" in answer or "asking" in answer or "offer" in answer or "number" in answer, answer  # both parts
    scores = [m.score for m in caller.of(VadScore)]
    assert max(scores) > 0.8 and min(scores) < 0.2
    record = partner.conversations()[-1]
    assert record.lines[1] == ("trainee", final.text)


def test_silence_and_room_noise_make_no_turn_and_no_phantom_words(
    partner: PracticePartner, callers: list[Caller]
) -> None:
    caller = new_caller(callers).start(partner.http_url, config_for(Difficulty.ROOKIE), text_only=False)
    caller.wait_responses(1)
    noise = np.concatenate([room_noise(3, -30), white_noise(2, -35), room_noise(2, -20)]).astype("<i2").tobytes()
    stream_audio(caller, pcm_silence(2.0) + noise, speed=4.0)
    assert partner.wait_for(lambda calls: calls[-1].heard_s >= 8.9, 20)
    assert caller.say("Hi Dale, how many acres is it?")  # the partner is alive and answering
    assert caller.of(UserTranscript) == [] and caller.of(TentativeUserTranscript) == []
    assert partner.conversations()[-1].spoken_turns == 0


def test_a_turn_with_no_recogniser_says_so_instead_of_inventing_words(
    callers: list[Caller], speech_folder: Path
) -> None:
    with PracticePartner(options=FAST, model=None, hearing=False) as deaf:
        caller = new_caller(callers).start(deaf.http_url, config_for(Difficulty.ROOKIE), text_only=False)
        caller.wait_responses(1)
        stream_audio(caller, spoken(SENTENCES[0], speech_folder) + pcm_silence(1.0), speed=3.0)
        assert caller.wait(lambda: len(caller.responses()) >= 2, 20)
    assert [m.text for m in caller.of(UserTranscript)] == [SPOKEN_TURN_PLACEHOLDER]


@pytest.fixture
def speaking_partner(shared_recogniser: Recogniser):
    engine = find_speech_engine()
    assert engine is not None, "espeak-ng is in the project's apt list"
    with PracticePartner(options=FAST, model=None, recogniser=shared_recogniser, speech=engine.synth_for(None)) as p:
        yield p


def test_talking_over_the_seller_interrupts_it_and_cuts_its_line_to_what_was_played(
    speaking_partner: PracticePartner, callers: list[Caller], speech_folder: Path
) -> None:
    config = dataclasses.replace(config_for(Difficulty.ROOKIE), first_message=LONG_GREETING)
    caller = new_caller(callers).start(speaking_partner.http_url, config, text_only=False)
    assert caller.wait(lambda: bool(caller.of(AudioChunk)))
    stream_audio(caller, pcm_silence(1.5))  # the trainee listens for a moment, then talks over the seller
    stream_audio(caller, spoken(SENTENCES[5], speech_folder) + pcm_silence(1.2))
    assert caller.wait(lambda: bool(caller.of(UserTranscript)) and len(caller.responses()) >= 2, 20)
    (interruption,) = caller.of(Interruption)
    (correction,) = caller.of(AgentResponseCorrection)
    assert correction.original_text == LONG_GREETING
    cut = correction.corrected_text
    assert 0 < len(cut) < len(LONG_GREETING) / 2 and LONG_GREETING.startswith(cut), cut
    (turn,) = caller.of(UserTranscript)
    assert turn.event_id == interruption.event_id
    assert word_error_rate(SENTENCES[5], turn.text) <= 0.25, turn.text
    greeting_audio = sum(len(a.pcm) for a in caller.of(AudioChunk) if a.event_id == correction.event_id)
    assert greeting_audio < 8 * 32000  # the rest of the ~12 s line was never sent
    assert speaking_partner.conversations()[-1].lines[0] == ("seller", cut)


def test_the_sellers_own_voice_coming_back_through_the_microphone_is_not_heard(
    speaking_partner: PracticePartner, callers: list[Caller]
) -> None:
    """Laptop speakers: whatever the seller says reaches the microphone 15 dB down and 150 ms late."""
    config = dataclasses.replace(config_for(Difficulty.ROOKIE), first_message=LONG_GREETING)
    caller = new_caller(callers).start(speaking_partner.http_url, config, text_only=False)
    assert caller.wait(lambda: bool(caller.of(AudioChunk)))
    assert caller.wait(lambda: caller.ends or speaking_partner.conversations()[-1].lines, 5)
    played = bytearray(pcm_silence(0.15))
    sent = 0
    # Echo every chunk the seller sent back at the pace it plays, until the line and its echo are over.
    while True:
        audio = b"".join(a.pcm for a in caller.of(AudioChunk))
        if sent >= len(audio) + 32000:
            break
        played += audio[len(played) - 4800 :] if len(audio) > len(played) - 4800 else b""
        piece = bytes(played[sent : sent + 3200]).ljust(3200, b"\0")
        echo = (np.frombuffer(piece, dtype="<i2") * 0.18).astype("<i2").tobytes()
        stream_audio(caller, echo)
        sent += 3200
    assert speaking_partner.wait_for(lambda calls: calls[-1].heard_s >= sent / 32000 - 0.05)
    assert caller.say("How many acres is it?")  # everything before this has been taken in
    assert caller.of(Interruption) == [] and caller.of(UserTranscript) == []
    record = speaking_partner.conversations()[-1]
    assert record.echo_turns >= 1  # it did hear something, and knew it for its own voice


def test_a_two_minute_monologue_is_cut_into_turns_and_the_partner_keeps_up(
    partner: PracticePartner, callers: list[Caller], speech_folder: Path
) -> None:
    """Nobody pauses for two minutes: the turn is cut at its 30 s cap, each piece is heard, and the call goes on."""
    caller = new_caller(callers).start(partner.http_url, config_for(Difficulty.ROOKIE), text_only=False)
    caller.wait_responses(1)
    monologue = b""
    for text in (*TRAINEE_LINES, *SENTENCES, *TRAINEE_LINES[::-1]):  # some 2 min, no pause long enough to end a turn
        monologue += spoken(text, speech_folder, words_per_minute=150) + pcm_silence(0.2)
    stream_audio(caller, monologue + pcm_silence(1.2), speed=6.0)
    assert partner.wait_for(lambda calls: calls[-1].spoken_turns >= 4, 60)
    heard = [m.text for m in caller.of(UserTranscript)]
    said = sum(len(text.split()) for text in (*TRAINEE_LINES, *SENTENCES, *TRAINEE_LINES))
    assert len(heard) >= 4 and max(len(text.split()) for text in heard) >= 40, heard  # pieces cut at the cap
    assert sum(len(text.split()) for text in heard) >= 0.8 * said  # and nothing lost between them
    assert caller.say("How many acres is it?")  # still answering

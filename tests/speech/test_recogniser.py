"""The on-device recogniser on real espeak-ng speech, clean and in noise; no words from silence or noise; a missing or
damaged model; the bounded worker pool."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from desktop.speech.models import shipped_model_dir
from desktop.speech.recogniser import ModelUnavailable, Recogniser, RecognitionBusy, RecognitionPool
from tests.speech.spoken import SENTENCES, room_noise, silence, speak, white_noise, with_noise, word_error_rate

MILLER_ROAD = "I would like to ask about your land on Miller Road, what are you hoping to get for it"


def pcm(samples: np.ndarray) -> bytes:
    return samples.astype("<i2").tobytes()


def test_clean_speech_is_recognised(recogniser: Recogniser, speech_dir: Path) -> None:
    heard = recogniser.transcribe(pcm(speak(MILLER_ROAD, speech_dir)))
    assert word_error_rate(MILLER_ROAD, heard.text) <= 0.25, heard
    assert "miller road" in heard.text.lower()
    assert 4.0 < heard.duration < 7.0
    assert heard.no_speech_prob < 0.6 and heard.avg_logprob > -1.0


def test_speech_in_room_noise_is_recognised(recogniser: Recogniser, speech_dir: Path) -> None:
    noisy = with_noise(speak(MILLER_ROAD, speech_dir, voice="en-us+m3", words_per_minute=170), snr_db=25)
    heard = recogniser.transcribe(pcm(noisy))
    assert word_error_rate(MILLER_ROAD, heard.text) <= 0.25, heard


def test_several_sentences_and_voices_stay_accurate(recogniser: Recogniser, speech_dir: Path) -> None:
    rates = [
        word_error_rate(text, recogniser.transcribe(pcm(with_noise(speak(text, speech_dir, voice), 20))).text)
        for text, voice in zip(SENTENCES[1:], ["en-us", "en-gb", "en-us+f3", "en-us", "en-gb-x-rp"], strict=True)
    ]
    assert float(np.mean(rates)) <= 0.25, rates


def test_a_one_word_answer_is_kept(recogniser: Recogniser, speech_dir: Path) -> None:
    heard = recogniser.transcribe(pcm(np.concatenate([silence(0.3), speak("yes", speech_dir), silence(0.3)])))
    assert heard.text.lower().strip(".!?") == "yes"


def test_silence_gives_no_words(recogniser: Recogniser) -> None:
    heard = recogniser.transcribe(pcm(silence(3.0)))
    assert heard.text == "" and not heard.heard


@pytest.mark.parametrize("noise", ["white", "room", "burst"])
def test_noise_gives_no_words(recogniser: Recogniser, noise: str) -> None:
    samples = {
        "white": white_noise(3.0, dbfs=-25),
        "room": room_noise(3.0, dbfs=-30),
        "burst": np.concatenate([silence(1.0), white_noise(0.4, dbfs=-20), silence(1.0)]),
    }[noise]
    heard = recogniser.transcribe(pcm(samples))
    assert heard.text == ""
    # The model did produce something (the phantom "you" or "."), and the gate is what withheld it.
    assert heard.no_speech_prob > 0.6 or heard.avg_logprob < -1.0
    assert heard.withheld


def test_missing_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match=r"cannot be used: the folder .*nowhere does not exist"):
        Recogniser.load(tmp_path / "nowhere", fallback=False)


def damaged_copy(tmp_path: Path) -> Path:
    shipped = shipped_model_dir()
    assert shipped is not None
    folder = tmp_path / "damaged"
    shutil.copytree(shipped, folder)
    with (folder / "model.bin").open("r+b") as weights:
        weights.truncate(30_000_000)
    return folder


def test_damaged_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="is damaged and could not be loaded.*Download it again"):
        Recogniser.load(damaged_copy(tmp_path), fallback=False)


def test_model_folder_missing_a_file_is_a_clear_error(tmp_path: Path) -> None:
    folder = damaged_copy(tmp_path)
    (folder / "tokenizer.json").unlink()
    with pytest.raises(ModelUnavailable, match="tokenizer.json is missing"):
        Recogniser.load(folder, fallback=False)


def test_damaged_model_falls_back_to_the_shipped_one(tmp_path: Path, speech_dir: Path) -> None:
    loaded = Recogniser.load(damaged_copy(tmp_path))
    assert loaded.model_dir == shipped_model_dir()
    assert "damaged" in loaded.fallback_reason
    assert "miller road" in loaded.transcribe(pcm(speak(MILLER_ROAD, speech_dir))).text.lower()


def test_shipped_model_loads_without_a_fallback_reason(recogniser: Recogniser) -> None:
    assert recogniser.model_dir == shipped_model_dir() and recogniser.fallback_reason == ""


def test_pool_decodes_off_the_callers_thread(recogniser: Recogniser, speech_dir: Path) -> None:
    caller = threading.current_thread()
    worker_threads = []

    class Watching(Recogniser):
        def transcribe(self, pcm16_mono_16k: bytes, *, prompt: str | None = None, beam_size: int = 1):
            worker_threads.append(threading.current_thread())
            return super().transcribe(pcm16_mono_16k, prompt=prompt, beam_size=beam_size)

    watched = Watching(recogniser._model, recogniser.model_dir, cpu_threads=2, gate=recogniser.gate)
    with RecognitionPool(watched) as pool:
        heard = pool.submit(pcm(speak(SENTENCES[1], speech_dir))).result(timeout=30)
    assert word_error_rate(SENTENCES[1], heard.text) <= 0.25
    assert worker_threads and worker_threads[0] is not caller


def test_pool_is_bounded(recogniser: Recogniser, speech_dir: Path) -> None:
    long_turn = pcm(np.concatenate([speak(text, speech_dir) for text in SENTENCES[:4]]))
    with RecognitionPool(recogniser, max_pending=1) as pool:
        first = pool.submit(long_turn)
        with pytest.raises(RecognitionBusy):
            pool.submit(long_turn)
        assert first.result(timeout=60).text
        # The slot is free again once the first decode finished.
        assert pool.submit(pcm(silence(1.0))).result(timeout=30).text == ""


def test_concurrent_callers_each_get_their_own_words(recogniser: Recogniser, speech_dir: Path) -> None:
    audio = {text: pcm(speak(text, speech_dir)) for text in SENTENCES[:4]}
    with RecognitionPool(recogniser, max_workers=2, max_pending=4) as pool:
        futures = {text: pool.submit(clip) for text, clip in audio.items()}
        rates = {text: word_error_rate(text, future.result(timeout=60).text) for text, future in futures.items()}
    assert max(rates.values()) <= 0.3, rates


def test_closed_pool_takes_no_more_work(recogniser: Recogniser) -> None:
    pool = RecognitionPool(recogniser)
    pool.close()
    with pytest.raises(RuntimeError, match="closed"):
        pool.submit(pcm(silence(1.0)))

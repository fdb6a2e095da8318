"""The audio path's logic without a sound card: jitter buffer and interruption by event id, playout timing reports,
resampling, levels, voice activity, the echo guard and the device rules. The call recorder:
tests/voice/test_recorder.py."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.voice.audio.devices import (
    NO_MICROPHONE,
    AudioDeviceError,
    choose_rate,
    find_device,
    list_devices,
    stream_time_to_monotonic,
)
from desktop.voice.audio.jitter import ChunkStart, JitterBuffer
from desktop.voice.audio.resample import StreamResampler, apply_gain_ramp, pcm16_samples, rms_level
from desktop.voice.audio.streams import ECHO_GUARD_GAIN, ECHO_GUARD_RELEASE, CaptureChain, Playout
from desktop.voice.audio.vad import EnergyVad, SpeechSegment, VadSettings
from tests.pcm import RATE, chunk_of, dominant_frequency, tone

# --- jitter buffer ----------------------------------------------------------------------------------------------------


def test_jitter_buffer_reads_across_chunks_and_marks_where_each_started() -> None:
    buffer = JitterBuffer(RATE * 2)
    buffer.push(chunk_of(1, 3), event_id=1)
    buffer.push(chunk_of(2, 3), event_id=1)
    data, starts = buffer.read(8)  # 4 samples: all of the first chunk, one of the second
    assert pcm16_samples(data).tolist() == [1, 1, 1, 2]
    assert starts == [ChunkStart(0, 1), ChunkStart(6, 1)]
    data, starts = buffer.read(8)
    assert pcm16_samples(data).tolist() == [2, 2]  # runs short rather than waiting
    assert starts == []
    assert buffer.queued_bytes == 0


def test_interruption_drops_everything_queued_at_once() -> None:
    buffer = JitterBuffer(RATE * 2)
    buffer.push(tone(0.5), event_id=3)
    buffer.push(tone(0.5), event_id=3)
    dropped = buffer.interrupt(4)
    assert dropped == 2 * len(tone(0.5))
    assert buffer.queued_bytes == 0
    assert buffer.read(640) == (b"", [])


def test_after_interruption_older_audio_is_refused_and_equal_or_newer_plays() -> None:
    buffer = JitterBuffer(RATE * 2)
    buffer.interrupt(4)
    assert not buffer.push(chunk_of(3, 10), event_id=3)  # late audio of the interrupted turn
    assert buffer.push(chunk_of(4, 10), event_id=4)  # the reply may carry the interruption's own id
    assert buffer.push(chunk_of(5, 10), event_id=5)
    assert buffer.dropped_stale == 1
    data, starts = buffer.read(40)
    assert set(pcm16_samples(data).tolist()) == {4, 5}
    assert [start.event_id for start in starts] == [4, 5]


def test_an_older_interruption_does_not_lower_the_bar() -> None:
    buffer = JitterBuffer(RATE * 2)
    buffer.interrupt(7)
    buffer.interrupt(5)
    assert buffer.interrupted_before == 7
    assert not buffer.push(chunk_of(1, 4), event_id=6)


def test_jitter_buffer_refuses_beyond_its_limit_and_trims_odd_bytes() -> None:
    buffer = JitterBuffer(RATE * 2, max_seconds=0.01)  # 320 bytes
    assert buffer.push(b"\x01\x00\x02", event_id=1)  # the odd byte cannot be a sample
    assert buffer.queued_bytes == 2
    assert not buffer.push(bytes(400), event_id=1)
    assert buffer.dropped_overflow == 1


# --- playout ----------------------------------------------------------------------------------------------------------


class PlayoutLog:
    def __init__(self) -> None:
        self.first: list[tuple[int, float]] = []
        self.played: list[tuple[bytes, float]] = []
        self.speaking: list[bool] = []

    def playout(self, bytes_per_second: int = RATE * 2) -> Playout:
        return Playout(
            JitterBuffer(bytes_per_second),
            on_first_sample=lambda event_id, when: self.first.append((event_id, when)),
            on_played=lambda pcm, when: self.played.append((pcm, when)),
            on_speaking=self.speaking.append,
        )


def test_playout_reports_each_turns_first_sample_at_its_device_time() -> None:
    log = PlayoutLog()
    playout = log.playout()
    playout.push(chunk_of(1, 100), event_id=1)  # 100 samples: the turn starts in the first block
    playout.push(chunk_of(2, 100), event_id=2)  # ...and the next turn 100 samples (6.25 ms) into the second
    block = playout.next_block(320, now=10.0, dac=10.02)
    assert len(block) == 320  # padded to what the device asked for
    assert log.first == [(1, 10.02), (2, pytest.approx(10.02 + 100 / RATE))]
    assert log.played == [(chunk_of(1, 100) + chunk_of(2, 60), 10.02)]  # only real audio, no padding
    assert log.speaking == [True]


def test_playout_is_idle_only_once_the_last_sample_has_left_the_device() -> None:
    log = PlayoutLog()
    playout = log.playout()
    playout.push(chunk_of(1, 160), event_id=1)
    assert not playout.idle.is_set()
    playout.next_block(320, now=1.0, dac=1.03)  # the audio plays from 1.03 to 1.04
    playout.next_block(320, now=1.01, dac=1.04)
    assert not playout.idle.is_set() and playout.speaking
    playout.next_block(320, now=1.04, dac=1.07)
    assert playout.idle.is_set()
    assert log.speaking == [True, False]


def test_playout_interrupt_drops_the_queue_and_announces_a_reply_with_the_same_id() -> None:
    log = PlayoutLog()
    playout = log.playout()
    playout.push(chunk_of(1, 160), event_id=4)
    playout.next_block(320, now=0.0, dac=0.0)
    playout.push(chunk_of(1, 3200), event_id=4)
    assert playout.interrupt(4) == 6400
    playout.push(chunk_of(2, 160), event_id=4)
    block = playout.next_block(640, now=0.02, dac=0.04)
    assert pcm16_samples(block)[:160].tolist() == [2] * 160
    assert [event_id for event_id, _ in log.first] == [4, 4]


# --- resampling and levels --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), [(48000, 16000), (44100, 16000), (16000, 24000), (22050, 44100)])
def test_resampling_keeps_pitch_and_length(source: int, target: int) -> None:
    resampler = StreamResampler(source, target)
    audio = tone(1.0, 440.0, rate=source)
    chunk = source // 50 * 2  # 20 ms chunks, as the device delivers them
    out = b"".join(resampler.process(audio[i : i + chunk]) for i in range(0, len(audio), chunk))
    held_back = len(out) // 2
    out += resampler.flush()  # the tail the resampler holds until more audio comes (at most about 40 ms)
    assert target - 0.045 * target <= held_back < len(out) // 2
    assert abs(len(out) // 2 - target) <= 2
    assert dominant_frequency(out, target) == pytest.approx(440.0, abs=3.0)


def test_resampling_in_chunks_matches_one_pass_so_chunk_edges_do_not_click() -> None:
    audio = tone(0.5, 300.0, rate=44100)
    whole = pcm16_samples(StreamResampler(44100, 16000).process(audio, last=True)).astype(int)
    chunked_resampler = StreamResampler(44100, 16000)
    pieces = [audio[i : i + 882] for i in range(0, len(audio), 882)]
    chunked = b"".join(chunked_resampler.process(piece) for piece in pieces) + chunked_resampler.flush()
    chunked = pcm16_samples(chunked).astype(int)
    size = min(whole.size, chunked.size)
    assert size > 7900
    assert np.max(np.abs(whole[:size] - chunked[:size])) <= 2


def test_downsampling_filters_what_the_new_rate_cannot_carry() -> None:
    # 12 kHz is above 16 kHz's Nyquist limit: unfiltered it would fold back to an audible 4 kHz whistle.
    out = StreamResampler(48000, 16000).process(tone(0.5, 12000.0, rate=48000), last=True)
    assert rms_level(out) < 0.05 * rms_level(tone(0.5, 12000.0, rate=48000))


def test_levels() -> None:
    assert rms_level(bytes(640)) == 0.0
    assert rms_level(b"") == 0.0
    assert rms_level(tone(0.1, amplitude=32767)) == pytest.approx(0.707, abs=0.01)
    assert rms_level(chunk_of(-32768, 100)) == 1.0


def test_gain_ramp_moves_smoothly_between_gains() -> None:
    ramped = pcm16_samples(apply_gain_ramp(chunk_of(10000, 100), 1.0, 0.1))
    assert ramped[0] == 10000 and 1000 < ramped[-1] < 1200
    assert np.all(np.diff(ramped.astype(int)) <= 0)
    assert apply_gain_ramp(chunk_of(5, 4), 1.0, 1.0) == chunk_of(5, 4)


def test_stream_time_conversion() -> None:
    info = {"current_time": 1000.0, "input_buffer_adc_time": 999.97}
    assert stream_time_to_monotonic(999.97, info, now=50.0) == pytest.approx(49.97)
    assert stream_time_to_monotonic(0.0, info, now=50.0) is None  # host API gave no time
    assert stream_time_to_monotonic(5000.0, info, now=50.0) is None  # nonsense


# --- voice activity ---------------------------------------------------------------------------------------------------


def feed(vad: EnergyVad, levels: list[float], chunk: float = 0.02) -> list[SpeechSegment]:
    segments = []
    for index, level in enumerate(levels):
        segment = vad.process(level, index * chunk, chunk)
        if segment is not None:
            segments.append(segment)
    return segments


def test_vad_finds_speech_with_its_start_and_end() -> None:
    levels = [0.001] * 50 + [0.1] * 50 + [0.001] * 50  # 1 s quiet, 1 s speech, 1 s quiet
    segments = feed(EnergyVad(), levels)
    assert segments == [SpeechSegment(pytest.approx(1.0), pytest.approx(2.0))]


def test_vad_hangover_bridges_pauses_between_words_but_not_between_sentences() -> None:
    word = [0.1] * 15
    levels = [0.001] * 20 + word + [0.001] * 10 + word + [0.001] * 40 + word + [0.001] * 40
    segments = feed(EnergyVad(VadSettings(hangover=0.35)), levels)
    assert len(segments) == 2  # the 200 ms pause is inside a sentence, the 800 ms pause ends it
    assert segments[0].start == pytest.approx(0.4) and segments[0].end == pytest.approx(1.2)


def test_vad_ignores_a_click_and_a_steady_background() -> None:
    vad = EnergyVad()
    levels = [0.04] * 100 + [0.3] + [0.04] * 100  # a fan at 0.04 and one 20 ms click
    assert feed(vad, levels) == []
    assert vad.noise_level == pytest.approx(0.04)
    assert vad.finish() is None


def test_vad_closes_the_open_segment_when_the_mic_stops() -> None:
    vad = EnergyVad()
    feed(vad, [0.001] * 10 + [0.1] * 20)
    assert vad.current_start() == pytest.approx(0.2)
    assert vad.finish() == SpeechSegment(pytest.approx(0.2), pytest.approx(0.6))
    assert vad.segments() == [SpeechSegment(pytest.approx(0.2), pytest.approx(0.6))]


# --- capture chain: mute, echo guard, resampling ----------------------------------------------------------------------


def test_muted_mic_sends_silence_of_the_same_length() -> None:
    chain = CaptureChain(RATE, RATE)
    chain.muted = True
    pcm, _ = chain.process(tone(0.02), captured_at=1.0, now=1.0)
    assert pcm == bytes(len(tone(0.02)))
    assert chain.level == 0.0


def test_echo_guard_ducks_while_the_agent_speaks_and_for_a_moment_after() -> None:
    chain = CaptureChain(RATE, RATE, echo_guard=True)
    loud = rms_level(tone(0.02))
    chain.set_agent_speaking(True, now=0.0)
    chain.process(tone(0.02), 0.0, now=0.0)  # ramps down over this chunk
    chain.process(tone(0.02), 0.02, now=0.02)
    assert chain.level == pytest.approx(loud * ECHO_GUARD_GAIN, rel=0.05)
    chain.set_agent_speaking(False, now=0.04)
    chain.process(tone(0.02), 0.04, now=0.04 + ECHO_GUARD_RELEASE / 2)
    assert chain.level == pytest.approx(loud * ECHO_GUARD_GAIN, rel=0.05)  # still releasing
    chain.process(tone(0.02), 0.06, now=0.04 + ECHO_GUARD_RELEASE + 0.01)  # ramps back up over this chunk
    chain.process(tone(0.02), 0.08, now=0.04 + ECHO_GUARD_RELEASE + 0.03)
    assert chain.level == pytest.approx(loud, rel=0.01)


def test_without_echo_guard_agent_speech_changes_nothing() -> None:
    chain = CaptureChain(RATE, RATE)
    chain.set_agent_speaking(True, now=0.0)
    pcm, _ = chain.process(tone(0.02), 0.0, now=0.0)
    assert pcm == tone(0.02)


def test_capture_chain_resamples_a_48k_device_to_the_negotiated_rate() -> None:
    chain = CaptureChain(48000, RATE)
    out = b"".join(chain.process(tone(0.02, rate=48000), i * 0.02, i * 0.02)[0] for i in range(50))
    # The resampler holds back the last stretch (at most about 40 ms) until the next chunks push it out.
    assert RATE - 0.045 * RATE <= len(out) // 2 <= RATE


def test_capture_chain_reports_speech_in_seconds_since_the_mic_started() -> None:
    chain = CaptureChain(RATE, RATE, started_at=100.0)
    segments = []
    for index in range(100):
        at = 100.0 + index * 0.02
        pcm = tone(0.02) if 25 <= index < 50 else bytes(640)
        _, segment = chain.process(pcm, at, at)
        if segment:
            segments.append(segment)
    assert segments == [SpeechSegment(pytest.approx(0.5), pytest.approx(1.0))]


class FakePortAudio:
    """PortAudio's device queries, as PyAudio answers them, for a machine of our choosing."""

    def __init__(self, devices: list[dict], default_input: int | None, rates: set[int]) -> None:
        self.devices = devices
        self.default_input = default_input
        self.rates = rates

    def get_default_host_api_info(self) -> dict:
        return {"index": 0}

    def get_device_count(self) -> int:
        return len(self.devices)

    def get_device_info_by_index(self, index: int) -> dict:
        return self.devices[index]

    def get_default_input_device_info(self) -> dict:
        if self.default_input is None:
            raise OSError("No Default Input Device Available")
        return self.devices[self.default_input]

    def is_format_supported(self, rate: int, **kwargs: object) -> bool:
        if rate not in self.rates:
            raise ValueError("Invalid sample rate")  # PyAudio raises rather than answering False
        return True


def device(index: int, name: str, inputs: int = 2, host_api: int = 0, rate: int = 48000) -> dict:
    return {
        "index": index,
        "name": name,
        "maxInputChannels": inputs,
        "maxOutputChannels": 2,
        "defaultSampleRate": float(rate),
        "hostApi": host_api,
    }


def test_microphones_are_listed_default_first_from_the_default_host_api_only() -> None:
    pa = FakePortAudio(
        [
            device(0, "HDMI Out", inputs=0),
            device(1, "USB Headset"),
            device(2, "Built-in Mic"),
            device(3, "USB Headset", host_api=1),
        ],
        default_input=2,
        rates={48000},
    )
    names = [d.name for d in list_devices(pa, is_input=True)]
    assert names == ["Built-in Mic", "USB Headset"]
    assert find_device(pa, "usb headset", is_input=True).index == 1
    assert find_device(pa, "", is_input=True).name == "Built-in Mic"


def test_no_microphone_at_all_is_said_plainly() -> None:
    pa = FakePortAudio([device(0, "HDMI Out", inputs=0)], default_input=None, rates={48000})
    with pytest.raises(AudioDeviceError) as caught:
        find_device(pa, None, is_input=True)
    assert caught.value.message == NO_MICROPHONE


def test_a_device_that_cannot_run_at_the_agents_rate_opens_at_its_own_and_is_resampled() -> None:
    pa = FakePortAudio([device(0, "Studio Mic", rate=44100)], default_input=0, rates={44100, 48000})
    mic = find_device(pa, "Studio Mic", is_input=True)
    assert choose_rate(pa, mic, 16000, is_input=True) == 44100
    assert choose_rate(FakePortAudio(pa.devices, 0, {16000, 44100}), mic, 16000, is_input=True) == 16000
    with pytest.raises(AudioDeviceError, match="Studio Mic"):
        choose_rate(FakePortAudio(pa.devices, 0, {11025}), mic, 16000, is_input=True)


def test_audio_device_error_keeps_words_and_detail_apart() -> None:
    error = AudioDeviceError("No microphone found. Plug one in or pick another in Settings.", detail="pa: -9996")
    assert str(error) == error.message and "pa:" not in str(error) and error.detail == "pa: -9996"

"""The OS speech engine as the practice partner's voice: real espeak-ng, real WAV parsing, a real partner socket."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import os
import signal
import stat
import subprocess
import sys
import wave
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from websockets.sync.client import ClientConnection, connect

from desktop.cli.doctor import OK, WARN, check_speech
from desktop.core.difficulty import Difficulty
from desktop.core.personas import load_builtin_personas
from desktop.core.prompts import build_agent_config
from desktop.core.scenarios import load_scenarios
from desktop.partner.host import app_partner_host
from desktop.partner.record import PartnerOptions
from desktop.partner.server import PracticePartner
from desktop.settings import Settings
from desktop.speech.system_voice import (
    EspeakBackend,
    SpeechEngine,
    SystemVoice,
    find_speech_engine,
    partner_speech,
    voice_style,
    wav_to_pcm16k,
)
from desktop.voice.audio.resample import rms_level

pytestmark = pytest.mark.timeout(60)

RATE = 16000
WAIT = 15.0
PERSONAS = {p.id: p for p in load_builtin_personas()}
DALE = PERSONAS["dale-pruitt-coal-county"]
ROSA = PERSONAS["rosa-delgado-bexar"]
COLD = next(s for s in load_scenarios() if s.id == "cold-call-first-contact")
LINE = "I'm not in any hurry to sell, but tell me what you have in mind for the place."
# Audio is sent far ahead of real time, so a test gets a whole line at once instead of waiting for it to "play".
FAST = PartnerOptions(reply_delay=0, ping_interval=30, audio_lead_s=120.0)


@pytest.fixture(scope="module")
def engine() -> SpeechEngine:
    found = find_speech_engine()
    if found is None:
        pytest.skip("no OS speech engine installed (on Linux: apt-get install espeak-ng, as `make system-deps` does)")
    return found


def seconds(pcm: bytes) -> float:
    return len(pcm) / (2 * RATE)


def same_voice(a: bytes, b: bytes) -> bool:
    """The same line in the same voice. Not byte for byte: espeak-ng 1.51's output varies slightly the first time it
    runs under a new HOME (it sets up a PulseAudio client even when writing a file)."""
    if len(a) != len(b) or not a:
        return False
    x, y = (np.frombuffer(pcm, dtype="<i2").astype(np.float64) for pcm in (a, b))
    return float(np.corrcoef(x, y)[0, 1]) > 0.95


def script(tmp_path: Path, name: str, body: str) -> str:
    """A stand-in engine binary: a shell script that misbehaves in one particular way."""
    path = tmp_path / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.endswith("system_voice") and r.levelno >= logging.WARNING]


# --- the engine -----------------------------------------------------------------------------------------------------


def test_the_engine_speaks_a_sentence_as_audible_16_khz_pcm_of_plausible_length(engine: SpeechEngine) -> None:
    pcm = engine.synthesize(LINE)
    assert len(pcm) % 2 == 0
    # 17 words at 130-200 words a minute is 5-8 s; allow for the engine's own pauses either side.
    assert 3.0 < seconds(pcm) < 12.0, seconds(pcm)
    assert rms_level(pcm) > 0.02
    spectrum = np.abs(np.fft.rfft(np.frombuffer(pcm, dtype="<i2").astype(np.float64)))
    frequencies = np.fft.rfftfreq(len(pcm) // 2, 1 / RATE)
    voice_band = spectrum[(frequencies > 80) & (frequencies < 4000)].sum()
    assert voice_band > 0.8 * spectrum.sum()  # a voice, not noise or a resampling artefact


def test_each_persona_keeps_one_voice_and_a_woman_does_not_sound_like_a_man(engine: SpeechEngine) -> None:
    assert not voice_style(DALE).female and voice_style(ROSA).female
    assert voice_style(DALE) == voice_style(PERSONAS[DALE.id])
    dale, rosa = engine.synth_for(DALE), engine.synth_for(ROSA)
    assert same_voice(dale(LINE), dale(LINE))
    assert not same_voice(rosa(LINE), dale(LINE))
    assert same_voice(engine.synth_for(None).for_persona(ROSA)(LINE), rosa(LINE))


def test_a_persona_voice_is_the_same_in_another_process() -> None:
    # str hashes are salted per process; a voice picked with hash() would change from one app start to the next.
    code = (
        "from desktop.core.personas import load_builtin_personas as l;"
        "from desktop.speech.system_voice import voice_style as v;"
        "print(repr([v(p) for p in l()]))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(runs) == 1
    assert runs.pop().strip() == repr([voice_style(p) for p in PERSONAS.values()])


def test_empty_text_is_not_sent_to_the_engine(engine: SpeechEngine) -> None:
    assert engine.synthesize("   \n ") == b""


@pytest.mark.parametrize(
    ("make_path", "reason"),
    [
        (lambda tmp: str(tmp / "no-such-espeak"), "could not be run"),
        (lambda tmp: "", "could not be run"),
        (lambda tmp: script(tmp, "fails", "echo 'voice not found' >&2; exit 3"), "exited with 3: voice not found"),
        (lambda tmp: script(tmp, "garbage", "cat /dev/urandom | head -c 5000"), "gave no usable audio"),
        (lambda tmp: script(tmp, "truncated", "printf 'RIFF'"), "gave no usable audio"),
    ],
    ids=["missing", "empty-path", "non-zero-exit", "garbage", "truncated"],
)
def test_a_broken_engine_gives_no_audio_and_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, make_path, reason: str
) -> None:
    caplog.set_level(logging.DEBUG)
    broken = SpeechEngine(EspeakBackend(make_path(tmp_path)))
    assert broken.synthesize(LINE) == b""
    assert broken.synthesize(LINE) == b""  # a second failing line is not warned about again
    (warning,) = warnings_of(caplog)
    assert reason in warning
    assert "hurry" not in caplog.text  # what the seller says never reaches the log


def test_an_engine_that_hangs_is_killed_at_the_timeout(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    hung = SpeechEngine(EspeakBackend(script(tmp_path, "hangs", "exec sleep 30")), timeout=0.5)
    assert hung.synthesize(LINE) == b""
    (warning,) = warnings_of(caplog)
    assert "took longer than 0.5 s" in warning


def test_no_engine_on_the_path_means_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_speech_engine("linux") is None
    assert partner_speech(Settings()) is None
    check = check_speech()
    assert check.status == WARN and "espeak-ng" in check.fix


def test_the_voice_follows_the_setting_and_doctor_reports_the_engine(engine: SpeechEngine) -> None:
    assert partner_speech(Settings(partner_voice=False)) is None
    voice = partner_speech(Settings())
    assert isinstance(voice, SystemVoice) and voice.engine.name == engine.name
    check = check_speech()
    assert check.status == OK and engine.backend.path in check.detail


def test_a_bundled_app_gives_the_engine_the_users_library_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop.speech import system_voice as system_speech

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    env = system_speech._system_program_env({"LD_LIBRARY_PATH": "/bundle/_internal", "LD_LIBRARY_PATH_ORIG": "/usr/x"})
    assert env == {"LD_LIBRARY_PATH": "/usr/x"}
    assert "LD_LIBRARY_PATH" not in system_speech._system_program_env({"LD_LIBRARY_PATH": "/bundle/_internal"})


# --- WAV parsing ----------------------------------------------------------------------------------------------------


def make_wav(rate: int, channels: list[np.ndarray], width: int = 2) -> bytes:
    stacked = np.stack(channels, axis=1)
    if width == 1:
        frames = (np.clip(stacked * 127, -128, 127) + 128).astype(np.uint8).tobytes()
    else:
        frames = (stacked * 32767).astype("<i2").tobytes()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(len(channels))
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(frames)
    return buffer.getvalue()


def tone(rate: int, hz: float, amplitude: float, duration: float = 1.0) -> np.ndarray:
    return amplitude * np.sin(2 * np.pi * hz * np.arange(int(rate * duration)) / rate)


def dominant_hz(pcm: bytes) -> float:
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    return float(np.fft.rfftfreq(samples.size, 1 / RATE)[np.argmax(np.abs(np.fft.rfft(samples)))])


def test_a_22_khz_mono_wav_is_resampled_to_16_khz_keeping_pitch_and_length() -> None:
    pcm = wav_to_pcm16k(make_wav(22050, [tone(22050, 440, 0.5)]))
    assert abs(len(pcm) // 2 - RATE) <= 2
    assert abs(dominant_hz(pcm) - 440) < 3
    assert rms_level(pcm) == pytest.approx(0.5 / np.sqrt(2), rel=0.03)


def test_a_stereo_wav_is_mixed_down_to_mono() -> None:
    left, right = tone(22050, 300, 0.6), np.zeros(22050)
    pcm = wav_to_pcm16k(make_wav(22050, [left, right]))
    assert abs(len(pcm) // 2 - RATE) <= 2  # one second of audio, not two
    assert abs(dominant_hz(pcm) - 300) < 3
    assert rms_level(pcm) == pytest.approx(0.3 / np.sqrt(2), rel=0.03)  # the average of the two sides


def test_16_khz_and_8_bit_wavs_are_read_too() -> None:
    same_rate = tone(RATE, 500, 0.25)
    assert np.array_equal(
        np.frombuffer(wav_to_pcm16k(make_wav(RATE, [same_rate])), dtype="<i2"), (same_rate * 32767).astype("<i2")
    )
    eight_bit = wav_to_pcm16k(make_wav(8000, [tone(8000, 400, 0.5)], width=1))
    assert abs(len(eight_bit) // 2 - RATE) <= 2 and abs(dominant_hz(eight_bit) - 400) < 3


def test_a_streamed_wav_with_placeholder_sizes_is_read_to_its_real_end() -> None:
    data = bytearray(make_wav(22050, [tone(22050, 440, 0.5, duration=0.5)]))
    data[4:8] = (0x7FFFFFFF).to_bytes(4, "little")  # what a writer that cannot seek back leaves in the header
    data[40:44] = (0x7FFFF000).to_bytes(4, "little")
    assert abs(len(wav_to_pcm16k(bytes(data))) // 2 - RATE // 2) <= 2


def test_bytes_that_are_not_a_wav_are_refused() -> None:
    with pytest.raises(ValueError):
        wav_to_pcm16k(b"not a wav file at all" * 10)


# --- the partner with a voice, over a real socket -------------------------------------------------------------------


@pytest.fixture
def voiced(engine: SpeechEngine) -> Iterator[PracticePartner]:
    with PracticePartner(options=FAST, model=None, speech=engine.synth_for(None), seed=5) as partner:
        yield partner


@contextlib.contextmanager
def open_call(partner: PracticePartner, *, text_only: bool, persona=ROSA) -> Iterator[tuple[ClientConnection, str]]:
    """A raw protocol client: the socket and the greeting the client asked for."""
    config = build_agent_config(persona, COLD, Difficulty.ROOKIE, "Sam")
    override: dict = {"agent": {"prompt": {"prompt": config.system_prompt}, "first_message": config.first_message}}
    if text_only:
        override["conversation"] = {"text_only": True}
    with connect(f"{partner.ws_url}/v1/convai/conversation?agent_id=practice-partner", open_timeout=WAIT) as ws:
        ws.send(
            json.dumps(
                {
                    "type": "conversation_initiation_client_data",
                    "conversation_config_override": override,
                    "dynamic_variables": config.dynamic_variables,
                }
            )
        )
        yield ws, config.first_message


def frames_until_responses(ws: ClientConnection, count: int) -> list[dict]:
    """Every frame up to and including the `count`-th agent_response."""
    frames: list[dict] = []
    while sum(f["type"] == "agent_response" for f in frames) < count:
        frames.append(json.loads(ws.recv(timeout=WAIT)))
    return frames


def greeting_then_reply(ws: ClientConnection) -> list[dict]:
    """The greeting with its audio, then (after a typed turn) the reply: all greeting audio precedes the reply."""
    frames = frames_until_responses(ws, 1)
    ws.send(json.dumps({"type": "user_message", "text": "Hi Rosa, this is Sam. How big is the lot?"}))
    return frames + frames_until_responses(ws, 1)


def audio_of(frames: list[dict], event_id: int) -> bytes:
    return b"".join(
        base64.b64decode(f["audio_event"]["audio_base_64"])
        for f in frames
        if f["type"] == "audio" and f["audio_event"]["event_id"] == event_id
    )


def test_a_voice_call_hears_the_greeting_in_the_personas_voice(voiced: PracticePartner, engine: SpeechEngine) -> None:
    with open_call(voiced, text_only=False) as (ws, greeting):
        frames = greeting_then_reply(ws)
    responses = [f["agent_response_event"] for f in frames if f["type"] == "agent_response"]
    assert responses[0]["agent_response"] == greeting and responses[1]["agent_response"]
    heard = audio_of(frames, responses[0]["event_id"])
    assert seconds(heard) > 1.0 and rms_level(heard) > 0.02
    assert same_voice(heard, engine.synth_for(ROSA)(greeting))  # Rosa's own voice, not the neutral one it was given
    assert not same_voice(heard, engine.synth_for(None)(greeting))


def test_a_text_only_call_gets_no_audio_from_a_partner_with_a_voice(voiced: PracticePartner) -> None:
    with open_call(voiced, text_only=True) as (ws, greeting):
        frames = greeting_then_reply(ws)
    assert [f["agent_response_event"]["agent_response"] for f in frames if f["type"] == "agent_response"][0] == greeting
    assert not [f for f in frames if f["type"] == "audio"]


def test_a_line_the_engine_cannot_speak_is_sent_as_text_and_the_call_goes_on(tmp_path: Path) -> None:
    broken = SpeechEngine(EspeakBackend(script(tmp_path, "fails", "exit 1"))).synth_for(None)
    with (
        PracticePartner(options=FAST, model=None, speech=broken) as partner,
        open_call(partner, text_only=False) as (ws, greeting),
    ):
        frames = greeting_then_reply(ws)
    responses = [f["agent_response_event"]["agent_response"] for f in frames if f["type"] == "agent_response"]
    assert responses[0] == greeting and len(responses) == 2
    assert not [f for f in frames if f["type"] == "audio"]


# --- wiring ---------------------------------------------------------------------------------------------------------


def test_the_apps_partner_follows_the_voice_setting_from_one_call_to_the_next(engine: SpeechEngine, queries) -> None:
    settings = Settings(partner_voice=True)
    host = app_partner_host(queries, lambda: settings)  # the app's own partner, reading the settings the app holds
    try:
        url = host.url()
        partner = SimpleNamespace(ws_url=url.replace("http", "ws", 1))
        with open_call(partner, text_only=False) as (ws, greeting):
            spoken = frames_until_responses(ws, 1)
            spoken.append(json.loads(ws.recv(timeout=WAIT)))  # what follows the greeting's words: its audio
        settings.partner_voice = False  # turned off in Settings between two calls, with the app still running
        assert host.url() == url
        with open_call(partner, text_only=False) as (ws, _greeting):
            silent = greeting_then_reply(ws)
    finally:
        host.stop()
    assert spoken[-2]["agent_response_event"]["agent_response"] == greeting and spoken[-1]["type"] == "audio"
    assert [f["type"] for f in silent].count("agent_response") == 2
    assert not [f for f in silent if f["type"] == "audio"]


def test_roleplay_partner_says_it_speaks(engine: SpeechEngine) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", "partner", "--port", "0"],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(2)]
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert f"speaks with {engine.name}" in lines[1], lines

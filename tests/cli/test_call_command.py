"""`roleplay call`: typed and --mic-wav headless calls against the embedded partner and the fake agent server, stored
and graded like the GUI's, with one-line errors that keep the partial session."""

from __future__ import annotations

import json
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from desktop import settings as app_settings
from desktop.cli.call import WAV_REPLY_WAIT_S
from desktop.cli.main import main
from desktop.store.db import Store
from desktop.store.queries import SessionQueries
from tests.fake_agent_server import FakeAgentServer

PERSONA_ID = "dale-pruitt-coal-county"


def _speech_wav(path: Path, seconds: float = 1.0, rate: int = 8000, silence_after: float = 0.2) -> Path:
    """A tone that rises and falls like a voice, between short silences; 8 kHz so the resampler runs too."""
    t = np.arange(int(rate * seconds)) / rate
    voice = 0.3 * np.sin(2 * np.pi * 180 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t))
    pause = np.zeros(int(rate * 0.2))
    samples = (np.concatenate([pause, voice, np.zeros(int(rate * silence_after))]) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples.tobytes())
    return path


def _spoken_wav(path: Path, silence_after: float = 0.6) -> Path:
    """Real words (espeak-ng): the partner recognises speech, and a tone holds none."""
    from tests.speech.spoken import speak

    samples = np.concatenate([np.zeros(3200, np.int16), speak("How many acres is the land?", path.parent)])
    samples = np.concatenate([samples, np.zeros(int(16000 * silence_after), np.int16)])
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(samples.astype("<i2").tobytes())
    return path


def _stored(data_home: Path, session_id: int):
    store = Store.open(data_home / "roleplay.db", data_home / "backups")
    try:
        return SessionQueries().get_session(session_id)
    finally:
        store.close()


@pytest.fixture
def fake_elevenlabs(monkeypatch) -> Iterator[FakeAgentServer]:
    with FakeAgentServer(reply_to_audio_after=25) as server:
        monkeypatch.setenv("ROLEPLAY_ELEVENLABS_API_URL", server.http_url)
        monkeypatch.setenv("ELEVENLABS_AGENT_ID", "agent_cli")
        yield server


def test_typed_call_against_the_partner_prints_the_session_document(capsys, data_home, monkeypatch) -> None:
    monkeypatch.delenv("ELEVENLABS_AGENT_ID", raising=False)
    code = main(
        [
            "call",
            "--persona",
            PERSONA_ID,
            "--difficulty",
            "beginner",
            "--say",
            "Hi Dale, this is Sam with Lone Star Land. Do you have a minute?",
            "--say",
            "What has you thinking about selling the property?",
            "--json",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    document = json.loads(out)
    transcript = document["transcript"]
    assert [line["speaker"] for line in transcript] == ["seller", "trainee", "seller", "trainee", "seller"]
    assert transcript[1]["text"].startswith("Hi Dale")
    assert document["status"] == "completed" and document["end_reason"] == "user_hangup"
    assert document["grade"] is not None and 0 <= document["grade"]["overall"] <= 100
    record = _stored(data_home, document["id"])
    assert record is not None and len(record.lines) == 5 and record.summary.mode == "text"


def test_script_file_turns_against_the_fake_elevenlabs_agent(capsys, tmp_path, fake_elevenlabs) -> None:
    script = tmp_path / "turns.txt"
    script.write_text("# my opener\nHello, is this Dale?\n\nI'm calling about your land.\n", encoding="utf-8")
    code = main(["call", "--persona", PERSONA_ID, "--script", str(script)])
    out = capsys.readouterr().out
    assert code == 0
    sent = [f["text"] for f in fake_elevenlabs.frames_of("user_message")]
    assert sent == ["Hello, is this Dale?", "I'm calling about your land."]
    assert "You: I'm calling about your land." in out and "Session 1:" in out
    assert fake_elevenlabs.first_frames[0]["dynamic_variables"]["persona_id"] == PERSONA_ID


def test_a_persona_with_its_own_agent_and_voice_in_settings_calls_that_agent(
    capsys, data_home, fake_elevenlabs, monkeypatch
) -> None:
    monkeypatch.delenv("ELEVENLABS_AGENT_ID")
    app_settings.ensure_data_dir()
    settings = app_settings.load_settings()
    settings.persona_agents = {PERSONA_ID: {"agent_id": "agent_dale", "voice_id": "voice_dale"}}
    app_settings.save_settings(settings)
    assert main(["call", "--persona", PERSONA_ID, "--say", "Hello, is this Dale?"]) == 0
    assert fake_elevenlabs.agent_ids == ["agent_dale"]
    override = fake_elevenlabs.first_frames[0]["conversation_config_override"]
    assert override["tts"] == {"voice_id": "voice_dale"}


def test_mic_wav_streams_audio_chunks_to_the_agent_and_records_the_call(
    capsys, tmp_path, data_home, fake_elevenlabs
) -> None:
    wav = _speech_wav(tmp_path / "turn.wav")
    code = main(["call", "--persona", PERSONA_ID, "--mic-wav", str(wav), "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    chunks = [f for f in fake_elevenlabs.frames if "user_audio_chunk" in f]
    assert len(chunks) >= 70  # 1.4 s of 20 ms chunks, and silence after it
    assert all("type" not in f for f in chunks)  # the protocol's audio frames carry no type
    assert any(line["text"] == "I heard you speak" for line in document["transcript"])
    record = _stored(data_home, document["id"])
    assert record.summary.mode == "voice" and Path(record.recording_path).is_file()
    with wave.open(record.recording_path, "rb") as recording:
        assert recording.getnchannels() == 2 and recording.getnframes() > 16000  # both sides, over a second


def test_mic_wav_call_with_the_partner_gets_a_spoken_turn_answered(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("ELEVENLABS_AGENT_ID", raising=False)
    wav = _spoken_wav(tmp_path / "turn.wav")
    code = main(["call", "--persona", PERSONA_ID, "--agent", "partner", "--mic-wav", str(wav), "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    speakers = [line["speaker"] for line in document["transcript"]]
    assert speakers[:3] == ["seller", "trainee", "seller"]


def test_mic_wav_answered_before_it_ends_hangs_up_without_sitting_out_the_reply_wait(capsys, tmp_path) -> None:
    # The seller answers during the WAV's long closing silence; nothing is left to wait for once the WAV ends.
    wav = _spoken_wav(tmp_path / "turn.wav", silence_after=6.0)
    code = main(["call", "--persona", PERSONA_ID, "--agent", "partner", "--mic-wav", str(wav), "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [line["speaker"] for line in document["transcript"]][:3] == ["seller", "trainee", "seller"]
    assert document["duration_seconds"] < 8.2 + WAV_REPLY_WAIT_S / 2  # the WAV's length, then the settle, not 20 s


def test_unreachable_agent_is_one_line_exit_1_and_the_session_is_kept(capsys, data_home, monkeypatch) -> None:
    monkeypatch.setenv("ROLEPLAY_ELEVENLABS_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ELEVENLABS_AGENT_ID", "agent_x")
    code = main(["call", "--persona", PERSONA_ID, "--say", "Hello?"])
    captured = capsys.readouterr()
    assert code == 1
    errors = [line for line in captured.err.splitlines() if line.startswith("roleplay:")]
    assert len(errors) == 1 and "was kept" in errors[0]
    record = _stored(data_home, 1)
    assert record is not None and record.summary.status == "failed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--persona", "nobody"], "no persona 'nobody'"),
        (["--persona", PERSONA_ID], "--say TEXT, --script FILE or --mic-wav FILE"),
        (["--persona", PERSONA_ID, "--say", "hi", "--difficulty", "impossible"], "unknown difficulty"),
        (["--persona", PERSONA_ID, "--mic-wav", "/nonexistent.wav"], "no such WAV file"),
        (["--persona", PERSONA_ID, "--say", "hi", "--agent", "elevenlabs"], "No ElevenLabs agent id"),
    ],
)
def test_bad_input_is_one_clear_line(capsys, monkeypatch, args, message) -> None:
    monkeypatch.delenv("ELEVENLABS_AGENT_ID", raising=False)
    code = main(["call", *args])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1

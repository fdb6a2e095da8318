"""The operating system's own speech engine as the practice partner's voice: no keys, no network, nothing bundled.

Linux uses `espeak-ng` (or `espeak`), macOS `say`, Windows the .NET `System.Speech` synthesizer through PowerShell.
Each renders one line to a WAV, which is downmixed and resampled to the partner's PCM16 LE mono 16 kHz. Qt-free.

A failed line (a missing or broken engine, a bad WAV, a timeout) gives b"": the partner then sends that line as text
only. Each kind of failure is logged once at WARNING; the utterance's words never reach the log above DEBUG.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import wave
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from desktop.core.personas import Persona
from desktop.voice.audio.resample import StreamResampler, pcm16_bytes

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000  # what the partner streams (partner_call.SAMPLE_RATE)
UTTERANCE_TIMEOUT_S = 10.0
MAX_TEXT_CHARS = 2000  # a seller's line is a few sentences; anything longer is cut rather than stalling the call
DEFAULT_RATE_WPM = 170

# Faster talkers sound pushier, slower ones warier: a modest nudge per conversation style.
_STYLE_RATE_WPM = {"aggressive": 185, "friendly": 172, "cooperative": 166, "skeptical": 158}
_FEMALE_WORDS = frozenset({"she", "her", "hers", "herself"})
_MALE_WORDS = frozenset({"he", "him", "his", "himself"})


class SpeechFailed(Exception):
    """One utterance could not be rendered; `kind` groups failures so each kind is logged only once."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind


@dataclass(frozen=True)
class VoiceStyle:
    """How one persona sounds, the same on every call: derived from the persona alone."""

    female: bool = False
    rate_wpm: int = DEFAULT_RATE_WPM
    pitch: int = 50  # espeak's 0..99 scale
    pick: int = 0  # a stable number for choosing among the engine's voices


def voice_style(persona: Persona | None) -> VoiceStyle:
    """A deterministic voice for a persona (None: the neutral voice, e.g. for the coach)."""
    if persona is None:
        return VoiceStyle()
    # crc32, not hash(): Python salts str hashes per process, and the voice must not change between calls.
    seed = zlib.crc32(persona.name.strip().lower().encode("utf-8"))
    female = _sounds_female(persona.backstory, seed)
    base = _STYLE_RATE_WPM.get(persona.conversation_style, DEFAULT_RATE_WPM)
    pitch = (58 if female else 38) + (seed >> 8) % 13
    return VoiceStyle(female=female, rate_wpm=base + seed % 11 - 5, pitch=pitch, pick=(seed >> 16) % 1000)


def _sounds_female(backstory: str, seed: int) -> bool:
    """Personas carry no gender field; the pronouns in the backstory say it well enough (a coin toss without)."""
    words = re.findall(r"[a-z]+", backstory.lower())
    she = sum(word in _FEMALE_WORDS for word in words)
    he = sum(word in _MALE_WORDS for word in words)
    return she > he if she != he else bool(seed & 1)


# --- WAV -> partner PCM ---------------------------------------------------------------------------------------------


def wav_to_pcm16k(data: bytes) -> bytes:
    """A WAV file's audio as PCM16 LE mono 16 kHz. Raises ValueError when it is not a usable PCM WAV.

    Accepts a streamed WAV whose header sizes are placeholders (espeak's --stdout cannot seek back to fill them)."""
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            channels, width, rate = reader.getnchannels(), reader.getsampwidth(), reader.getframerate()
            if channels < 1 or rate < 1 or width not in (1, 2, 3, 4):
                raise ValueError(f"unsupported WAV: {channels} channels, {width}-byte samples, {rate} Hz")
            frames = reader.readframes(min(reader.getnframes(), len(data) // (channels * width)))
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"not a PCM WAV: {exc}") from exc
    samples = _as_int16_range(frames, width).astype(np.float64)
    usable = samples.size - samples.size % channels
    mono = samples[:usable].reshape(-1, channels).mean(axis=1)
    pcm = pcm16_bytes(mono)
    return StreamResampler(rate, SAMPLE_RATE).process(pcm, last=True) if rate != SAMPLE_RATE else pcm


def _as_int16_range(frames: bytes, width: int) -> np.ndarray:
    if width == 1:  # 8-bit WAV is unsigned
        return (np.frombuffer(frames, dtype=np.uint8).astype(np.int32) - 128) << 8
    if width == 2:
        return np.frombuffer(frames, dtype="<i2", count=len(frames) // 2)
    if width == 3:
        raw = np.frombuffer(frames, dtype=np.uint8, count=len(frames) // 3 * 3).reshape(-1, 3).astype(np.int32)
        value = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
        return np.where(value >= 1 << 23, value - (1 << 24), value) >> 8
    return np.frombuffer(frames, dtype="<i4", count=len(frames) // 4) >> 16


# --- engines --------------------------------------------------------------------------------------------------------


class SpeechBackend(Protocol):
    """One OS engine: renders a line to WAV bytes, or raises SpeechFailed."""

    name: str
    path: str

    def render(self, text: str, style: VoiceStyle, timeout: float) -> bytes: ...


def _run(argv: list[str], timeout: float, *, stdin: bytes = b"", env: dict[str, str] | None = None) -> bytes:
    """Runs an engine once; its stdout, or SpeechFailed. The engine is killed when it overruns `timeout`."""
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
    try:
        done = subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            timeout=timeout,
            env=_system_program_env(env),
            creationflags=flags,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise SpeechFailed("timeout", f"{Path(argv[0]).name} took longer than {timeout:g} s") from exc
    except OSError as exc:
        raise SpeechFailed("unavailable", f"{argv[0]} could not be run ({exc.strerror or exc})") from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SpeechFailed(
            "exit", f"{Path(argv[0]).name} exited with {done.returncode}" + (f": {detail[-1][:200]}" if detail else "")
        )
    return done.stdout


def _system_program_env(env: dict[str, str] | None) -> dict[str, str] | None:
    """In a PyInstaller bundle on Linux the loader path points at the bundle's own libraries, which can break a
    system program such as espeak-ng; give it back the user's original path (PyInstaller keeps it in *_ORIG)."""
    if not getattr(sys, "frozen", False) or sys.platform in ("win32", "darwin"):
        return env
    env = dict(env if env is not None else os.environ)
    original = env.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is None:
        env.pop("LD_LIBRARY_PATH", None)
    else:
        env["LD_LIBRARY_PATH"] = original
    return env


class _TempWav:
    """A temp .wav path for engines that only write files; removed afterwards whatever happened."""

    def __enter__(self) -> Path:
        fd, name = tempfile.mkstemp(prefix="roleplay-speech-", suffix=".wav")
        os.close(fd)
        self.path = Path(name)
        return self.path

    def __exit__(self, *exc: object) -> None:
        self.path.unlink(missing_ok=True)


@dataclass(frozen=True)
class EspeakBackend:
    """espeak-ng / espeak: WAV on stdout, text on stdin (never on the command line, where it could read as options)."""

    path: str
    name: str = "espeak-ng"

    _MALE_VARIANTS = ("m1", "m2", "m3", "m4", "m6", "m7")
    _FEMALE_VARIANTS = ("f1", "f2", "f3", "f4", "f5")

    def render(self, text: str, style: VoiceStyle, timeout: float) -> bytes:
        variants = self._FEMALE_VARIANTS if style.female else self._MALE_VARIANTS
        voice = f"en-us+{variants[style.pick % len(variants)]}"
        argv = [self.path, "--stdout", "--stdin", "-b", "1", "-v", voice, "-s", str(style.rate_wpm)]
        return _run([*argv, "-p", str(style.pitch)], timeout, stdin=text.encode("utf-8"))


@dataclass(frozen=True)
class MacSayBackend:
    """macOS `say`: writes a 16 kHz PCM16 WAV file (it cannot write WAV to stdout); text on stdin (`-f -`)."""

    path: str
    name: str = "say"

    # Voices shipped with most macOS versions; only those `say -v ?` lists are used, else the system's default voice.
    _FEMALE_VOICES = ("Samantha", "Allison", "Ava", "Susan", "Victoria", "Karen", "Moira", "Tessa")
    _MALE_VOICES = ("Alex", "Tom", "Fred", "Daniel", "Aaron", "Rishi")

    def render(self, text: str, style: VoiceStyle, timeout: float) -> bytes:
        with _TempWav() as out:
            argv = [self.path, "-r", str(style.rate_wpm), "-o", str(out), "--file-format=WAVE"]
            argv += ["--data-format=LEI16@16000", "-f", "-"]
            voice = self._voice(style, timeout)
            if voice:
                argv[1:1] = ["-v", voice]
            _run(argv, timeout, stdin=text.encode("utf-8"))
            return out.read_bytes()

    def _voice(self, style: VoiceStyle, timeout: float) -> str:
        candidates = self._FEMALE_VOICES if style.female else self._MALE_VOICES
        installed = [v for v in candidates if v in _installed_mac_voices(self.path, timeout)]
        return installed[style.pick % len(installed)] if installed else ""


_mac_voices: dict[str, frozenset[str]] = {}
_mac_voices_lock = threading.Lock()


def _installed_mac_voices(say: str, timeout: float) -> frozenset[str]:
    """The voice names `say -v ?` lists (asked once per process; an error means: use the default voice)."""
    with _mac_voices_lock:
        if say not in _mac_voices:
            try:
                listing = _run([say, "-v", "?"], timeout).decode("utf-8", "replace")
            except SpeechFailed as exc:
                log.debug("could not list the macOS voices: %s", exc)
                listing = ""
            # Each line: "<name, may contain spaces>   <locale>   # <sample sentence>"
            _mac_voices[say] = frozenset(m.group(1) for m in re.finditer(r"^(.+?)\s{2,}[a-z]{2}[_-]", listing, re.M))
        return _mac_voices[say]


# System.Speech ships with Windows PowerShell 5.1 (not with pwsh 7). The text and paths come in through the
# environment, so nothing the seller says is ever parsed as PowerShell.
_WINDOWS_SCRIPT = r"""
$ErrorActionPreference = 'Stop'
Add-Type -AssemblyName System.Speech
$synth = New-Object System.Speech.Synthesis.SpeechSynthesizer
try {
    try { $synth.SelectVoiceByHints([System.Speech.Synthesis.VoiceGender]$env:ROLEPLAY_SPEECH_GENDER) } catch { }
    $synth.Rate = [int]$env:ROLEPLAY_SPEECH_RATE
    $format = New-Object System.Speech.AudioFormat.SpeechAudioFormatInfo(16000,
        [System.Speech.AudioFormat.AudioBitsPerSample]::Sixteen, [System.Speech.AudioFormat.AudioChannel]::Mono)
    $synth.SetOutputToWaveFile($env:ROLEPLAY_SPEECH_OUT, $format)
    $synth.Speak($env:ROLEPLAY_SPEECH_TEXT)
    $synth.SetOutputToNull()
} finally {
    $synth.Dispose()
}
"""


@dataclass(frozen=True)
class WindowsSpeechBackend:
    """Windows: PowerShell's System.Speech synthesizer writing a 16 kHz PCM16 WAV file, with no console window."""

    path: str
    name: str = "Windows speech"

    def render(self, text: str, style: VoiceStyle, timeout: float) -> bytes:
        # -EncodedCommand (UTF-16LE base64) sidesteps every quoting rule of the Windows command line.
        encoded = base64.b64encode(_WINDOWS_SCRIPT.encode("utf-16-le")).decode("ascii")
        with _TempWav() as out:
            env = {
                **os.environ,
                "ROLEPLAY_SPEECH_TEXT": text,
                "ROLEPLAY_SPEECH_OUT": str(out),
                "ROLEPLAY_SPEECH_GENDER": "Female" if style.female else "Male",
                # System.Speech's Rate runs -10..10 around a normal pace of about 170 words a minute.
                "ROLEPLAY_SPEECH_RATE": str(max(-10, min(10, round((style.rate_wpm - DEFAULT_RATE_WPM) / 10)))),
            }
            _run([self.path, "-NoProfile", "-NonInteractive", "-EncodedCommand", encoded], timeout, env=env)
            return out.read_bytes()


# --- the engine and the partner's synthesizer -----------------------------------------------------------------------


class SpeechEngine:
    """Turns a line into the partner's PCM with one OS backend; never raises, b"" on any failure."""

    def __init__(self, backend: SpeechBackend, *, timeout: float = UTTERANCE_TIMEOUT_S) -> None:
        self.backend = backend
        self.timeout = timeout
        self._warned: set[str] = set()
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.backend.name

    @property
    def description(self) -> str:
        return f"{self.backend.name} ({self.backend.path})"

    def synth_for(self, persona: Persona | None) -> SystemVoice:
        """The partner's `speech=`: a synthesizer in the persona's voice (None: the neutral voice)."""
        return SystemVoice(self, voice_style(persona))

    def synthesize(self, text: str, style: VoiceStyle | None = None) -> bytes:
        """PCM16 LE mono 16 kHz for `text`, or b"" when it cannot be spoken (logged once per kind of failure)."""
        text = " ".join(text.split())[:MAX_TEXT_CHARS]
        if not text:
            return b""
        try:
            pcm = wav_to_pcm16k(self.backend.render(text, style or VoiceStyle(), self.timeout))
        except SpeechFailed as exc:
            self._warn(exc.kind, str(exc))
            return b""
        except (ValueError, OSError) as exc:
            self._warn("bad_wav", f"{self.backend.name} gave no usable audio ({exc})")
            return b""
        log.debug("spoke %d characters as %.2f s of audio", len(text), len(pcm) / (2 * SAMPLE_RATE))
        return pcm

    def _warn(self, kind: str, reason: str) -> None:
        with self._lock:
            first = kind not in self._warned
            self._warned.add(kind)
        # Once per kind: a broken engine would otherwise repeat the same warning for every line of every call.
        log.log(logging.WARNING if first else logging.DEBUG, "the practice partner's voice failed: %s", reason)


@dataclass(frozen=True)
class SystemVoice:
    """A `SpeechSynth` (text -> PCM16 16 kHz) in one voice. `for_persona` gives the same engine in a persona's
    voice; the partner calls it once the call's persona is known."""

    engine: SpeechEngine
    style: VoiceStyle = VoiceStyle()

    def __call__(self, text: str) -> bytes:
        return self.engine.synthesize(text, self.style)

    def for_persona(self, persona: Persona | None) -> SystemVoice:
        return replace(self, style=voice_style(persona))


def find_speech_engine(platform: str | None = None) -> SpeechEngine | None:
    """The OS's speech engine, or None when this machine has none."""
    platform = platform or sys.platform
    backend: Any = None
    if platform == "win32":
        path = shutil.which("powershell.exe") or shutil.which("powershell") or _windows_powershell()
        backend = WindowsSpeechBackend(path) if path else None
    elif platform == "darwin":
        path = shutil.which("say") or ("/usr/bin/say" if Path("/usr/bin/say").exists() else None)
        backend = MacSayBackend(path) if path else None
    else:
        for name in ("espeak-ng", "espeak"):
            if path := shutil.which(name):
                backend = EspeakBackend(path, name)
                break
    return SpeechEngine(backend) if backend is not None else None


def _windows_powershell() -> str | None:
    root = os.environ.get("SYSTEMROOT") or r"C:\Windows"
    path = Path(root) / "System32" / "WindowsPowerShell" / "v1.0" / "powershell.exe"
    return str(path) if path.exists() else None


def partner_speech(settings: Any) -> SystemVoice | None:
    """The partner's `speech=` for these settings: None when the voice is turned off or the OS has no engine."""
    if settings is not None and not getattr(settings, "partner_voice", True):
        return None
    engine = find_speech_engine()
    if engine is None:
        log.info("no speech engine found; the practice partner is text-only")
        return None
    return engine.synth_for(None)

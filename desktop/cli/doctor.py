"""`roleplay doctor`: checks each part the app relies on and says, for each problem, how to fix it."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from desktop import settings as app_settings

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def check_data_dir() -> Check:
    path = app_settings.data_dir()
    try:
        app_settings.ensure_data_dir()
        probe = path / ".write-test"
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        return Check("data folder", FAIL, f"{path} is not writable: {exc}", "Set ROLEPLAY_HOME to a writable folder.")
    return Check("data folder", OK, str(path))


def check_database() -> Check:
    from desktop.bootstrap import grade_pending_by_rules
    from desktop.store.db import DatabaseCorruptError, Store
    from desktop.store.migrations import MigrationError, schema_version
    from desktop.store.queries import SessionQueries
    from desktop.store.sessions import SessionRepository

    path = app_settings.db_path()
    try:
        store = Store.open(path, app_settings.backups_dir())
    except (DatabaseCorruptError, MigrationError) as exc:
        return Check("database", FAIL, str(exc), "Move the file aside; the app then starts with an empty history.")
    try:
        # Like every command, the doctor first recovers calls a crashed process left open and grades the waiting.
        repository = SessionRepository(store)
        recovered = repository.recover_orphaned_sessions()
        grade_pending_by_rules(repository, SessionQueries())
        verdict = store.db.execute_sql("PRAGMA quick_check").fetchone()[0]
        version = schema_version(store.db)
        count = SessionQueries().count_sessions()
    finally:
        store.close()
    if verdict != "ok":
        return Check("database", FAIL, f"{path}: integrity check says {verdict}", "Restore a copy from backups/.")
    note = f", {len(recovered)} interrupted call(s) recovered" if recovered else ""
    return Check("database", OK, f"{path} (schema {version}, {count} sessions{note})")


def check_keyring() -> Check:
    from desktop.secrets import keyring_status

    status = keyring_status()
    if status.usable:
        return Check("keyring", OK, status.backend)
    return Check("keyring", WARN, f"{status.backend}: {status.message}", "Install or unlock your OS keyring.")


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """PortAudio and ALSA print probing noise straight to file descriptor 2; keep the report readable."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def check_audio() -> Check:
    try:
        from desktop.voice.audio.devices import AudioDeviceError, portaudio  # imports PyAudio
    except ImportError as exc:
        return Check("audio", FAIL, f"PyAudio is not installed ({exc})", "Reinstall the app (make run).")
    try:
        with _quiet_stderr(), portaudio() as audio:
            devices = [audio.get_device_info_by_index(i) for i in range(audio.get_device_count())]
    except AudioDeviceError as exc:
        return Check("audio", FAIL, exc.message, "Check your computer's sound settings, or practise in typing mode.")
    inputs = [d["name"] for d in devices if d.get("maxInputChannels", 0) > 0]
    outputs = [d["name"] for d in devices if d.get("maxOutputChannels", 0) > 0]
    if not inputs or not outputs:
        missing = " or ".join(x for x, found in (("microphone", inputs), ("speaker", outputs)) if not found)
        return Check(
            "audio",
            WARN,
            f"no {missing} found ({len(inputs)} inputs, {len(outputs)} outputs)",
            "Plug in a headset, or practise in typing mode.",
        )
    return Check("audio", OK, f"{len(inputs)} inputs, {len(outputs)} outputs")


def check_camera() -> Check:
    # Qt Multimedia logs its backend probing to stderr; the report says what matters.
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")
    try:
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError as exc:
        return Check("camera", WARN, f"Qt Multimedia is not available ({exc})", "Reinstall the app.")
    _app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    cameras = [device.description() for device in QMediaDevices.videoInputs()]
    if not cameras:
        return Check("camera", WARN, "no camera found", "Calls work without one; the self-view shows 'no camera'.")
    return Check("camera", OK, ", ".join(cameras))


def check_speech() -> Check:
    from desktop.speech.system_voice import find_speech_engine

    engine = find_speech_engine()
    if engine is None:
        return Check(
            "speech",
            WARN,
            "no speech engine found: the practice partner's lines are shown as text only",
            "On Linux install espeak-ng (sudo apt-get install espeak-ng); practice calls work without it.",
        )
    # A real sentence, so an engine that is installed but broken is caught here and not in the middle of a call.
    if not engine.synthesize("Hello, this is the practice partner."):
        return Check("speech", WARN, f"{engine.description} gave no audio", "Reinstall it; see the log for the reason.")
    off = " (the partner's voice is turned off in Settings)" if not app_settings.load_settings().partner_voice else ""
    return Check("speech", OK, f"{engine.description}{off}")


def check_recogniser() -> Check:
    """Loads the speech model the practice partner uses and decodes a spoken sentence: a missing or damaged model, or
    a recogniser too slow for a live call, shows here rather than as a partner that does not answer."""
    from desktop.speech.models import chosen_model_dir
    from desktop.speech.self_test import check_recogniser as run

    result = run(chosen_model_dir(app_settings.data_dir()))
    if not result.ok:
        return Check(
            "speech recogniser",
            FAIL,
            result.problem,
            "Reinstall the app; until then the practice partner hears that you spoke, not what you said.",
        )
    detail = (
        f"{result.model}: loaded in {result.load_s:.1f} s, decodes speech {result.speed:.0f}x faster than it is "
        f"spoken; heard {result.heard!r}"
        if result.heard
        else f"{result.model}: loaded in {result.load_s:.1f} s"
    )
    if result.fallback:
        return Check(
            "speech recogniser",
            WARN,
            f"{detail} (in place of the chosen model: {result.problem})",
            "Download the model again in Settings > Speech.",
        )
    if result.speed and result.speed < 2:
        return Check("speech recogniser", WARN, detail, "This computer is slow for live recognition; close other apps.")
    return Check("speech recogniser", OK, detail)


def _endpoint_check(name: str, url: str, optional_fix: str) -> Check:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.hostname:
        return Check(name, FAIL, f"{url!r} is not a valid URL", "Correct it in Settings.")
    port = parts.port or (443 if parts.scheme in ("https", "wss") else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=2.0):
            pass
    except OSError as exc:
        return Check(name, WARN, f"{parts.hostname}:{port} unreachable ({exc.__class__.__name__}: {exc})", optional_fix)
    return Check(name, OK, f"{parts.hostname}:{port} reachable")


def check_endpoints(settings: app_settings.Settings) -> list[Check]:
    targets = [
        (
            "ElevenLabs",
            settings.effective_elevenlabs_api_url,
            "Offline: the built-in practice partner still works. Check your connection for ElevenLabs calls.",
        ),
        (
            "OpenAI",
            settings.openai_base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1",
            "Calls are graded by the built-in rules until the grading service is reachable.",
        ),
    ]
    if settings.effective_backend_url:
        targets.append(
            ("team backend", settings.effective_backend_url, "Sessions stay queued and sync when you are online.")
        )
    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        return list(pool.map(lambda t: _endpoint_check(*t), targets))


def run_checks(include_network: bool = True) -> list[Check]:
    settings = app_settings.load_settings()
    steps: list[Callable[[], Check]] = [
        check_data_dir,
        check_database,
        check_keyring,
        check_audio,
        check_camera,
        check_speech,
        check_recogniser,
    ]
    checks = []
    for step in steps:
        try:
            checks.append(step())
        except Exception as exc:  # a check must never crash the report
            checks.append(Check(step.__name__.removeprefix("check_"), FAIL, f"check failed: {exc}"))
    if include_network:
        checks.extend(check_endpoints(settings))
    return checks


def overall_status(checks: list[Check]) -> str:
    if any(c.status == FAIL for c in checks):
        return FAIL
    return WARN if any(c.status == WARN for c in checks) else OK


def format_report(checks: list[Check]) -> str:
    marks = {OK: "OK  ", WARN: "WARN", FAIL: "FAIL"}
    width = max(len(c.name) for c in checks)
    lines = []
    for check in checks:
        lines.append(f"{marks[check.status]}  {check.name.ljust(width)}  {check.detail}")
        if check.fix and check.status != OK:
            lines.append(f"      {' ' * width}  -> {check.fix}")
    return "\n".join(lines)

"""`roleplay partner [--port N] [--api-key K]`: run the embedded practice partner on its own until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import threading

from desktop.bootstrap import AppState
from desktop.cli.errors import CommandError
from desktop.partner.server import PracticePartner
from desktop.speech.system_voice import partner_speech
from desktop.store.catalog import PersonaCatalog


def run(state: AppState, args: argparse.Namespace) -> int:
    speech = partner_speech(state.settings)
    partner = PracticePartner(
        PersonaCatalog(state.queries), port=args.port, api_key=args.api_key, settings=state.settings, speech=speech
    )
    try:
        url = partner.start()
    except OSError as exc:
        raise CommandError(
            f"Could not start the practice partner on port {args.port} ({exc.strerror or exc}). "
            "Pick another port with --port, or leave it out to use any free one."
        ) from exc
    stop = threading.Event()
    _stop_on_sigterm(stop)
    try:  # from here on, Ctrl-C stops the partner cleanly, even while the banner is printing
        _print_banner(url, args.api_key, speech, partner.played_by)
        while not stop.wait(0.5):  # a timed wait, so Ctrl-C is noticed on every platform
            if not partner.is_running:
                raise CommandError("The practice partner stopped unexpectedly; see the log for details.")
    except KeyboardInterrupt:
        pass
    finally:
        partner.stop()
    print("Practice partner stopped.", flush=True)
    return 0


def _print_banner(url: str, api_key: str | None, speech, played_by: str) -> None:
    print(f"Practice partner listening on {url} - set ROLEPLAY_ELEVENLABS_API_URL to it (any agent id works).")
    if api_key:
        print("Signed URLs need the xi-api-key you gave with --api-key.")
    voice = f"speaks with {speech.engine.name}" if speech else "is text-only (no speech engine, or turned off)"
    print(f"The seller is played by {played_by} and {voice}. Press Ctrl-C to stop.", flush=True)


def _stop_on_sigterm(stop: threading.Event) -> None:
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, lambda *_: stop.set())

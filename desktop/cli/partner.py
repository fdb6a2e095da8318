"""`roleplay partner [--port N]`: run the embedded practice partner on its own until Ctrl-C.

With `ROLEPLAY_PARTNER_API_KEY` set, the partner is a private agent: a conversation needs a signed URL, obtained with
that key as `xi-api-key`. The key is read from the environment, never the command line, where `ps` shows it to every
user of the machine."""

from __future__ import annotations

import argparse
import os
import signal
import threading

from desktop.bootstrap import AppState
from desktop.cli.errors import CommandError
from desktop.partner.server import PracticePartner
from desktop.speech.system_voice import partner_speech
from desktop.store.catalog import PersonaCatalog

API_KEY_ENV = "ROLEPLAY_PARTNER_API_KEY"


def run(state: AppState, args: argparse.Namespace) -> int:
    if args.api_key is not None:
        raise CommandError(
            f"--api-key is not taken: a key on the command line is visible to every user in `ps`. "
            f"Set {API_KEY_ENV} in the environment instead."
        )
    api_key = os.environ.get(API_KEY_ENV, "").strip()
    speech = partner_speech(state.settings)
    partner = PracticePartner(
        PersonaCatalog(state.queries), port=args.port, api_key=api_key, settings=state.settings, speech=speech
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
        _print_banner(url, api_key, speech, partner.played_by)
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
        print(f"Private: conversations need a signed URL, got with the xi-api-key in {API_KEY_ENV}.")
    voice = f"speaks with {speech.engine.name}" if speech else "is text-only (no speech engine, or turned off)"
    print(f"The seller is played by {played_by} and {voice}. Press Ctrl-C to stop.", flush=True)


def _stop_on_sigterm(stop: threading.Event) -> None:
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, lambda *_: stop.set())

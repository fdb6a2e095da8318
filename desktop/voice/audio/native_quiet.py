"""Keep the sound libraries under PortAudio from writing to the terminal.

When PortAudio starts it probes every ALSA device and asks JACK for a server; on a machine without those, libasound
and libjack print dozens of lines ("ALSA lib pcm.c: Unknown PCM cards.pcm.rear", "jack server is not running") straight
to stderr. They are harmless, but a trainee who runs `roleplay call` in a terminal reads them as errors. Both libraries
let a program install its own message handler: ALSA's messages are dropped, JACK's go to the log at DEBUG.

Only Linux has these libraries; elsewhere, or when a library is missing, this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys
import threading

log = logging.getLogger(__name__)

# void handler(const char *file, int line, const char *function, int err, const char *fmt, ...): the fixed
# arguments are enough to drop the message, and x86-64 and arm64 pass them the same way for a variadic caller.
_ALSA_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p)
_JACK_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_char_p)

_lock = threading.Lock()
_installed = False
_keep_alive: list[object] = []  # the C libraries hold pointers to these callbacks for the life of the process


def _drop_alsa_message(_file: bytes, _line: int, _function: bytes, _err: int, _fmt: bytes) -> None:
    return None


def _log_jack_message(message: bytes | None) -> None:
    if message:
        log.debug("jack: %s", message.decode("utf-8", "replace"))


def _load(name: str) -> ctypes.CDLL | None:
    path = ctypes.util.find_library(name)
    if not path:
        return None
    try:
        return ctypes.CDLL(path)
    except OSError:
        return None


def quiet_native_audio_libraries() -> bool:
    """Install the handlers once per process, before PortAudio first starts. True when at least one was installed."""
    global _installed
    if not sys.platform.startswith("linux"):
        return False
    with _lock:
        if _installed:
            return True
        # Without a running server libjack may try to start one; the app never wants that.
        os.environ.setdefault("JACK_NO_START_SERVER", "1")
        done = False
        alsa = _load("asound")
        if alsa is not None and hasattr(alsa, "snd_lib_error_set_handler"):
            handler = _ALSA_HANDLER(_drop_alsa_message)
            alsa.snd_lib_error_set_handler(handler)
            _keep_alive.extend((alsa, handler))
            done = True
        jack = _load("jack")
        if jack is not None and hasattr(jack, "jack_set_error_function"):
            handler = _JACK_HANDLER(_log_jack_message)
            jack.jack_set_error_function(handler)
            if hasattr(jack, "jack_set_info_function"):
                jack.jack_set_info_function(handler)
            _keep_alive.extend((jack, handler))
            done = True
        _installed = done
        return done

"""The embedded practice partner for one run of the app: started by the first call that needs it, kept for the next,
and stopped at exit. Before each call it takes the trainee's current settings (its voice on or off, the model that
plays the seller, the speech model it hears with), so a change made in Settings applies to the next call rather than
the next start. Qt-free."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# How long the call's set-up waits for the speech model to load before connecting anyway (it loads in ~0.3 s here; a
# slow disk may take longer, and the call then connects and the model finishes loading during the greeting).
RECOGNISER_LOAD_WAIT_S = 10.0


class PartnerUnavailable(Exception):
    """The partner's server would not start; the message is for the trainee."""


class PartnerHost:
    def __init__(self, make: Callable[[], Any], configure: Callable[[Any], None] | None = None) -> None:
        """make: builds a partner (`start() -> url`, `stop()`); configure: applies the current settings to it before
        each call, or None to leave it as built (tests' partners)."""
        self._make = make
        self._configure = configure
        self._partner: Any = None
        self._url = ""
        self._lock = threading.Lock()  # two calls set up at once must not start two partners

    def url(self) -> str:
        """The partner's address, starting it on first use. Blocking: call it off the GUI thread."""
        with self._lock:
            if self._partner is None:
                partner = self._make()
                try:
                    url = partner.start()
                except Exception as exc:
                    log.exception("the practice partner did not start")
                    raise PartnerUnavailable(
                        "The built-in practice partner could not start. Restart the app; if it happens again, "
                        "run `roleplay doctor`."
                    ) from exc
                self._partner, self._url = partner, url
            if self._configure is not None:
                self._configure(self._partner)
            preload = getattr(self._partner, "preload_recogniser", None)  # (tests' stand-in partners have none)
            if preload is not None:
                preload(wait=RECOGNISER_LOAD_WAIT_S)  # loaded while the call dials (first call only; then at once)
            return self._url

    def stop(self) -> None:
        with self._lock:
            partner, self._partner = self._partner, None
        if partner is not None:
            partner.stop()


def app_partner_host(queries: Any, current_settings: Callable[[], Any]) -> PartnerHost:
    """The app's partner: the trainee's own personas, with the voice and seller model the settings ask for. Its
    modules load on the first call, not at start-up."""

    def make() -> Any:
        from desktop.partner.server import PracticePartner
        from desktop.store.catalog import PersonaCatalog

        return PracticePartner(PersonaCatalog(queries), model=None)  # configured before each call

    def configure(partner: Any) -> None:
        from desktop.partner.model_seller import seller_model_config
        from desktop.settings import data_dir
        from desktop.speech.models import chosen_model_dir
        from desktop.speech.system_voice import partner_speech

        settings = current_settings()
        partner.configure(
            model=seller_model_config(settings),
            speech=partner_speech(settings),
            speech_model_dir=chosen_model_dir(data_dir()),  # Settings > Speech
        )

    return PartnerHost(make, configure)

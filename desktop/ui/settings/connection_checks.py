"""The settings screen's "Test connection" buttons: one blocking check per service, answered in plain words.

Qt-free; the presenter runs these off the GUI thread. Keys are sent only to the service they belong to and never
logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from desktop.secure_urls import insecure_key_message
from desktop.ui.settings.form import url_error

log = logging.getLogger(__name__)

OK, WARNING, ERROR = "ok", "warning", "error"
TIMEOUT = 6.0


@dataclass(frozen=True)
class ConnectionResult:
    kind: str  # ok, warning or error
    message: str

    @property
    def ok(self) -> bool:
        return self.kind == OK


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _get(url: str, headers: dict[str, str], params: dict[str, str] | None = None):
    import httpx2 as httpx  # the HTTP client openai brings; imported here to keep start-up light

    with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
        return client.get(url, headers=headers, params=params)


def _network_words(exc: Exception, service: str, url: str) -> ConnectionResult:
    log.info("%s connection test failed: %r", service, exc)
    if "Timeout" in type(exc).__name__:
        return ConnectionResult(ERROR, f"{service} ({_host(url)}) did not answer within {TIMEOUT:g} s. "
                                       "Check your internet connection.")  # fmt: skip
    return ConnectionResult(ERROR, f"Could not reach {service} at {_host(url)}. Check your internet connection "
                                   "and the address.")  # fmt: skip


def check_elevenlabs(api_url: str, agent_id: str, api_key: str) -> ConnectionResult:
    """With a key and an agent: asks for the agent's signed URL (proves both). With a key only: checks the key.
    Without a key: only whether ElevenLabs can be reached (public agents need no key)."""
    problem = url_error(api_url, "The ElevenLabs address", required=True)
    if problem:
        return ConnectionResult(ERROR, problem)
    base = api_url.strip().rstrip("/")
    insecure = api_key and insecure_key_message("the ElevenLabs API key", base)
    if insecure:  # the xi-api-key header would cross the network in the clear
        return ConnectionResult(ERROR, insecure)
    if api_key and agent_id:
        import asyncio

        from desktop.voice.agent.endpoints import ConnectFailure, fetch_signed_url

        try:
            asyncio.run(fetch_signed_url(base, agent_id, api_key, TIMEOUT))
        except ConnectFailure as failure:
            log.info("ElevenLabs test: %s (%s)", failure.message, failure.detail)
            return ConnectionResult(ERROR, failure.message)
        return ConnectionResult(OK, f"Connected. Your key works and the agent {agent_id} is ready for calls.")
    try:
        path, headers = ("/v1/user", {"xi-api-key": api_key}) if api_key else ("/", {})
        response = _get(base + path, headers)
    except Exception as exc:
        return _network_words(exc, "ElevenLabs", base)
    if api_key:
        if response.status_code in (401, 403):
            return ConnectionResult(ERROR, f"ElevenLabs rejected the API key ({response.status_code}). "
                                           "Copy it again from your ElevenLabs profile.")  # fmt: skip
        if response.status_code >= 400:
            return ConnectionResult(ERROR, f"ElevenLabs answered with an error (HTTP {response.status_code}). "
                                           "Try again in a moment.")  # fmt: skip
        return ConnectionResult(WARNING, "Your key works. Add an agent id to call your ElevenLabs agent; until then "
                                         "calls use the built-in practice partner.")  # fmt: skip
    if not agent_id:
        return ConnectionResult(WARNING, "ElevenLabs is reachable. Add an agent id (and a key for a private agent) "
                                         "to use it; until then calls use the built-in practice partner.")  # fmt: skip
    return ConnectionResult(WARNING, f"ElevenLabs is reachable. With no API key only public agents work; the agent "
                                     f"{agent_id} is checked when you call.")  # fmt: skip


def check_openai(base_url: str, model: str, api_key: str) -> ConnectionResult:
    """Lists the models the key may use, and looks for the chosen one."""
    if not api_key:
        return ConnectionResult(WARNING, "No OpenAI key: your calls are graded by the built-in rules. Add a key for "
                                         "detailed feedback.")  # fmt: skip
    base = (base_url.strip() or "https://api.openai.com/v1").rstrip("/")
    problem = url_error(base, "The OpenAI address") or insecure_key_message("the OpenAI API key", base)
    if problem:
        return ConnectionResult(ERROR, problem)
    try:
        response = _get(base + "/models", {"Authorization": f"Bearer {api_key}"})
    except Exception as exc:
        return _network_words(exc, "OpenAI", base)
    if response.status_code in (401, 403):
        return ConnectionResult(ERROR, f"The OpenAI key was rejected ({response.status_code}). Check it, or create a "
                                       "new one in your OpenAI account.")  # fmt: skip
    if response.status_code == 404:
        return ConnectionResult(ERROR, f"No OpenAI-compatible service answers at {base}. Check the address "
                                       "(it usually ends in /v1).")  # fmt: skip
    if response.status_code >= 400:
        return ConnectionResult(ERROR, f"OpenAI answered with an error (HTTP {response.status_code}). Try again later.")
    try:
        names = {str(item.get("id")) for item in response.json().get("data", [])}
    except (ValueError, AttributeError):
        names = set()
    if model and names and model not in names:
        return ConnectionResult(WARNING, f"Your key works, but the model {model} is not available to it. Pick one "
                                         f"of: {', '.join(sorted(names)[:5])}.")  # fmt: skip
    return ConnectionResult(OK, f"Connected. Your key works and {model or 'the model'} is available for grading.")


def check_backend(url: str, token: str) -> ConnectionResult:
    """Asks the team backend for today's allowance: proves the address, the contract and the sign-in token."""
    if not url.strip():
        return ConnectionResult(WARNING, "No backend set: your calls stay on this computer. That is fine for solo "
                                         "practice.")  # fmt: skip
    problem = url_error(url, "The backend address", https_unless_local=True)
    if problem:
        return ConnectionResult(ERROR, problem)
    if not token:
        return ConnectionResult(ERROR, "Add your sign-in token to sync with your team's backend.")
    base = url.strip().rstrip("/")
    try:
        response = _get(base + "/api/v1/usage/today", {"Authorization": f"Bearer {token}"})
    except Exception as exc:
        return _network_words(exc, "the backend", base)
    if response.status_code in (401, 403):
        return ConnectionResult(ERROR, "The backend did not accept your sign-in token. Ask your team for a new one.")
    if response.status_code == 404:
        return ConnectionResult(ERROR, f"There is no Roleplay Trainer backend at {base}. Check the address.")
    if response.status_code >= 400:
        return ConnectionResult(ERROR, f"The backend answered with an error (HTTP {response.status_code}). "
                                       "Try again later.")  # fmt: skip
    try:
        usage = response.json()
        today, allowed = usage.get("sessions_today"), usage.get("max_sessions_per_day")
    except (ValueError, AttributeError):
        return ConnectionResult(ERROR, "The backend answered, but not like a Roleplay Trainer backend.")
    limit = f" of {allowed}" if allowed else ""
    return ConnectionResult(OK, f"Connected and signed in. Calls today: {today}{limit}.")

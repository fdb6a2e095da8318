"""`roleplay partner` as a user runs it, and who the partner plays: the trainee's own personas through the catalog,
or a persona it does not know, played from the call's variables."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import httpx2 as httpx
import pytest

from desktop.core.difficulty import Difficulty
from desktop.partner.server import PracticePartner
from tests.partner.partner_kit import (
    DALE,
    FAST,
    WAIT,
    Caller,
    config_for,
    new_caller,
)

pytestmark = pytest.mark.timeout(60)


# --- roleplay partner -----------------------------------------------------------------------------------------------


def _partner_command(*args: str, key: str = "") -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "ROLEPLAY_PARTNER_API_KEY"}
    return subprocess.Popen(
        [sys.executable, "-m", "desktop", "partner", *args],
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "ROLEPLAY_PARTNER_API_KEY": key} if key else env,
        # A test runner may have started us with Ctrl-C ignored; the command must see it like a terminal user would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def test_roleplay_partner_serves_until_ctrl_c_and_exits_cleanly() -> None:
    process = _partner_command("--port", "0", key="k")
    try:
        first = process.stdout.readline() if process.stdout else ""
        assert first.startswith("Practice partner listening on http://127.0.0.1:"), first
        url = first.split()[4]
        assert httpx.get(url + "/health").status_code == 200
        signed = httpx.get(url + "/v1/convai/conversation/get-signed-url", params={"agent_id": "a"})
        assert signed.status_code == 401
        keyed = {"xi-api-key": "k"}
        signed = httpx.get(url + "/v1/convai/conversation/get-signed-url", params={"agent_id": "a"}, headers=keyed)
        assert signed.status_code == 200 and "conversation_signature=" in signed.json()["signed_url"]
        ws_url = url.replace("http://", "ws://") + "/v1/convai/conversation?agent_id=a"
        assert httpx.get(ws_url.replace("ws://", "http://")).status_code == 403  # unsigned: refused
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=WAIT)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Practice partner stopped." in out


def test_roleplay_partner_refuses_a_key_on_the_command_line() -> None:
    process = _partner_command("--api-key", "visible-in-ps")
    out, err = process.communicate(timeout=WAIT)
    assert process.returncode == 2 and "ROLEPLAY_PARTNER_API_KEY" in err and "Practice partner listening" not in out


def test_roleplay_partner_on_a_busy_port_says_so() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        process = _partner_command("--port", str(busy.getsockname()[1]))
        out, err = process.communicate(timeout=WAIT)
    assert process.returncode == 2
    assert "Could not start the practice partner on port" in err and "--port" in err


# --- who the partner plays ------------------------------------------------------------------------------------------


def test_a_users_own_persona_is_found_through_the_catalog(repo, queries, callers: list[Caller]) -> None:
    from desktop.store.catalog import PersonaCatalog

    catalog = PersonaCatalog(queries)
    mine = catalog.save_user_persona(
        repo,
        {
            "name": "Gloria Vance",
            "property_type": "12 acres of orchard",
            "location": "Yakima County, WA",
            "motivation_level": "high",
            "conversation_style": "friendly",
            "objection_patterns": ["send it in writing"],
            "asking_price": 150000,
            "facts": {"size": "12 acres of apple trees, about 400 of them"},
        },
    )
    with PracticePartner(catalog, options=FAST, model=None, seed=1) as local:
        caller = new_caller(callers).start(local.http_url, config_for(Difficulty.BEGINNER, persona=mine))
        caller.wait_responses(1)
        answer = caller.say("Hi Gloria, I'm Sam. How big is the orchard?")
        assert local.wait_for(lambda calls: calls[-1].persona_id == mine.id)
    assert answer is not None and "400 of them" in answer


def test_a_persona_the_partner_does_not_know_is_played_from_the_variables(
    partner: PracticePartner, callers: list[Caller]
) -> None:
    stranger = DALE.__class__.from_dict(
        {**DALE.to_dict(), "id": "team-only-persona", "name": "Hank Tollerson", "asking_price": 61000, "facts": {}}
    )
    caller = new_caller(callers).start(partner.http_url, config_for(Difficulty.BEGINNER, persona=stranger))
    assert caller.wait_responses(1)[0] == config_for(Difficulty.BEGINNER, persona=stranger).first_message
    answer = caller.say("Hi Hank, I'm Sam. What number do you have in mind for it?")
    assert answer is not None and "$61,000" in answer
    assert partner.wait_for(lambda calls: calls[-1].persona_id == "team-only-persona")

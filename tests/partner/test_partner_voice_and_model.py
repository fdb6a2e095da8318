"""The practice partner's voice on a text-only call, and a seller played by a chat model (the fake OpenAI server), with
the rules answering when the model fails. Spoken turns are in test_partner_hearing.py."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from desktop.core.difficulty import Difficulty
from desktop.partner.model_seller import SellerModelConfig, clean_reply, trim_history
from desktop.partner.server import PracticePartner
from desktop.voice.agent.connection_end import EndKind
from desktop.voice.agent.messages import (
    AudioChunk,
)
from tests.fake_openai_server import FakeOpenAIServer, http_error, raw, reply, stall
from tests.partner.partner_kit import (
    FAST,
    Caller,
    config_for,
    new_caller,
    speech,
)

pytestmark = pytest.mark.timeout(60)


# --- the voice ------------------------------------------------------------------------------------------------------


def test_a_text_only_call_gets_no_audio_even_from_a_partner_with_a_voice(callers: list[Caller]) -> None:
    with PracticePartner(options=FAST, model=None, speech=lambda text: speech(500)) as speaking:
        caller = new_caller(callers).start(speaking.http_url, config_for(Difficulty.ROOKIE), text_only=True)
        caller.wait_responses(1)
        assert caller.say("Hi Dale, I'm Sam. How big is it?")
    assert caller.of(AudioChunk) == []


# --- a model-played seller ------------------------------------------------------------------------------------------


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


def model_partner(server: FakeOpenAIServer, **kw) -> PracticePartner:
    model = SellerModelConfig(api_key="test-key", base_url=server.base_url, model="fake-model", **kw)
    return PracticePartner(options=FAST, model=model, seed=3)


def test_the_model_plays_the_seller_with_the_clients_prompt_and_one_history(
    fake_openai: FakeOpenAIServer, callers: list[Caller]
) -> None:
    fake_openai.reply_with(lambda messages: f"*sighs* Reply number {len(messages)}.")
    config = config_for(Difficulty.PRO)
    with model_partner(fake_openai) as llm_partner:
        caller = new_caller(callers).start(llm_partner.http_url, config)
        assert caller.wait_responses(1)[0] == config.first_message
        first = caller.say("Hi Dale, this is Sam.")
        second = caller.say("How big is the property?")
    assert (first, second) == ("Reply number 3.", "Reply number 5.")  # stage directions are not spoken
    last = fake_openai.requests[-1]
    assert last["model"] == "fake-model"
    assert last["messages"][0] == {"role": "system", "content": config.system_prompt}
    assert [m["role"] for m in last["messages"][1:]] == ["assistant", "user", "assistant", "user"]
    assert last["messages"][1]["content"] == config.first_message and last["messages"][-1]["content"].startswith("How")


def test_a_model_error_is_answered_by_rule_for_that_turn(fake_openai: FakeOpenAIServer, callers: list[Caller]) -> None:
    fake_openai.script([http_error(500), stall(), reply("Back to the model.")])
    with model_partner(fake_openai, timeout=0.5) as llm_partner:
        caller = new_caller(callers).start(llm_partner.http_url, config_for(Difficulty.BEGINNER))
        caller.wait_responses(1)
        by_rule = caller.say("Hi Dale, I'm Sam. How many acres is it?")
        after_timeout = caller.say("And is there power out there?")
        by_model = caller.say("What has you thinking about selling?")
        fake_openai.release_stalls()
        caller.conn.close()
        assert llm_partner.wait_for(lambda calls: calls[-1].ended)
        record = llm_partner.conversations()[-1]
    assert by_rule is not None and "38 acres" in by_rule
    assert after_timeout is not None and "power" in after_timeout.lower()
    assert by_model == "Back to the model."
    assert record.fallbacks == 2 and record.played_by == "fake-model"


def test_the_model_can_hang_up_with_the_end_call_tool(fake_openai: FakeOpenAIServer, callers: list[Caller]) -> None:
    message = {
        "role": "assistant",
        "content": "I'm done here. Goodbye.",
        "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "end_call", "arguments": "{}"}}],
    }
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "fake-model",
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}],
    }
    fake_openai.script([raw(200, json.dumps(body))])
    with model_partner(fake_openai) as llm_partner:
        caller = new_caller(callers).start(llm_partner.http_url, config_for(Difficulty.PRO))
        caller.wait_responses(1)
        caller.conn.send_text("Take it or leave it.")
        end = caller.wait_end()
    assert caller.responses()[-1] == "I'm done here. Goodbye." and end.kind is EndKind.AGENT_ENDED
    assert fake_openai.requests[0]["tools"][0]["function"]["name"] == "end_call"


def test_a_long_call_is_trimmed_to_the_models_context(fake_openai: FakeOpenAIServer, callers: list[Caller]) -> None:
    fake_openai.reply_with(lambda messages: "Mm-hm, go on. " * 10)
    with model_partner(fake_openai, max_context_tokens=400) as llm_partner:
        caller = new_caller(callers).start(llm_partner.http_url, config_for(Difficulty.ROOKIE))
        caller.wait_responses(1)
        for n in range(8):
            assert caller.say(f"Tell me more about the land, part {n}, " + "and the road " * 10)
    sizes = [len(r["messages"]) for r in fake_openai.requests]
    assert sizes[-1] < 2 + 2 * 8  # older turns were dropped...
    last = fake_openai.requests[-1]["messages"]
    assert last[0]["role"] == "system" and "part 7" in last[-1]["content"]  # ...never the prompt or the newest


def test_trim_history_keeps_the_prompt_and_the_newest_turns() -> None:
    system = {"role": "system", "content": "x" * 400}  # about 104 tokens
    history = [{"role": "user", "content": f"{i} " + "y" * 200} for i in range(10)]  # about 55 tokens each
    kept = trim_history(system, history, budget_tokens=300)
    assert kept[0] is system and kept[1:] == history[-3:]
    assert trim_history(system, history, budget_tokens=10) == [system, history[-1]]
    assert clean_reply('"**Well,** [pauses] I guess so."') == "Well, I guess so."

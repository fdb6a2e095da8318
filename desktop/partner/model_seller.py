"""The practice partner's seller played by an OpenAI-compatible chat model, with the rules brain as a safety net.

The model gets the system prompt the client sent (the same prompt an ElevenLabs agent would get) and one
conversation history for the whole call, trimmed to fit its context (the system prompt and the newest turns are
always kept). It can hang up through an `end_call` tool, as an ElevenLabs agent does. The rules brain hears every turn
too, so when the model fails (no answer in time, an HTTP error, an empty reply) that one turn is answered by rule
and the call goes on. Drills still end after their exchanges whatever the model says.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from typing import Any

from desktop.partner.seller import lines as say
from desktop.partner.seller.brain import SellerBrain, SellerTurn
from desktop.secure_urls import insecure_key_message

log = logging.getLogger(__name__)

DEFAULT_MODEL = "gpt-4o-mini"
INAUDIBLE = "(inaudible)"
_STAGE_DIRECTION_RE = re.compile(r"\*[^*]{0,200}\*|\[[^\]]{0,200}\]|\([^)]{0,80}(?:sighs|laughs|pauses)[^)]{0,80}\)")
_END_CALL_TOOL = {
    "type": "function",
    "function": {
        "name": "end_call",
        "description": "Hang up. Call it after your goodbye, when the call is over or your patience has run out.",
        "parameters": {"type": "object", "properties": {}, "additionalProperties": False},
    },
}


@dataclass(frozen=True)
class SellerModelConfig:
    """Where the model lives. `max_context_tokens` bounds what is sent each turn, prompt included."""

    api_key: str
    model: str = DEFAULT_MODEL
    base_url: str | None = None
    timeout: float = 15.0
    max_context_tokens: int = 6000
    max_reply_tokens: int = 160


def seller_model_config(settings: Any | None = None) -> SellerModelConfig | None:
    """The model to play the seller, or None when no OpenAI key is set (the rules play it then).

    The key comes from OPENAI_API_KEY or the keyring; the base URL from OPENAI_BASE_URL or settings; the model from
    settings `openai_model`.
    """
    from desktop import secrets

    key = secrets.get_secret("openai_api_key")
    if not key:
        return None
    base_url = os.environ.get("OPENAI_BASE_URL") or getattr(settings, "openai_base_url", "") or None
    model = getattr(settings, "openai_model", "") or DEFAULT_MODEL
    return SellerModelConfig(api_key=key, model=model, base_url=base_url)


def estimate_tokens(message: dict[str, Any]) -> int:
    # About four characters a token in English, plus the per-message framing; close enough to stay under a limit.
    return len(str(message.get("content") or "")) // 4 + 4


def trim_history(system: dict[str, Any], history: list[dict[str, Any]], budget_tokens: int) -> list[dict[str, Any]]:
    """The system message, then as many of the newest messages as fit the budget (always at least the newest)."""
    room = budget_tokens - estimate_tokens(system)
    kept: list[dict[str, Any]] = []
    for message in reversed(history):
        cost = estimate_tokens(message)
        if kept and cost > room:
            break
        kept.append(message)
        room -= cost
    kept.reverse()
    return [system, *kept]


def clean_reply(text: str) -> str:
    """What the seller says aloud: no stage directions, no markdown, one line."""
    text = _STAGE_DIRECTION_RE.sub(" ", text)
    text = text.replace("**", "").replace("__", "").strip().strip('"').strip()
    return " ".join(text.split())


class LlmSeller:
    """One call's model-played seller. `reply` is a coroutine: it runs on the partner's loop and never blocks it."""

    def __init__(
        self,
        config: SellerModelConfig,
        system_prompt: str,
        rules: SellerBrain,
        *,
        client: Any | None = None,
    ) -> None:
        self.config = config
        self.rules = rules
        self.system_prompt = system_prompt
        self.history: list[dict[str, Any]] = []
        self.fallbacks = 0  # turns the rules answered because the model failed
        # The Bearer key goes only to https or this computer (desktop/secure_urls.py); otherwise the rules play.
        self._insecure = insecure_key_message("the OpenAI API key", config.base_url or "https://")
        if self._insecure and client is None:
            log.warning("the seller model is not used: %s", self._insecure)
        elif client is None:
            from openai import AsyncOpenAI  # heavy import, only when a model is configured

            client = AsyncOpenAI(
                api_key=config.api_key, base_url=config.base_url, timeout=config.timeout, max_retries=0
            )
        self._client = client

    def greeting(self) -> SellerTurn:
        turn = self.rules.greeting()
        self.history.append({"role": "assistant", "content": turn.text})
        return turn

    def add_context(self, text: str) -> None:
        """A `contextual_update` from the client: background for the model, never said aloud."""
        self.history.append({"role": "system", "content": f"Background update (do not read it out): {text}"})

    async def reply(self, trainee_text: str, *, talked_over: bool = False) -> SellerTurn:
        rule_turn = self._rules_reply(trainee_text, talked_over)
        self.history.append({"role": "user", "content": trainee_text})
        drill_over = rule_turn is not None and rule_turn.end_reason == "drill_done"
        try:
            text, hang_up = await self._ask_model(drill_over)
        except Exception as exc:  # any model failure: this turn is played by rule, the call goes on
            self.fallbacks += 1
            log.warning("seller model failed (%s: %s); this turn is answered by rule", type(exc).__name__, exc)
            turn = rule_turn or SellerTurn(say.UNHEARD[0])
            self.history.append({"role": "assistant", "content": turn.text})
            return turn
        end = hang_up or drill_over
        self.history.append({"role": "assistant", "content": text})
        return SellerTurn(text, end_call=end, end_reason=("drill_done" if drill_over else "end_call") if end else "")

    def reply_unheard(self) -> SellerTurn:
        """Spoken turns cannot be transcribed, so the rules answer them; the model sees them as inaudible."""
        turn = self.rules.reply_unheard() if not self.rules.ended else SellerTurn(say.UNHEARD[0])
        self.history.append({"role": "user", "content": INAUDIBLE})
        self.history.append({"role": "assistant", "content": turn.text})
        return turn

    async def close(self) -> None:
        if self._client is None:
            return
        try:
            await self._client.close()
        except Exception:
            log.debug("closing the seller model client failed", exc_info=True)

    def _rules_reply(self, text: str, talked_over: bool) -> SellerTurn | None:
        # The rules follow the whole call so their fallback lines fit it; once they would have hung up they stop.
        if self.rules.ended:
            return None
        return self.rules.reply(text, talked_over=talked_over)

    async def _ask_model(self, drill_over: bool) -> tuple[str, bool]:
        if self._client is None:
            raise ConnectionRefusedError(self._insecure)
        system = {"role": "system", "content": self.system_prompt}
        messages = trim_history(system, self.history, self.config.max_context_tokens)
        if drill_over:
            messages.append(
                {"role": "system", "content": "The drill is over: say one short closing sentence and end the call."}
            )
        response = await self._client.chat.completions.create(
            model=self.config.model,
            messages=messages,
            max_tokens=self.config.max_reply_tokens,
            tools=[_END_CALL_TOOL],
        )
        message = response.choices[0].message
        calls = getattr(message, "tool_calls", None) or []
        hang_up = any(getattr(getattr(call, "function", None), "name", "") == "end_call" for call in calls)
        text = clean_reply(message.content or "")
        if not text:
            if not hang_up:
                raise ValueError("the model returned an empty reply")
            text = say.GOODBYE_PLAIN[0]
        return text, hang_up

"""The OpenAI grader: model first, rules always.

`ModelFirstGrader` grades a session with the configured chat model (OpenAI, or any OpenAI-compatible server such as
Ollama or LM Studio through the base URL) and always returns a grade: when there is no key, the model times out,
cannot be reached, refuses, stays rate-limited after retries, fails, or answers with something that is not a valid
grade, the rule-based grade is returned instead, marked `heuristic`, with the reason in its note. When the model does
grade, the rule-based grade is kept beside it, and a large disagreement is flagged; when the trainee spoke to the
grader (`core.untrusted.injection` finds it in any language or disguise) and the model's grade is more than 10
points above the rules', the model is taken to have been steered and is set aside.

Neither the API key nor the transcript is ever logged at INFO or above.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from desktop.core.difficulty import Difficulty
from desktop.core.results import Grade
from desktop.core.transcript import Speaker
from desktop.grading.prompt import build_grading_prompt
from desktop.grading.schema import RESPONSE_FORMAT, InvalidGrade, parse_content, sanitise
from desktop.retry_after import retry_after_seconds
from desktop.secure_urls import insecure_key_message
from desktop.store.records import SessionRecord

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 30.0
TIMEOUT_ENV = "ROLEPLAY_GRADING_TIMEOUT_S"
# Overall points between the model's grade and the rules' that make the pair worth a second look.
DISAGREEMENT_POINTS = 25
# When the trainee spoke to the grader, a model grade more than this above the rules' is taken to have obeyed.
STEERING_TOLERANCE_POINTS = 10
# A local OpenAI-compatible server (Ollama, LM Studio) needs no key, but the client insists on one.
LOCAL_SERVER_KEY = "not-needed"

# Why the rule-based grade was used (the code), and how the note says it.
NO_KEY = "no_key"
TIMEOUT = "timeout"
NETWORK = "network"
REFUSED = "refused"
RATE_LIMITED = "rate_limited"
SERVER_ERROR = "server_error"
REJECTED = "rejected"
INVALID_OUTPUT = "invalid_output"
STEERED = "steered"
GRADER_ERROR = "grader_error"
INSECURE_URL = "insecure_url"
REASONS = {
    NO_KEY: "no OpenAI API key is set",
    INSECURE_URL: "the model's address is not https, so the key was not sent",
    TIMEOUT: "the model did not answer in time",
    NETWORK: "the model's server could not be reached",
    REFUSED: "the model refused to grade the call",
    RATE_LIMITED: "the model's rate limit was still hit after retrying",
    SERVER_ERROR: "the model's server failed",
    REJECTED: "the model's server rejected the request",
    INVALID_OUTPUT: "the model's answer was not a valid grade",
    STEERED: "the model's grade followed what the trainee told the grader",
    GRADER_ERROR: "the grader failed unexpectedly",
}
COMPARISON_NOTE = "rule-based grade, kept beside the model's for comparison"


@dataclass(frozen=True)
class GraderConfig:
    api_key: str | None = field(default=None, repr=False)
    model: str = "gpt-4o-mini"
    base_url: str | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_attempts: int = 3  # for rate limits and server errors; a timeout or a dead network is not retried
    max_retry_wait_s: float = 20.0  # all waits between attempts together, Retry-After included
    backoff_s: float = 1.0  # first wait when the server gives no Retry-After; doubles each time

    @property
    def usable(self) -> bool:
        return bool(self.api_key or self.base_url)

    @classmethod
    def current(cls) -> GraderConfig:
        """From the user's settings, the keyring (OPENAI_API_KEY wins) and the environment, read now."""
        from desktop import secrets as app_secrets
        from desktop import settings as app_settings

        settings = app_settings.load_settings()
        base_url = settings.openai_base_url.strip() or os.environ.get("OPENAI_BASE_URL", "").strip()
        return cls(
            api_key=app_secrets.get_secret("openai_api_key"),
            model=settings.openai_model.strip() or cls.model,
            base_url=base_url or None,
            timeout_s=_positive_float(os.environ.get(TIMEOUT_ENV), None)
            or _positive_float(str(settings.grading_timeout_s), None)
            or DEFAULT_TIMEOUT_S,
        )


@dataclass(frozen=True)
class GradingOutcome:
    """What grading one session produced: the session's grade, the rule-based grade kept beside a model grade,
    and, when the rules had to stand in, why (a code from REASONS) with technical detail for the log."""

    grade: Grade
    beside: Grade | None = None
    fallback_reason: str = ""
    detail: str = ""


class GradingUnavailable(Exception):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class GradingCancelled(Exception):
    """The grader was stopped while waiting to retry; the session stays queued for the next start."""


class ModelFirstGrader:
    def __init__(
        self,
        rules: Callable[[SessionRecord], Grade],
        config: GraderConfig | Callable[[], GraderConfig] = GraderConfig.current,
        *,
        stop: threading.Event | None = None,
    ) -> None:
        """rules: the rule-based grader. config: fixed, or read for each session (so a key added in Settings is
        used from the next call on). stop: set it to abandon a wait between retries."""
        self._rules = rules
        self._config = config if callable(config) else (lambda: config)
        self._stop = stop or threading.Event()
        # Building a client costs about 30 ms (an SSL context, a connection pool): one per configuration is kept.
        self._client = None
        self._client_for: tuple | None = None
        self._client_lock = threading.Lock()

    def close(self) -> None:
        with self._client_lock:
            if self._client is not None:
                self._client.close()
            self._client, self._client_for = None, None

    def _client_of(self, config: GraderConfig):
        import openai  # about 0.4 s to import: only paid when a model is configured

        wanted = (config.api_key, config.base_url, config.timeout_s)
        with self._client_lock:
            if self._client is None or self._client_for != wanted:
                if self._client is not None:
                    self._client.close()
                self._client = openai.OpenAI(
                    api_key=config.api_key or LOCAL_SERVER_KEY,
                    base_url=config.base_url,
                    timeout=config.timeout_s,
                    max_retries=0,  # our own loop: it honours Retry-After and caps the total wait
                )
                self._client_for = wanted
            return self._client

    def __call__(self, record: SessionRecord) -> GradingOutcome:
        rules = self._rules(record)  # the fallback, and the cross-check of any model grade
        config = self._config()
        if not config.usable:
            return _fallback(record, rules, NO_KEY)
        insecure = config.api_key and insecure_key_message("the OpenAI API key", config.base_url or "https://")
        if insecure:  # the Bearer key would cross the network in the clear: the rules grade instead
            return _fallback(record, rules, INSECURE_URL, insecure)
        if not any(line.speaker == Speaker.TRAINEE for line in record.lines):
            return GradingOutcome(rules)  # the trainee said nothing: there is nothing for a model to judge
        prompt = build_grading_prompt(
            record.lines,
            persona=record.persona,
            scenario=record.scenario,
            difficulty=record.summary.difficulty,
            mode=record.summary.mode,
            metrics=record.metrics,
        )
        started = time.monotonic()
        try:
            content = request_grade(self._client_of(config), config, prompt.messages, self._stop)
            checked = sanitise(
                parse_content(content),
                record.lines,
                grader=f"openai:{config.model}",
                difficulty=_difficulty(record.summary.difficulty),
            )
        except GradingUnavailable as exc:
            return _fallback(record, rules, exc.reason, exc.detail)
        except InvalidGrade as exc:
            return _fallback(record, rules, INVALID_OUTPUT, str(exc))
        model = checked.grade
        if checked.clamped_scores or checked.dropped_quotes:
            log.info(
                "session %s: clamped %s, dropped %d invented quote(s)",
                record.id,
                ", ".join(checked.clamped_scores) or "nothing",
                len(checked.dropped_quotes),
            )
        gap = model.overall - rules.overall
        if prompt.steering_lines and gap > STEERING_TOLERANCE_POINTS:
            note = (
                f"{REASONS[STEERED]}: the model gave {model.overall} after the trainee spoke to the grader, "
                f"{gap} points above this rule-based grade"
            )
            log.warning(
                "session %s: model grade set aside (model %s, rules %s)", record.id, model.overall, rules.overall
            )
            return GradingOutcome(replace(rules, note=note), None, STEERED, f"model {model.overall}")
        log.info("session %s graded by %s in %.1f s", record.id, model.grader, time.monotonic() - started)
        note = ""
        if abs(gap) >= DISAGREEMENT_POINTS:
            direction = "lower" if gap > 0 else "higher"
            note = f"the rule-based grade was {rules.overall}, {abs(gap)} points {direction}: worth a second look"
        return GradingOutcome(replace(model, note=note), replace(rules, note=COMPARISON_NOTE))


def _fallback(record: SessionRecord, rules: Grade, reason: str, detail: str = "") -> GradingOutcome:
    if reason != NO_KEY:
        log.warning("session %s graded by rules: %s (%s)", record.id, REASONS[reason], detail or "no detail")
    # Stored and shown to the user: the reason only, never a command; the feedback offers "Grade again".
    note = REASONS[reason]
    return GradingOutcome(replace(rules, note=note), None, reason, detail)


def request_grade(client, config: GraderConfig, messages: list[dict[str, str]], stop: threading.Event) -> str:
    """The model's answer (the message content), after retrying rate limits and server errors within the
    config's budget. Raises GradingUnavailable with a reason code, or GradingCancelled when stopped."""
    import openai

    waited = 0.0
    for attempt in range(max(1, config.max_attempts)):
        try:
            response = client.chat.completions.create(
                model=config.model, messages=messages, response_format=RESPONSE_FORMAT
            )
            return _content(response)
        except openai.APITimeoutError:
            raise GradingUnavailable(TIMEOUT, f"no answer within {config.timeout_s:g} s") from None
        except openai.APIConnectionError as exc:
            raise GradingUnavailable(NETWORK, type(exc).__name__) from None
        except (openai.RateLimitError, openai.InternalServerError) as exc:
            reason = RATE_LIMITED if exc.status_code == 429 else SERVER_ERROR
            detail = f"HTTP {exc.status_code} after {attempt + 1} attempt(s)"
            if attempt + 1 >= config.max_attempts:
                raise GradingUnavailable(reason, detail) from None
            delay = retry_delay(exc.response.headers, attempt, config.backoff_s)
            if waited + delay > config.max_retry_wait_s:
                raise GradingUnavailable(reason, f"{detail}; asked to wait {delay:g} s") from None
            log.info("model busy (HTTP %s); retrying in %.2f s", exc.status_code, delay)
            if stop.wait(delay):
                raise GradingCancelled() from None
            waited += delay
        except openai.APIStatusError as exc:
            raise GradingUnavailable(REJECTED, f"HTTP {exc.status_code}") from None
        except GradingUnavailable:
            raise
        except Exception as exc:  # a 200 whose body is not a chat completion
            log.debug("unreadable model response", exc_info=True)
            raise GradingUnavailable(INVALID_OUTPUT, type(exc).__name__) from None
    raise AssertionError("unreachable")


def _content(response) -> str:
    choice = response.choices[0] if response.choices else None
    if choice is None:
        raise GradingUnavailable(INVALID_OUTPUT, "no choices in the answer")
    message = choice.message
    if getattr(message, "refusal", None) or choice.finish_reason == "content_filter":
        raise GradingUnavailable(REFUSED, f"finish_reason {choice.finish_reason}")
    if choice.finish_reason == "length":
        raise GradingUnavailable(INVALID_OUTPUT, "the answer was cut off at the token limit")
    return message.content or ""


def retry_delay(headers: Mapping[str, str], attempt: int, backoff_s: float) -> float:
    """Seconds to wait before the next attempt: what the server asked for (desktop.retry_after, the same reading
    as sync's), else exponential backoff."""
    asked = retry_after_seconds(headers)
    return asked if asked is not None else backoff_s * (2**attempt)


def _positive_float(text: str | None, default: float | None) -> float | None:
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return default
    return value if value is not None and value >= 0 else default


def _difficulty(text: str) -> Difficulty:
    try:
        return Difficulty.parse(text)
    except ValueError:
        return Difficulty.ROOKIE

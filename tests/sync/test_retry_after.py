"""One reading of Retry-After for sync and the grader (issue 14, item 21): the same headers mean the same wait."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx2 as httpx
import pytest

from desktop.grading.llm import retry_delay
from desktop.sync.client import BackendClient
from desktop.sync.errors import RateLimited

HTTP_DATE_IN_90_S = "in 90 s"  # made when the test runs: a date made at collection goes stale in a long run


def sync_wait(headers: dict[str, str]) -> float | None:
    client = BackendClient.__new__(BackendClient)
    response = httpx.Response(429, headers=headers, request=httpx.Request("PUT", "https://team.example/api/x"))
    with pytest.raises(RateLimited) as limited:
        client._raise_for_status(response)
    return limited.value.retry_after_s


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "120"}, 120.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
        ({"Retry-After": HTTP_DATE_IN_90_S}, 90.0),
    ],
)
def test_sync_and_the_grader_wait_the_same(headers: dict[str, str], seconds: float):
    if headers.get("Retry-After") == HTTP_DATE_IN_90_S:
        headers = {"Retry-After": format_datetime(datetime.now(timezone.utc) + timedelta(seconds=90), usegmt=True)}
    assert sync_wait(headers) == pytest.approx(seconds, abs=1.5)
    assert retry_delay(headers, attempt=0, backoff_s=7.0) == pytest.approx(seconds, abs=1.5)


@pytest.mark.parametrize("headers", [{}, {"Retry-After": "soon"}, {"Retry-After": "-3"}, {"Retry-After": "nan"}])
def test_nothing_readable_means_the_usual_backoff(headers: dict[str, str]):
    assert sync_wait(headers) is None
    assert retry_delay(headers, attempt=1, backoff_s=7.0) == 14.0

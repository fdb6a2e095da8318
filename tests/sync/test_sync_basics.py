"""The pure parts of sync: the https rule, backoff with jitter, Retry-After, and the visible sync state."""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from desktop.settings import Settings, load_settings
from desktop.sync.backoff import RetryPolicy
from desktop.sync.client import parse_retry_after
from desktop.sync.config import backend_url, check_base_url, load_config
from desktop.sync.errors import BackendNotConfigured, InsecureBackendUrl, SignInNeeded
from desktop.sync.status import RejectedSession, SyncPhase, SyncState, SyncStatus


@pytest.mark.parametrize(
    "url",
    ["https://team.example.com", "https://team.example.com/base/", "http://127.0.0.1:8080", "http://localhost:9000",
     "http://[::1]:8000", "http://127.5.0.1"],
)  # fmt: skip
def test_https_or_loopback_addresses_are_accepted(url: str):
    assert check_base_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    "url, words",
    [
        ("http://team.example.com", "must start with https://"),
        ("http://10.0.0.5:8000", "must start with https://"),
        ("http://localhost.evil.com", "must start with https://"),
        ("ftp://team.example.com", "is not a web address"),
        ("team.example.com", "is not a web address"),
        ("https://sam:secret@team.example.com", "must not contain a user name or password"),
        ("https://team.example.com/?token=abc", "must not contain '?'"),
    ],
)
def test_other_addresses_are_refused_with_a_clear_message(url: str, words: str):
    with pytest.raises(InsecureBackendUrl) as caught:
        check_base_url(url)
    assert words in caught.value.message
    assert "secret" not in caught.value.message and "abc" not in caught.value.message


def test_the_environment_overrides_settings_and_a_missing_token_asks_for_sign_in(monkeypatch):
    with pytest.raises(BackendNotConfigured, match="No team backend"):
        backend_url(Settings())
    settings = Settings(backend_url="https://settings.example.com")
    assert backend_url(settings) == "https://settings.example.com"
    monkeypatch.setenv("ROLEPLAY_BACKEND_URL", "http://127.0.0.1:9")
    assert backend_url(settings) == "http://127.0.0.1:9"
    with pytest.raises(SignInNeeded, match="Sign in"):
        load_config(settings)
    monkeypatch.setenv("ROLEPLAY_BACKEND_TOKEN", "tok-123")
    config = load_config(settings)
    assert config.token == "tok-123" and "tok-123" not in repr(config)


def test_the_device_id_is_made_once_per_install():
    first = load_settings().device_id
    assert first and load_settings().device_id == first


def test_backoff_starts_near_two_seconds_doubles_and_is_capped():
    policy = RetryPolicy(rng=random.Random(7))
    firsts = [policy.delay(1) for _ in range(200)]
    assert 1.0 <= min(firsts) and max(firsts) <= 3.0
    assert len({round(d, 3) for d in firsts}) > 150  # jittered, not one value
    nominal = [RetryPolicy(jitter=0.0).delay(n) for n in range(1, 12)]
    assert nominal[:5] == [2.0, 4.0, 8.0, 16.0, 32.0]
    assert nominal[-1] == 300.0
    assert max(policy.delay(n) for n in range(1, 10_000, 37)) <= 300.0  # a days-long outage stays capped


def test_retry_after_is_obeyed_within_reason():
    policy = RetryPolicy(rng=random.Random(1), max_retry_after_s=600)
    assert policy.retry_after(7.0, failures=3) == 7.0
    assert policy.retry_after(86_400.0, failures=1) == 600
    assert 1.0 <= policy.retry_after(None, failures=1) <= 3.0


def test_retry_after_header_forms():
    now = datetime(2026, 11, 20, 15, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=90), usegmt=True), now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


@pytest.mark.parametrize(
    "state, phase, label",
    [
        (SyncState(), SyncPhase.OFF, "Sync off"),
        (SyncState(configured=True), SyncPhase.SYNCED, "Synced"),
        (SyncState(configured=True, pending=3), SyncPhase.PENDING, "3 to sync"),
        (SyncState(configured=True, pending=3, offline=True), SyncPhase.OFFLINE, "Offline"),
        (SyncState(configured=True, pending=3, offline=True, sign_in_needed=True), SyncPhase.SIGN_IN_NEEDED,
         "Sign in needed"),
        (SyncState(configured=True, rejected=(RejectedSession(4, "too short"),)), SyncPhase.REJECTED, "1 not accepted"),
    ],
)  # fmt: skip
def test_the_state_names_its_phase(state: SyncState, phase: SyncPhase, label: str):
    assert state.phase is phase
    assert state.label == label
    assert state.description


def test_a_rejection_is_described_with_the_servers_reason():
    state = SyncState(configured=True, rejected=(RejectedSession(4, "transcript: too short"), RejectedSession(9, "x")))
    assert state.description == "Session 4 was not accepted: transcript: too short (1 more)"
    assert "2 sessions will sync" in SyncState(configured=True, offline=True, pending=2).description


def test_listeners_hear_each_change_once_in_order_and_waiters_wake():
    status = SyncStatus(SyncState(configured=True))
    heard: list[SyncState] = []
    remove = status.add_listener(heard.append)
    status.update(pending=2)
    status.update(pending=2)  # no change, no call
    status.update(pending=0)
    assert [s.pending for s in heard] == [2, 0]

    reached = threading.Event()
    waiter = threading.Thread(target=lambda: status.wait_for(lambda s: s.offline, 10) and reached.set())
    waiter.start()
    status.update(offline=True)
    waiter.join(10)
    assert reached.is_set()
    remove()
    status.update(offline=False)
    assert len(heard) == 3


def test_a_failing_listener_does_not_stop_the_others():
    status = SyncStatus()
    heard = []
    status.add_listener(lambda state: 1 / 0)
    status.add_listener(heard.append)
    status.update(configured=True)
    assert heard and heard[0].phase is SyncPhase.SYNCED

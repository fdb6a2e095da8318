"""The `roleplay-server` commands as a team runs them: init, add-member, create-token, backup."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import ADMIN_PASSWORD
from live_server import discard, make_server


@pytest.fixture
def fresh():
    server = make_server()
    yield server
    discard(server)


def test_init_needs_a_password_it_can_trust(fresh):
    result = fresh.cli("init", "--team", "T", "--admin", "a@t.example", input_text="")
    assert result.returncode == 2 and "ROLEPLAY_SERVER_ADMIN_PASSWORD" in result.stderr
    weak = fresh.cli("init", "--team", "T", "--admin", "a@t.example", ROLEPLAY_SERVER_ADMIN_PASSWORD="123")
    assert weak.returncode == 2 and "too short" in weak.stderr


def test_init_add_member_create_token_and_backup(fresh, tmp_path):
    env = {"ROLEPLAY_SERVER_ADMIN_PASSWORD": ADMIN_PASSWORD}
    result = fresh.cli("init", "--team", "Acme", "--admin", "Boss@Acme.example", **env)
    assert result.returncode == 0, result.stderr
    assert "http://127.0.0.1:8765/accounts/login/" in result.stdout
    assert ADMIN_PASSWORD not in result.stdout + result.stderr
    added = fresh.cli("add-member", "sam@acme.example", "--role", "coach", "--url", "https://team.example")
    assert added.returncode == 0 and "https://team.example/accounts/reset/" in added.stdout
    again = fresh.cli("add-member", "sam@acme.example")
    assert again.returncode == 2 and "already has an account" in again.stderr
    token = fresh.cli("create-token", "sam@acme.example", "--device", "laptop")
    assert token.returncode == 0 and token.stdout.count("\n") == 1 and token.stdout.startswith("rpt_")
    missing = fresh.cli("create-token", "nobody@acme.example")
    assert missing.returncode == 2 and "no member" in missing.stderr
    copy = tmp_path / "backup.sqlite3"
    assert fresh.cli("backup", str(copy)).returncode == 0
    with sqlite3.connect(copy) as db:
        emails = {row[0] for row in db.execute("SELECT email FROM auth_user")}
        digests = [row[0] for row in db.execute("SELECT digest FROM team_devicetoken")]
    assert emails == {"boss@acme.example", "sam@acme.example"}
    assert digests and token.stdout.strip() not in digests  # only the hash is stored
    assert (fresh.data / "roleplay-server.sqlite3").exists()


def test_backup_on_postgresql_says_how(pg_cluster):
    server = make_server(pg_cluster.url)
    try:
        result = server.cli("backup", "/tmp/never-written.sqlite3")
        assert result.returncode == 2 and "pg_dump" in result.stderr
    finally:
        discard(server)

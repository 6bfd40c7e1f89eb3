from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest

from processes import run_cli, serving

ME = {"query": "{ me { name email role } users { email } }"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_create_account_prints_a_token_that_a_served_instance_accepts(database_url: str) -> None:
    # given
    out = run_cli(database_url, "create-account", "Acme", "--admin-email", "boss@acme.example")
    token = out.strip()
    user_token = run_cli(
        database_url, "create-user", "--account", "Acme", "--email", "sam@acme.example", "--name", "Sam"
    ).strip()
    # then: each command printed the token alone
    assert out == token + "\n"
    assert token.startswith("trb_")
    assert " " not in token
    # when
    with serving(database_url) as server:
        admin = httpx.post(f"{server.url}/graphql", json=ME, headers=bearer(token), timeout=10).json()
        user = httpx.post(f"{server.url}/graphql", json=ME, headers=bearer(user_token), timeout=10).json()
        anonymous = httpx.post(f"{server.url}/graphql", json=ME, timeout=10)
    # then
    assert admin["data"]["me"] == {"name": "boss@acme.example", "email": "boss@acme.example", "role": "ADMIN"}
    assert user["data"]["me"]["role"] == "USER"
    assert sorted(u["email"] for u in admin["data"]["users"]) == ["boss@acme.example", "sam@acme.example"]
    assert anonymous.status_code == 401


def test_serve_demo_fills_once_and_prints_a_fresh_admin_token_on_every_start(database_url: str) -> None:
    query = {"query": "{ me { role } sources { name } companies { totalCount } }"}
    with serving(database_url, "--demo") as first:
        token_line = first.first_lines[0]
        token = token_line.removeprefix("Demo admin token: ")
        data = httpx.post(f"{first.url}/graphql", json=query, headers=bearer(token), timeout=10).json()[
            "data"
        ]
    assert token_line.startswith("Demo admin token: trb_")
    assert '"Authorization": "Bearer ' in first.first_lines[1]
    assert first.first_lines[2].startswith(f"Statistics page at {first.url}/stats")
    assert data["me"]["role"] == "ADMIN"
    assert len(data["sources"]) >= 3
    assert data["companies"]["totalCount"] >= 3

    with serving(database_url, "--demo") as second:
        again = second.first_lines[0].removeprefix("Demo admin token: ")
        data2 = httpx.post(f"{second.url}/graphql", json=query, headers=bearer(again), timeout=10).json()[
            "data"
        ]
    assert again != token
    assert data2 == data
    # and only the token printed last works
    with serving(database_url) as third:
        old = httpx.post(f"{third.url}/graphql", json=query, headers=bearer(token), timeout=10)
        new = httpx.post(f"{third.url}/graphql", json=query, headers=bearer(again), timeout=10)
    assert old.status_code == 401
    assert new.json()["data"] == data


def test_revoke_tokens_revokes_a_users_or_the_whole_accounts_tokens(database_url: str) -> None:
    # given: an admin and two users
    admin = run_cli(database_url, "create-account", "Acme", "--admin-email", "boss@acme.example").strip()
    sam = run_cli(database_url, "create-user", "--account", "Acme", "--email", "sam@acme.example").strip()
    kim = run_cli(database_url, "create-user", "--account", "Acme", "--email", "kim@acme.example").strip()
    with serving(database_url) as server:

        def status(token: str) -> int:
            return httpx.post(f"{server.url}/graphql", json=ME, headers=bearer(token), timeout=10).status_code

        # when: one user's tokens (the email matched ignoring case), while the server runs
        one = run_cli(database_url, "revoke-tokens", "--account", "Acme", "--email", "SAM@acme.example")
        # then
        assert one == "1\n"
        assert (status(admin), status(sam), status(kim)) == (200, 401, 200)
        # when: a new token for sam, then every token of the account
        fresh = run_cli(
            database_url, "create-token", "--account", "Acme", "--email", "sam@acme.example"
        ).strip()
        assert status(fresh) == 200
        everything = run_cli(database_url, "revoke-tokens", "--account", "Acme")
        # then
        assert everything == "3\n"
        assert (status(admin), status(fresh), status(kim)) == (401, 401, 401)


def test_revoke_tokens_of_an_unknown_user_fails_cleanly(database_url: str) -> None:
    import subprocess

    from processes import TRIBUTARY, env_for

    run_cli(database_url, "create-account", "Acme", "--admin-email", "boss@acme.example")
    done = subprocess.run(
        [*TRIBUTARY, "revoke-tokens", "--account", "Acme", "--email", "nobody@acme.example"],
        env=env_for(database_url), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert done.stdout == ""
    assert "no user with email 'nobody@acme.example' in account 'Acme'" in done.stderr
    assert "Traceback" not in done.stderr


def test_create_user_for_an_unknown_account_fails_cleanly(database_url: str) -> None:
    import subprocess

    from processes import TRIBUTARY, env_for

    done = subprocess.run(
        [*TRIBUTARY, "create-user", "--account", "Nope", "--email", "a@b.example"],
        env=env_for(database_url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert done.stdout == ""
    assert "no account named 'Nope'" in done.stderr
    assert "Traceback" not in done.stderr


def test_several_workers_need_postgresql(database_url: str, on_postgres: bool) -> None:
    import subprocess

    from processes import TRIBUTARY, env_for

    args = [*TRIBUTARY, "serve", "--workers", "2", "--port", "1"]
    if on_postgres:
        token = run_cli(database_url, "create-account", "Multi", "--admin-email", "m@multi.example").strip()
        with serving(database_url, "--workers", "2") as server:
            answers = [
                httpx.post(f"{server.url}/graphql", json=ME, headers=bearer(token), timeout=10).json()
                for _ in range(6)
            ]
        assert all(a["data"]["me"]["email"] == "m@multi.example" for a in answers)
    else:
        done = subprocess.run(args, env=env_for(database_url), capture_output=True, text=True, timeout=60)
        assert done.returncode != 0
        assert "needs PostgreSQL" in done.stderr


def test_serve_writes_an_access_log_only_when_switched_on(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # when
    with serving(database_url) as quiet:
        httpx.get(f"{quiet.url}/healthz", timeout=10)
    monkeypatch.setenv("TRIBUTARY_ACCESS_LOG", "1")
    with serving(database_url) as logged:
        httpx.get(f"{logged.url}/healthz", timeout=10)
    # then
    assert not [line for line in quiet.first_lines if "GET /healthz" in line]
    assert [line for line in logged.first_lines if '"GET /healthz HTTP/1.1" 200' in line]


def test_a_new_sqlite_database_gets_16_kib_pages_and_an_existing_one_keeps_its_own(
    tmp_path: Path, on_postgres: bool
) -> None:
    if on_postgres:
        pytest.skip("SQLite's page size")
    # given: a database that already exists with SQLite's default 4 KiB pages
    old = tmp_path / "old.sqlite3"
    with sqlite3.connect(old) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE kept (x)")
    # when
    run_cli(f"sqlite://{tmp_path / 'new.sqlite3'}", "migrate")
    run_cli(f"sqlite://{old}", "migrate")
    # then
    for name, size in (("new.sqlite3", 16384), ("old.sqlite3", 4096)):
        with sqlite3.connect(tmp_path / name) as db:
            assert db.execute("PRAGMA page_size").fetchone()[0] == size, name
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal", name
            assert db.execute("SELECT count(*) FROM tortoise_migrations").fetchone()[0] >= 9, name

from __future__ import annotations

import httpx

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

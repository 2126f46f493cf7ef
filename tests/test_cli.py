"""The `pso` command line, run as a user would run it (in this process: tests/cli.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from litestar.testing import TestClient

from pso import clock, passwords
from pso.app import create_app
from pso.mail import outbox
from pso.settings import Settings
from tests.cli import CliResult, run_cli


def run(*args: str, database_url: str) -> CliResult:
    return run_cli(*args, env={"PSO_DATABASE_URL": database_url})


def test_db_upgrade_and_token_only(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    upgraded = run("db", "upgrade", database_url=url)
    assert upgraded.returncode == 0, upgraded.stderr
    added = run("users", "add", "--role", "admin", "--name", "Beheer", "--token-only", database_url=url)
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()
    assert token.startswith("pso_") and "\n" not in token
    app = create_app(Settings.from_env({"PSO_DATABASE_URL": url, "PSO_ENV": "test"}))
    with TestClient(app) as client:
        ok = client.get("/api/v1/audit-events", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
        assert ok.json()["items"][0]["summary"] == {"role": "admin", "name": "Beheer"}


@pytest.mark.parametrize(
    "args",
    [
        ("--role", "emperor"),
        ("--role", "company"),
        ("--role", "company", "--kvk", "123"),
        ("--role", "municipality", "--municipality", "0200"),
        ("--role", "admin", "--kvk", "12345678"),
    ],
)
def test_users_add_refuses_bad_bindings(tmp_path: Path, args: tuple[str, ...]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    result = run("users", "add", *args, "--token-only", database_url=url)
    assert result.returncode == 2
    assert "pso_" not in result.stdout


def test_a_command_in_process_leaves_the_test_process_as_it_was(tmp_path: Path) -> None:
    """tests/cli.py puts back what the CLI sets for its process (PSO_TODAY's fixed day,
    the password profile of PSO_ENV, the mail link base) and the environment it was given."""
    before = (clock.fixed_day(), passwords._hasher, outbox.public_url(), dict(os.environ))
    env = {"PSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}",
           "PSO_ENV": "development", "PSO_TODAY": "2026-03-01",
           "PSO_PUBLIC_URL": "https://elders.example.nl"}
    result = run_cli("jobs", "run", "--date", "1-3-2026", env=env)  # refused after _settings()
    assert result.returncode == 2 and "2026-03-01" in result.stderr
    assert (clock.fixed_day(), passwords._hasher, outbox.public_url(), dict(os.environ)) == before

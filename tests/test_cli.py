"""The `pso` command line, run as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from litestar.testing import TestClient

from pso.app import create_app
from pso.settings import Settings

PSO = str(Path(sys.executable).parent / "pso")


def run(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PSO_DATABASE_URL": database_url}
    return subprocess.run(
        [PSO, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


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

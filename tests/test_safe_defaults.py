"""Issue 20.6: production unless development is asked for; production refuses to start
without its secret key and public address, never loads demo data, prints no tokens, and
keeps one-time link tokens out of the access log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso.app import create_app
from pso.cli import HideLinkTokens, main
from pso.cli.database import prepare_database
from pso.db.engine import make_engine
from pso.db.models import Organization
from pso.settings import Settings, SettingsError

pytestmark = pytest.mark.anyio
KEYS = {"PSO_SECRET_KEY": "k" * 40, "PSO_PUBLIC_URL": "https://pso.example.nl"}


def test_production_is_the_default_and_needs_its_keys() -> None:
    with pytest.raises(SettingsError, match="PSO_PUBLIC_URL"):
        Settings.from_env({})
    with pytest.raises(SettingsError, match="PSO_SECRET_KEY"):
        Settings.from_env({"PSO_PUBLIC_URL": "https://pso.example.nl"})
    with pytest.raises(SettingsError, match="PSO_PUBLIC_URL"):
        Settings.from_env({"PSO_ENV": "  ", "PSO_SECRET_KEY": "k" * 40})
    unset = Settings.from_env(KEYS)
    assert unset.env == "production" and not unset.is_development
    assert unset.parse_workers == 1
    development = Settings.from_env({"PSO_ENV": "development"})
    assert development.is_development and development.parse_workers == 0
    assert Settings().env == "production"


def test_the_command_line_refuses_production_without_keys(tmp_path: Path,
                                                          monkeypatch) -> None:
    monkeypatch.delenv("PSO_ENV")
    monkeypatch.delenv("PSO_SECRET_KEY", raising=False)
    monkeypatch.delenv("PSO_PUBLIC_URL", raising=False)
    monkeypatch.setenv("PSO_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'p.sqlite3'}")
    result = CliRunner().invoke(main, ["serve", "--port", "1"])
    assert result.exit_code == 1 and "PSO_PUBLIC_URL is required in production" in result.output
    assert not (tmp_path / "p.sqlite3").exists()


async def test_production_never_loads_demo_data(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'new.sqlite3'}"
    production = Settings.from_env({**KEYS, "PSO_DATABASE_URL": url})
    assert await prepare_database(production, demo=True) == {}
    engine = make_engine(url)
    try:
        async with async_sessionmaker(engine)() as session:
            assert await session.scalar(select(func.count()).select_from(Organization)) == 0
    finally:
        await engine.dispose()
    async with AsyncTestClient(app=create_app(production)) as client:
        assert (await client.get("/dev/mail")).status_code == 404  # no open outbox either


def test_one_time_link_tokens_stay_out_of_the_access_log() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("10.0.0.1:5", "GET", "/wachtwoord-instellen/AbC-123_xyz?x=1",
                                "1.1", 200), None)
    assert HideLinkTokens().filter(record)
    assert "AbC-123_xyz" not in record.getMessage()
    assert "/wachtwoord-instellen/…?x=1" in record.getMessage()


def test_only_the_test_environment_hashes_passwords_with_the_least_work() -> None:
    """The suite's cheap Argon2id profile (pso/passwords.py) never reaches a real service:
    production and development hash with RFC 9106's profile."""
    from pso import passwords

    try:
        for env in ("production", "development"):
            passwords.configure(env)
            assert passwords.hash_password("Groene-Ladder-Zomer-2026").startswith(
                "$argon2id$v=19$m=65536,t=3,p=4$")
        passwords.configure("test")
        assert passwords.hash_password("Groene-Ladder-Zomer-2026").startswith(
            "$argon2id$v=19$m=8,t=1,p=1$")
    finally:
        passwords.configure("test")


async def test_only_the_test_environment_starts_without_the_pdf_warm_up(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Production and development load WeasyPrint's fonts and stylesheets at start-up, before
    the first certificate (the app's PDF start-up hook); the suite's apps and servers leave it
    to the first render. The warm-up is recorded here, not run (tests/certificates runs it)."""
    from pso.app import _pdf_hooks
    from pso.files import pdf_pool

    calls: list[str] = []
    for env, environ in (("production", KEYS), ("development", {}), ("test", {})):
        monkeypatch.setattr(pdf_pool, "warm_up", lambda env=env: calls.append(env))
        # PSO_PARSE_WORKERS=0: no upload-reading process for production's default of 1.
        start, stop = _pdf_hooks(Settings.from_env(
            {**environ, "PSO_ENV": env, "PSO_PARSE_WORKERS": "0"}))
        await start()
        await stop()
    assert calls == ["production", "development"]

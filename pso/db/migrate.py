"""Apply Alembic migrations from code (`pso db upgrade`, `pso serve`, tests)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


async def upgrade_async(database_url: str, revision: str = "head") -> None:
    # Alembic's env.py runs its own event loop; keep it off ours.
    await asyncio.to_thread(upgrade, database_url, revision)


def revision(database_url: str, rev_id: str, message: str) -> None:
    """Developer helper: autogenerate a new revision against an up-to-date database.

    Revision ids are numbered (0001, 0002, ...) so the history reads in order.
    """
    command.revision(
        alembic_config(database_url), message=message, autogenerate=True, rev_id=rev_id
    )

"""`pso db backup FILE`: a consistent, openable copy while another process keeps writing."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from pso.db.migrate import upgrade
from tests.test_cli import run


def _keep_writing(path: Path, stop: threading.Event, written: list[int]) -> None:
    # A writer of its own, as the running service would be: small committed transactions.
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    n = 0
    while not stop.is_set():
        n += 1
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT INTO organizations (kvk, name, municipality_code, kind, created_at) "
            "VALUES (?, ?, 'GM0200', 'company', '2026-01-01 00:00:00')",
            (f"{50_000_000 + n:08d}", "x" * 2000),
        )
        connection.execute("COMMIT")
        written.append(n)
    connection.close()


def test_backup_while_writes_happen(tmp_path: Path) -> None:
    database = tmp_path / "live.sqlite3"
    url = f"sqlite+aiosqlite:///{database}"
    upgrade(url)
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_keep_writing, args=(database, stop, written))
    writer.start()
    try:
        while len(written) < 200:
            time.sleep(0.01)
        copy = tmp_path / "backups" / "copy.sqlite3"
        result = run("db", "backup", str(copy), database_url=url)
        during = len(written)
        # Wait for the writer to commit again after the backup (no fixed pause that a busy
        # machine could outlast): it was never blocked by the backup's read transaction.
        deadline = time.monotonic() + 30
        while len(written) <= during + 10 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join(10)
    assert result.returncode == 0, result.stderr
    assert "backup written" in result.stdout
    assert len(written) > during, "the writer must have gone on after the backup"

    connection = sqlite3.connect(copy)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        rows = [r[0] for r in connection.execute("SELECT kvk FROM organizations ORDER BY kvk")]
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        connection.close()
    # One moment of the database: a gap-free prefix of what the writer committed.
    assert 200 <= len(rows) <= len(written)
    assert rows == [f"{50_000_000 + n:08d}" for n in range(1, len(rows) + 1)]
    assert revision is not None
    assert not list(copy.parent.glob(".copy.sqlite3.*")), "temporary file left behind"


def test_backup_of_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    result = run("db", "backup", str(tmp_path / "x"),
                 database_url="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    assert result.returncode == 1
    assert "pg_dump" in result.stderr
    assert not (tmp_path / "x").exists()

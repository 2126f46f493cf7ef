"""`pso db backup FILE`: a consistent copy of the embedded SQLite database while it runs.

SQLite's online backup API copies every page inside one read transaction. In WAL mode a
reader never blocks writers, so the service keeps accepting writes, and the copy is the
database as it was at one moment (never half a transaction). The copy is written to a
temporary file next to FILE and renamed at the end, so FILE is either complete or absent.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    pass


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite"):
        raise BackupError(
            "pso db backup copies the embedded SQLite database only. For PostgreSQL use "
            "its own tools, e.g. pg_dump --format=custom --file=pso.dump DATABASE "
            "(consistent while the service runs), restored with pg_restore."
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("the database is in memory: there is no file to back up")
    path = Path(url.database)
    if not path.is_file():
        raise BackupError(f"no database file at {path}")
    return path


def backup(database_url: str, target: str | os.PathLike[str]) -> int:
    """Copy the database to `target`; returns the size of the copy in bytes."""
    source_path = sqlite_path(database_url)
    target = Path(target).resolve()
    if target == source_path.resolve():
        raise BackupError("the backup file must not be the database itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        # timeout: wait for a writer's lock on the WAL index instead of failing at once.
        source = sqlite3.connect(source_path, timeout=30)
        copy = sqlite3.connect(temporary)
        try:
            source.backup(copy)  # all pages in one step: one consistent snapshot
            result = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise BackupError(f"the copy failed its integrity check: {result}")
            # One self-contained file: no -wal beside it is needed to open the copy.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
            source.close()
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target.stat().st_size

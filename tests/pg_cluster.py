"""A private, throw-away PostgreSQL cluster for fault tests (stop and start it at will).

Never touch the shared server on 5432: other tests run against it. This one lives in a
temporary folder, listens on a free loopback port and is removed afterwards. As root,
PostgreSQL refuses to run, so the commands run as the `postgres` OS user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.servers import free_port


def bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def _as_postgres() -> list[str]:
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


class Cluster:
    def __init__(self, bindir: Path, data: Path, port: int) -> None:
        self.bindir, self.data, self.port = bindir, data, port
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*_as_postgres(), str(self.bindir / "pg_ctl"), "-D", str(self.data), *args],
            check=True, capture_output=True, timeout=60,
        )

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c shared_buffers=16MB -c max_connections=40")
        self._pg_ctl("-o", options, "-l", str(self.data / "server.log"), "-w", "start")

    def stop(self) -> None:
        # fast: roll back open transactions and close connections, like a real restart.
        self._pg_ctl("-m", "fast", "-w", "stop")

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


@contextlib.contextmanager
def private_postgres() -> Iterator[Cluster]:
    bindir = bin_dir()
    if bindir is None or not (bindir / "initdb").exists():
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    root = Path(tempfile.mkdtemp(prefix="pso-pg-"))
    data = root / "data"
    data.mkdir()
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for path in (root, data):
            os.chown(path, user.pw_uid, user.pw_gid)
    subprocess.run(
        [*_as_postgres(), str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
         "--auth=trust", "--no-sync", "-E", "UTF8"],
        check=True, capture_output=True, timeout=120,
    )
    cluster = Cluster(bindir, data, free_port())
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(Exception):
            if cluster.is_running():
                cluster._pg_ctl("-m", "immediate", "-w", "stop")
        time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)

"""Real servers for concurrency tests: `uvicorn` in a subprocess on a free loopback port.

    with start_server(database_url) as base_url:
        httpx.get(f"{base_url}/api/v1/health/live")

The process is the same app a user runs (pso.app:create_app, settings from PSO_*), so
requests really race each other in separate connections and, with two servers, in
separate processes. The database must already be migrated, unless `command=pso_serve(...)`
starts the server exactly as a user does (migrations, demo data, `--workers`); the
benchmarks use that.
"""

from __future__ import annotations

import contextlib
import functools
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
# A bound on waiting for readiness, not a pause: a loaded machine (2 cores shared by
# parallel runs) can need more than 30 s to import and migrate.
START_TIMEOUT = 120.0
STOP_TIMEOUT = 10.0


PSO = str(Path(sys.executable).parent / "pso")
Command = Callable[[int], list[str]]


def uvicorn_factory(port: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "--factory", "pso.app:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
            "--no-access-log", "--http", "httptools", "--loop", "uvloop",
            "--no-proxy-headers"]


def pso_serve(*args: str) -> Command:
    """argv of `pso serve ARGS` on the given port: the server as users start it."""
    return lambda port: [PSO, "serve", "--host", "127.0.0.1", "--port", str(port), *args]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def start_server(
    database_url: str, env: dict[str, str] | None = None, *, timeout: float = START_TIMEOUT,
    command: Command = uvicorn_factory, cwd: Path | None = None,
) -> Iterator[str]:
    """Start a server on `database_url`; yields its base URL and stops it afterwards."""
    environment = {
        **os.environ,
        "PSO_ENV": "test",
        "PSO_DATABASE_URL": database_url,
        "PSO_RATE_LIMIT": "0",
        "PSO_LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    # A port can be taken between choosing and binding it: try a few.
    for attempt in range(3):
        port = free_port()
        with tempfile.TemporaryFile() as log:
            process = subprocess.Popen(
                command(port), cwd=cwd or ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
            )
            try:
                base_url = f"http://127.0.0.1:{port}"
                if _wait_until_live(process, base_url, timeout):
                    yield base_url
                    return
                if attempt == 2 or process.poll() is None:
                    log.seek(0)
                    output = log.read().decode("utf-8", "replace")[-4000:]
                    raise RuntimeError(f"server on port {port} did not start:\n{output}")
            finally:
                _stop(process)


class SharedServers:
    """Servers on a database kept for several tests (a module-scoped fixture), for tests that
    only need servers to send requests to: started when a test first asks for them, stopped
    by `close`. The tests empty the tables while the servers run (the `database_url`
    fixture), as between a real service's requests. A test about a start-up, a restart, a
    kill or a fresh process starts its own with `start_server`."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self._urls: dict[str, list[str]] = {}

    def get(self, database_url: str, count: int = 1) -> list[str]:
        """The base URLs of `count` servers on `database_url`."""
        urls = self._urls.setdefault(database_url, [])
        while len(urls) < count:
            urls.append(self._stack.enter_context(start_server(database_url)))
        return urls[:count]

    def close(self) -> None:
        self._stack.close()


# Fixtures for a test module that shares its servers: import both (`from tests.servers import
# running_servers_fixture, servers_fixture`) and ask for `servers`. Named apart from their
# fixture names so that a test's `servers` argument does not shadow the import.
@pytest.fixture(scope="module", name="running_servers")
def running_servers_fixture() -> Iterator[SharedServers]:
    """The module's SharedServers."""
    with contextlib.closing(SharedServers()) as shared:
        yield shared


@pytest.fixture(name="servers")
def servers_fixture(database_url: str, running_servers: SharedServers
                    ) -> Callable[[int], list[str]]:
    """servers(n): the base URLs of n servers on this test's (emptied) database, kept for
    the module's other tests."""
    return functools.partial(running_servers.get, database_url)


def _wait_until_live(process: subprocess.Popen[bytes], base_url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if httpx.get(f"{base_url}/api/v1/health/live", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_TIMEOUT)

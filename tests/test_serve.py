"""`pso serve`: the fast server stack, the access log only on request, a clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from pso.cli import server_options
from pso.settings import Settings
from tests.servers import PSO, ROOT, _wait_until_live, free_port

ACCESS_LINE = '"GET /api/v1/health/live HTTP/1.1" 200'


def test_server_options_use_the_c_parser_and_no_proxy_headers() -> None:
    options = server_options(Settings.from_env({"PSO_ENV": "test"}))
    assert options["http"] == "httptools"
    assert options["loop"] == "uvloop"
    assert options["proxy_headers"] is False  # the app decides which proxies it trusts
    assert options["access_log"] is False
    assert server_options(Settings.from_env({"PSO_ENV": "test", "PSO_ACCESS_LOG": "1"}))["access_log"] is True


def _serve(tmp_path: Path, extra_env: dict[str, str]) -> tuple[str, int, dict[str, str]]:
    """Start `pso serve`, do two requests, stop it with SIGTERM; (output, exit code, headers)."""
    port = free_port()
    env = {**os.environ, "PSO_ENV": "test", "PSO_RATE_LIMIT": "0",
           "PSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/serve.sqlite3", **extra_env}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([PSO, "serve", "--no-demo", "--port", str(port)], cwd=ROOT,
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            assert _wait_until_live(process, base, 60), log.read_text()
            response = httpx.get(f"{base}/api/v1/health/live",
                                 headers={"X-Forwarded-For": "203.0.113.9"})
            assert response.status_code == 200
            headers = dict(response.headers)
            process.send_signal(signal.SIGTERM)
            code = process.wait(20)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    return log.read_text(), code, headers


@pytest.mark.skipif(sys.platform == "win32", reason="signals")
def test_no_access_log_by_default_and_a_clean_stop(tmp_path: Path) -> None:
    output, code, headers = _serve(tmp_path, {})
    assert ACCESS_LINE not in output
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert code in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output, output
    assert "server" not in headers  # no server banner
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["api-version"]
    assert len(headers["x-request-id"]) == 32


def test_access_log_when_asked(tmp_path: Path) -> None:
    output, code, _ = _serve(tmp_path, {"PSO_ACCESS_LOG": "1"})
    assert ACCESS_LINE in output
    assert code in (0, -signal.SIGTERM)

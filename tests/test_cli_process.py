"""The installed `pso` entry point in a real process: the console script finds its click
group, a usage error exits 2 with its Dutch message on stderr. Every other CLI test runs
the commands in the test process (tests/cli.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PSO = str(Path(sys.executable).parent / "pso")


def test_the_pso_process_refuses_a_bad_address_with_exit_2(tmp_path: Path) -> None:
    env = {**os.environ, "PSO_ENV": "test",
           "PSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"}
    done = subprocess.run([PSO, "users", "add", "--email", "geen-adres", "--role", "admin"],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Usage: pso users add" in done.stderr and "e-mailadres" in done.stderr
    assert done.stdout == ""

"""Instances that start at the same time may all migrate: on PostgreSQL they take turns."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.conftest import BACKENDS
from tests.databases import temporary_postgres
from tests.requirements import missing

# Each process imports everything first, says so (a file of its own), then waits for the
# same start signal, so the three really start migrating together however slow imports are.
UPGRADE = """
import os, sys, time
from pso.db.migrate import upgrade
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[1]):
    time.sleep(0.005)
upgrade(os.environ["PSO_DATABASE_URL"])
"""


def test_three_concurrent_upgrades_of_a_new_postgres_database() -> None:
    if "postgres" not in BACKENDS:
        missing("no PostgreSQL server answers")
    with temporary_postgres("pso_mig") as url:
        env = {**os.environ, "PSO_DATABASE_URL": url}
        folder = Path(tempfile.mkdtemp())
        start, ready = folder / "go", [folder / f"ready-{i}" for i in range(3)]
        processes = [subprocess.Popen([sys.executable, "-c", UPGRADE, str(start), str(flag)],
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True)
                     for flag in ready]
        deadline = time.monotonic() + 120
        while not all(flag.exists() for flag in ready):  # every one has imported
            assert time.monotonic() < deadline and all(p.poll() is None for p in processes), \
                [p.poll() for p in processes]
            time.sleep(0.01)
        start.touch()
        results = [(p.wait(120), p.stderr.read()[-2000:]) for p in processes]
        assert [code for code, _ in results] == [0, 0, 0], results

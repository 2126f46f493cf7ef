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

# Each process imports everything first, then waits for the same start signal.
UPGRADE = """
import os, sys, time
from pso.db.migrate import upgrade
while not os.path.exists(sys.argv[1]):
    time.sleep(0.005)
upgrade(os.environ["PSO_DATABASE_URL"])
"""


def test_three_concurrent_upgrades_of_a_new_postgres_database() -> None:
    if "postgres" not in BACKENDS:
        missing("no PostgreSQL server answers")
    with temporary_postgres("pso_mig") as url:
        env = {**os.environ, "PSO_DATABASE_URL": url}
        start = Path(tempfile.mkdtemp()) / "go"
        processes = [subprocess.Popen([sys.executable, "-c", UPGRADE, str(start)], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(3)]
        time.sleep(2.5)  # imports done
        start.touch()
        results = [(p.wait(120), p.stderr.read()[-2000:]) for p in processes]
        assert [code for code, _ in results] == [0, 0, 0], results

"""A new database's demo data has one account per role that signs in at /inloggen
(`pso serve` prints the e-mail addresses and passwords, in development only)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from pso.app import create_app
from pso.db.setup import prepare_database
from pso.settings import Settings
from tests.servers import free_port
from tests.test_cli import PSO

pytestmark = pytest.mark.anyio


async def test_demo_sign_ins_reach_every_role_home(tmp_path: Path) -> None:
    settings = Settings.from_env({"PSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'd.db'}",
                                  "PSO_ENV": "test", "PSO_RATE_LIMIT": "0"})
    sign_ins: dict[str, tuple[str, str]] = {}
    tokens = await prepare_database(settings, demo=True, sign_ins=sign_ins)
    # One person per role, and two more auditors (issue 13: a second auditor of PSOCERT for
    # the separate decision, and one of the second certifying body).
    assert sign_ins.keys() == tokens.keys() and len(sign_ins) == 7
    homes = set()
    async with AsyncTestClient(app=create_app(settings)) as client:
        for email, password in sign_ins.values():
            client.cookies.clear()
            csrf = re.search(r'name="csrf" value="([^"]+)"',
                             (await client.get("/inloggen")).text).group(1)
            done = await client.post("/inloggen", data={"email": email, "password": password,
                                                        "csrf": csrf}, follow_redirects=False)
            assert done.status_code == 303, email
            homes.add(done.headers["location"])
        # Admin and auditor first set up their authenticator app; the others land home.
        assert homes == {"/account/tweestapsverificatie", "/mijn", "/inkoop", "/gemeente"}


def test_pso_serve_prints_demo_sign_ins_only_in_development(tmp_path: Path) -> None:
    for env, shown in (("development", True), ("production", False)):
        url = f"sqlite+aiosqlite:///{tmp_path / f'{env}.db'}"
        process = subprocess.Popen(
            [PSO, "serve", "--port", str(free_port())], stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "PSO_DATABASE_URL": url, "PSO_ENV": env,
                 "PSO_SECRET_KEY": "k" * 40})
        lines = []
        try:
            assert process.stdout is not None
            for line in process.stdout:  # up to the line saying where it serves
                lines.append(line)
                if line.startswith("PSO-dienst on"):
                    break
        finally:
            process.terminate()
            process.wait(timeout=30)
        printed = "".join(lines)
        assert "Demo data loaded" in printed
        assert ("Demo sign-ins at /inloggen" in printed) is shown, printed
        if shown:
            assert re.search(r"gemeente@demo\.pso\.nl\s+\S{12,}", printed)

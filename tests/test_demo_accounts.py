"""A new database's demo data has one account per role that signs in at /inloggen
(`pso serve` prints the e-mail addresses and passwords, in development only)."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso.app import create_app
from pso.cli.database import prepare_database
from pso.db.engine import make_engine
from pso.db.models import OutboxMail
from pso.demo.vouchers import APPLICANT_EMAIL
from pso.settings import Settings
from tests.conftest import BACKENDS
from tests.databases import temporary_postgres
from tests.servers import PSO, free_port
from tests.web.test_accounts import csrf_of

pytestmark = pytest.mark.anyio


async def test_demo_sign_ins_reach_every_role_home(tmp_path: Path) -> None:
    settings = Settings.from_env({"PSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'd.db'}",
                                  "PSO_ENV": "test", "PSO_RATE_LIMIT": "0"})
    sign_ins: dict[str, tuple[str, str]] = {}
    tokens = await prepare_database(settings, demo=True, sign_ins=sign_ins)
    # One person per role, two more auditors (issue 13: a second auditor of PSOCERT for
    # the separate decision, and one of the second certifying body) and a second
    # municipality (Utrecht, for whom the demo buyer buys: its social-return overview).
    assert sign_ins.keys() == tokens.keys() and len(sign_ins) == 8
    homes = set()
    async with AsyncTestClient(app=create_app(settings)) as client:
        for email, password in sign_ins.values():
            homes.add(await sign_in(client, email, password))
        # Admin and auditor first set up their authenticator app; the others land home.
        assert homes == {"/account/tweestapsverificatie", "/mijn", "/inkoop", "/gemeente"}


async def sign_in(client, email: str, password: str) -> str:
    """Sign in afresh; returns where the service sends the person."""
    client.cookies.clear()
    done = await client.post("/inloggen", data={
        "email": email, "password": password,
        "csrf": csrf_of((await client.get("/inloggen")).text)}, follow_redirects=False)
    assert done.status_code == 303, email
    return done.headers["location"]


def link_to(html: str, text: str) -> str:
    return re.search(r'href="([^"]+)">' + re.escape(text), html).group(1)


@pytest.fixture(params=BACKENDS)
def new_database(request, tmp_path: Path) -> Iterator[str]:
    """The URL of a database nobody migrated yet, as `make run` finds it the first time."""
    if request.param == "postgres":
        with temporary_postgres("pso_demo") as url:
            yield url
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'd.db'}"


async def test_demo_users_have_a_request_to_decide_and_a_contract_to_watch(
    new_database: str
) -> None:
    """The municipality signs in to a company's request waiting for a decision (and refusing
    it mails the company), the buyer to an awarded tender with its contract monitoring."""
    settings = Settings.from_env({"PSO_DATABASE_URL": new_database, "PSO_ENV": "test",
                                  "PSO_RATE_LIMIT": "0"})
    sign_ins: dict[str, tuple[str, str]] = {}
    await prepare_database(settings, demo=True, sign_ins=sign_ins)
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert await sign_in(client, *sign_ins["Gemeente Apeldoorn (demo)"]) == "/gemeente"
        home = await client.get("/gemeente")
        assert home.status_code == 200 and "1 aangevraagd" in home.text
        url = re.search(r'href="(/gemeente/regelingen/\d+)"', home.text).group(1)
        scheme = await client.get(url)
        assert scheme.status_code == 200 and "Aanvragen (1)" in scheme.text
        assert "Timmerfabriek De Veluwe" in scheme.text and "90234567" in scheme.text
        code = re.search(r'/gemeente/vouchers/([A-Z0-9-]+)/weigering', scheme.text).group(1)
        assert f"/gemeente/vouchers/{code}/goedkeuring" in scheme.text
        refused = await client.post(f"/gemeente/vouchers/{code}/weigering", data={
            "csrf": csrf_of(scheme.text), "back": url, "reason": "De regeling is dit jaar voor bedrijven tot 10 fte."},
            follow_redirects=False)
        assert refused.status_code == 303
        assert "Aanvragen (0)" in (await client.get(url)).text

        assert await sign_in(client, *sign_ins["Inkoop Gemeente Utrecht (demo)"]) == "/inkoop"
        overview = await client.get("/inkoop")
        assert overview.status_code == 200
        assert "Gegund aan Schoonmaakgroep Domstad B.V.;" in overview.text
        tender = await client.get(link_to(overview.text, "Schoonmaak gemeentelijke gebouwen"))
        assert tender.status_code == 200
        assert "Gegund aan <strong>Schoonmaakgroep Domstad B.V.</strong>" in tender.text
        watch = await client.get(re.search(r'href="(/inkoop/aanbestedingen/\d+/bewaking)"',
                                           tender.text).group(1))
        assert watch.status_code == 200
        text = re.sub(r"\s+", " ", watch.text)
        assert "Contract loopt: dagelijkse controle" in text and "Trede 2" in text
        assert "Geen meldingen: de winnaar houdt de trede waarop is gegund." in text
        assert text.count("In orde") == 1  # 14 days checked, one row: the outcome never changed

        # Utrecht, for whom the demo buyer buys, sees the social-return figures of its
        # contracts; Apeldoorn has no buyer linked and is told so.
        assert await sign_in(client, *sign_ins["Gemeente Utrecht (demo)"]) == "/gemeente"
        page = re.sub(r"\s+", " ", (await client.get("/gemeente/social-return")).text)
        assert "Gemeente Utrecht, inkoop" in page and "€ 11.698,63" in page

    engine = make_engine(settings.database_url)
    try:
        async with async_sessionmaker(engine)() as session:
            [mail] = (await session.scalars(select(OutboxMail).where(
                OutboxMail.template == "voucher_refused"))).all()
    finally:
        await engine.dispose()
    assert mail.to_address == APPLICANT_EMAIL
    assert "Gemeente Apeldoorn" in mail.text_body and "De regeling is dit jaar voor bedrijven tot 10 fte." in mail.text_body


def test_pso_serve_prints_demo_sign_ins_only_in_development(tmp_path: Path) -> None:
    """And in production no demo data at all (issue 20.6), so no tokens in the log."""
    for env, shown in (("development", True), ("production", False)):
        url = f"sqlite+aiosqlite:///{tmp_path / f'{env}.db'}"
        process = subprocess.Popen(
            [PSO, "serve", "--port", str(free_port())], stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "PSO_DATABASE_URL": url, "PSO_ENV": env,
                 "PSO_SECRET_KEY": "k" * 40, "PSO_PUBLIC_URL": "https://pso.example.nl"})
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
        assert ("Demo data loaded" in printed) is shown, printed
        assert ("Demo sign-ins at /inloggen" in printed) is shown, printed
        if shown:
            assert re.search(r"gemeente@demo\.pso\.nl\s+\S{12,}", printed)

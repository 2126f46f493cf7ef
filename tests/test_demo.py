"""`pso serve` on a new database fills it with demo data a new user can explore."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from pso.app import create_app
from pso.cli.database import prepare_database
from pso.settings import Settings

pytestmark = pytest.mark.anyio


async def test_new_database_gets_a_living_register(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"PSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}", "PSO_ENV": "test"}
    )
    tokens = await prepare_database(settings, demo=True)
    assert {"admin", "auditor", "procurement", "municipality", "company"} <= {
        label for label in _roles(tokens)
    }
    # A second start loads nothing again.
    assert await prepare_database(settings, demo=True) == {}
    async with AsyncTestClient(app=create_app(settings)) as client:
        items = (await client.get("/api/v1/certificates", params={"pageSize": 50})).json()["items"]
        statuses = {(c["organization"]["kvk"], c["kind"]): c["status"] for c in items}
        rungs = {c["rung"] for c in items}
        assert statuses[("12345678", "ladder")] == "valid"
        assert statuses[("23456789", "pso30plus")] == "valid"
        assert statuses[("34567890", "ladder")] == "revoked"
        assert statuses[("45678901", "ladder")] == "expired"
        assert {"aspirant", "basistrede", "trede1", "trede2", "trede3"} <= rungs
        auditor = next(t for label, t in tokens.items() if "Auditor" in label)
        pending = await client.get("/api/v1/assessments", params={"status": "submitted"},
                                   headers={"Authorization": f"Bearer {auditor}"})
        assert pending.json()["total"] == 1
        # The journeys to click through exist once, also after the second start: a request
        # for the municipality to decide on, an awarded tender for the buyer to watch.
        municipality = {"Authorization": f"Bearer {_token(tokens, 'Gemeente')}"}
        [scheme] = (await client.get("/api/v1/voucher-schemes", headers=municipality)).json()[
            "items"]
        assert scheme["counts"]["requested"] == 1
        buyer = {"Authorization": f"Bearer {_token(tokens, 'Inkoop')}"}
        listed = (await client.get("/api/v1/tenders", headers=buyer)).json()["items"]
        states = [(await client.get(f"/api/v1/tenders/{t['id']}/monitoring",
                                    headers=buyer)).json()["state"] for t in listed]
        assert sorted(states) == ["active", "active", "not_awarded"]  # + social return


async def test_no_demo_flag_leaves_the_database_empty(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"PSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}", "PSO_ENV": "test"}
    )
    assert await prepare_database(settings, demo=False) == {}
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert (await client.get("/api/v1/certificates")).json()["total"] == 0


def _token(tokens: dict[str, str], label_start: str) -> str:
    return next(t for label, t in tokens.items() if label.startswith(label_start))


def _roles(tokens: dict[str, str]) -> set[str]:
    names = {"Beheerder": "admin", "Auditor": "auditor", "Inkoop": "procurement",
             "Gemeente": "municipality", "HR": "company"}
    return {role for label in tokens for key, role in names.items() if label.startswith(key)}


async def test_demo_certificates_were_issued_while_valid(tmp_path: Path) -> None:
    """Consistent demo data: no certificate issued after it expired (or before its
    number's year), as its PDF states."""
    import io
    import re
    from datetime import date

    from pypdf import PdfReader
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from certificates.formatting import dutch_date
    from pso.db.engine import make_engine
    from pso.db.models import Certificate, CertificatePdf

    settings = Settings.from_env(
        {"PSO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}", "PSO_ENV": "test"}
    )
    await prepare_database(settings, demo=True)
    engine = make_engine(settings.database_url)
    try:
        async with async_sessionmaker(engine)() as session:
            certificates = (await session.execute(
                select(Certificate, CertificatePdf.pdf)
                .join(CertificatePdf, CertificatePdf.certificate_id == Certificate.id))).all()
    finally:
        await engine.dispose()
    assert any(c.valid_until < date.today() for c, _ in certificates)  # the expired one
    for c, pdf in certificates:
        issued = c.issued_at.date()
        assert c.valid_from <= c.valid_until and issued <= c.valid_until, c.number
        assert c.number.startswith(f"PSO-{issued.year}-"), (c.number, issued)
        text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
        printed = re.search(r"Datum van uitgifte (\d+ \w+ \d{4})", text).group(1)
        assert printed == dutch_date(issued), (c.number, printed, issued)

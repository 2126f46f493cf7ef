"""A large public register, written in bulk (Core inserts, not the API): for the register
benchmark (100,000 certificates in well under a minute) and for tests with hand-made rows.

    await fill(engine, 100_000)          # synthetic organisations, one certificate each
    await insert(engine, [Row(...), ...])  # exactly these

Names are folded here (the ORM does it for the service), PDF bytes go to certificate_pdfs,
and on SQLite the FTS5 triggers of migration 0007 index the names as rows arrive.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert as sql_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from pso.db.models import Assessment, Certificate, CertificatePdf, Organization, Suspension
from pso.municipalities import names as municipality_names
from pso.text_search import fold

RUNGS = ("aspirant", "basistrede", "trede1", "trede2", "trede3")
WORDS = ("Groen", "Schoon", "Coöperatie", "Bakkerij", "Werkbedrijf", "Techniek", "Zorg",
         "Logistiek", "Hoveniers", "Installatie", "Café", "Drukkerij", "Bouw", "Facilitair",
         "Schilders", "Recycling", "Kwekerij", "Catering", "Montage", "Textiel", "Noord",
         "Zuid", "Oost", "West", "Rijnmond", "Brabant", "Holland", "Twente", "Friesland")
FORMS = ("B.V.", "N.V.", "Stichting", "V.O.F.", "")
PDF = b"%PDF-1.7\n% synthetic register row\n%%EOF\n"


@dataclass
class Row:
    name: str
    kvk: str
    number: str
    municipality_code: str = "GM0363"
    rung: str = "trede2"
    kind: str = "ladder"
    valid_from: date = field(default_factory=lambda: date(2026, 1, 1))
    valid_until: date = field(default_factory=lambda: date(2028, 12, 31))
    revoked_on: date | None = None
    superseded_from: date | None = None
    suspended_since: date | None = None


async def insert(engine: AsyncEngine, rows: list[Row], *, first_id: int = 1) -> None:
    """Organisation, approved assessment, certificate and PDF row per Row (ids from first_id)."""
    now = datetime.now(UTC)
    orgs, assessments, certificates, pdfs, suspensions = [], [], [], [], []
    for i, row in enumerate(rows, start=first_id):
        orgs.append({"id": i, "kvk": row.kvk, "name": row.name, "search_name": fold(row.name),
                     "municipality_code": row.municipality_code, "kind": "company",
                     "created_at": now})
        assessments.append({"id": i, "organization_id": i, "status": "approved",
                            "submission": {}, "score": {}, "rulebook": "pso-2.1",
                            "created_at": now, "updated_at": now, "corrected": False})
        certificates.append({
            "id": i, "number": row.number, "kind": row.kind, "rung": row.rung,
            "organization_id": i, "assessment_id": i, "valid_from": row.valid_from,
            "valid_until": row.valid_until, "rulebook": "pso-2.1",
            "issuer": "PSO Certificering (benchmark)", "issued_at": now,
            "pdf_sha256": "0" * 64, "revoked_on": row.revoked_on,
            "revocation_reason": "benchmark" if row.revoked_on else None,
            "superseded_from": row.superseded_from})
        pdfs.append({"certificate_id": i, "pdf": PDF})
        if row.suspended_since:
            suspensions.append({"certificate_id": i, "start": row.suspended_since, "end": None,
                                "reason": "benchmark"})
    async with engine.begin() as conn:
        for table, values in ((Organization, orgs), (Assessment, assessments),
                              (Certificate, certificates), (CertificatePdf, pdfs),
                              (Suspension, suspensions)):
            for start in range(0, len(values), 5000):
                if values[start:start + 5000]:
                    await conn.execute(sql_insert(table.__table__), values[start:start + 5000])
        if conn.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in ("organizations", "assessments", "certificates"):
                await conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))")


def synthetic(count: int, *, seed: int = 16, year: int = 2026) -> list[Row]:
    """`count` organisations with two- or three-word names, spread over all municipalities,
    rungs and validity dates; about 3 % revoked, 2 % suspended, 15 % expired."""
    rng = random.Random(seed)
    codes = sorted(municipality_names())
    rows = []
    for i in range(count):
        name = " ".join(rng.sample(WORDS, rng.choice((2, 3)))) + f" {i}"
        form = rng.choice(FORMS)
        start = date(year - 3, 1, 1) + timedelta(days=rng.randrange(3 * 365))
        roll = rng.random()
        rows.append(Row(
            name=f"{name} {form}".strip(), kvk=f"{10_000_000 + i:08d}",
            number=f"PSO-{start.year}-{i + 1:06d}", municipality_code=rng.choice(codes),
            rung=rng.choice(RUNGS), valid_from=start, valid_until=start + timedelta(days=3 * 365),
            revoked_on=start + timedelta(days=100) if roll < 0.03 else None,
            suspended_since=start + timedelta(days=50) if 0.03 <= roll < 0.05 else None))
    return rows


async def fill(engine: AsyncEngine, count: int, *, seed: int = 16) -> list[Row]:
    rows = synthetic(count, seed=seed)
    await insert(engine, rows)
    return rows

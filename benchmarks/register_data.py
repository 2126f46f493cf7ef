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

from pso.db.models import (
    Assessment,
    Certificate,
    CertificatePdf,
    CertificateSubsidiary,
    Organization,
    OrganizationSubsidiary,
    Suspension,
)
from pso.text.municipalities import names as municipality_names
from pso.text.search import fold

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
    subsidiaries: list[tuple[str, str]] = field(default_factory=list)  # (kvk, name)
    organization: int | None = None  # an earlier Row's index: a renewal of that organisation
    ladder: int | None = None  # pso30plus: the index of the ladder certificate's Row


async def insert(engine: AsyncEngine, rows: list[Row], *, first_id: int = 1) -> None:
    """Organisation, approved assessment, certificate and PDF row per Row (ids from first_id)."""
    now = datetime.now(UTC)
    orgs, assessments, certificates, pdfs, suspensions = [], [], [], [], []
    subsidiaries, covered = [], []
    for i, row in enumerate(rows, start=first_id):
        org = i if row.organization is None else first_id + row.organization
        if row.organization is None:
            orgs.append({"id": i, "kvk": row.kvk, "name": row.name,
                         "search_name": fold(row.name),
                         "municipality_code": row.municipality_code, "kind": "company",
                         "created_at": now})
            subsidiaries += [{"organization_id": i, "kvk": kvk, "name": name}
                             for kvk, name in row.subsidiaries]
        assessments.append({"id": i, "organization_id": org, "status": "approved",
                            "submission": {}, "score": {}, "rulebook": "pso-2.1",
                            "created_at": now, "updated_at": now, "corrected": False})
        certificates.append({
            "id": i, "number": row.number, "kind": row.kind, "rung": row.rung,
            "organization_id": org, "assessment_id": i, "valid_from": row.valid_from,
            "valid_until": row.valid_until, "rulebook": "pso-2.1",
            "issuer": "PSO Certificering (benchmark)", "issued_at": now,
            "pdf_sha256": "0" * 64, "revoked_on": row.revoked_on,
            "revocation_reason": "benchmark" if row.revoked_on else None,
            "superseded_from": row.superseded_from,
            "subsidiaries": [{"kvk": k, "name": n} for k, n in row.subsidiaries] or None,
            "ladder_certificate_id": None if row.ladder is None else first_id + row.ladder})
        covered += [{"certificate_id": i, "kvk": kvk} for kvk, _ in row.subsidiaries]
        pdfs.append({"certificate_id": i, "pdf": PDF})
        if row.suspended_since:
            suspensions.append({"certificate_id": i, "start": row.suspended_since, "end": None,
                                "reason": "benchmark"})
    async with engine.begin() as conn:
        for table, values in ((Organization, orgs), (Assessment, assessments),
                              (OrganizationSubsidiary, subsidiaries),
                              (Certificate, certificates), (CertificatePdf, pdfs),
                              (CertificateSubsidiary, covered), (Suspension, suspensions)):
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


# Realistic register data (issue 26): the names people search for are Dutch family names,
# trades and places, some with diacritics; organisations renew (the old certificate is
# superseded), trede 3 certificates may have a PSO 30+ follower, some have subsidiaries,
# and KvK numbers are scattered over the whole 8-digit range.
FAMILIES = ("De Vries", "Jansen", "Van den Berg", "Bakker", "Visser", "Smit", "Meijer",
            "De Boer", "Mulder", "De Groot", "Bos", "Vos", "Peters", "Hendriks", "Van Leeuwen",
            "Dekker", "Brouwer", "De Wit", "Dijkstra", "Smits", "De Graaf", "Van der Meer",
            "Van der Linden", "Kok", "Jacobs", "De Haan", "Vermeulen", "Van den Heuvel",
            "Van der Veen", "Van den Broek", "De Bruijn", "Van der Heijden", "Schouten",
            "Van Beek", "Willems", "Van Dijk", "Hoekstra", "Verhoeven", "Koster", "Prins",
            "Huisman", "Kuipers", "Van Wijk", "Post", "Kramer", "Van Vliet", "Timmermans",
            "Öztürk", "Yılmaz", "Çelik", "Şahin", "Hoëvenaars", "Rënes", "D'Hondt", "Ruëll",
            "Van 't Hof", "Noë", "Ter Brügge", "Žukauskas", "Nguyễn")
TRADES = ("Bouw", "Bakkerij", "Schilders", "Installatietechniek", "Hoveniers", "Transport",
          "Zorg", "Thuiszorg", "Schoonmaak", "Catering", "Drukkerij", "Metaal", "Techniek",
          "Logistiek", "Kinderopvang", "Accountants", "Advocaten", "Groothandel", "Recycling",
          "Facilitair", "Werkbedrijf", "Kwekerij", "Café", "Brasserie", "Coöperatie",
          "Textiel", "Montage", "Elektro", "Dakdekkers", "Tegelzetters")
SHAPES = ("{family} {trade}", "{trade} {family}", "{family} & Zonen", "{trade} {place}",
          "{family} {trade} {place}", "Stichting {trade} {place}", "{family} en {family2}",
          "{trade}bedrijf {family}", "Coöperatie {trade} {place} U.A.")
LEGAL = ("B.V.", "B.V.", "B.V.", "V.O.F.", "N.V.", "", "", "Holding B.V.")


def realistic(count: int, *, seed: int = 26, year: int = 2026) -> list[Row]:
    """`count` certificates of about 0.8 × count organisations: ~12 % are renewals
    (the earlier certificate superseded), ~6 % PSO 30+ followers of a trede 3 certificate,
    ~10 % of organisations have 1–3 subsidiaries; ~3 % revoked, ~2 % suspended, and the
    validity dates spread so that about a fifth has expired."""
    rng = random.Random(seed)
    places = municipality_names()
    codes = sorted(places)
    kvks = iter(rng.sample(range(1_000_000, 99_999_999), count * 3))
    sequence: dict[int, int] = {}
    rows: list[Row] = []

    def number(start: date) -> str:
        sequence[start.year] = sequence.get(start.year, 0) + rng.randint(1, 3)
        return f"PSO-{start.year}-{sequence[start.year]:06d}"

    while len(rows) < count:
        roll = rng.random()
        start = date(year - 4, 1, 1) + timedelta(days=rng.randrange(4 * 365))
        flags = {"revoked_on": start + timedelta(days=120) if roll < 0.03 else None,
                 "suspended_since": start + timedelta(days=60) if 0.03 <= roll < 0.05 else None}
        if rows and roll > 0.88:  # a renewal of an earlier certificate's organisation
            old_index = rng.randrange(len(rows))
            old = rows[old_index]
            if old.kind == "ladder" and old.superseded_from is None and old.revoked_on is None:
                renewed = old.valid_until - timedelta(days=rng.randrange(0, 60))
                old.superseded_from = renewed
                owner = old.organization if old.organization is not None else old_index
                rows.append(Row(name=old.name, kvk=old.kvk, number=number(renewed),
                                municipality_code=old.municipality_code,
                                rung=rng.choice(RUNGS[1:]), valid_from=renewed,
                                valid_until=renewed + timedelta(days=3 * 365),
                                subsidiaries=old.subsidiaries, organization=owner))
                continue
        if rows and roll > 0.82 and rows[-1].rung == "trede3" and rows[-1].kind == "ladder":
            ladder = rows[-1]
            rows.append(Row(name=ladder.name, kvk=ladder.kvk, number=number(ladder.valid_from),
                            municipality_code=ladder.municipality_code, rung="trede3",
                            kind="pso30plus", valid_from=ladder.valid_from,
                            valid_until=ladder.valid_until, ladder=len(rows) - 1,
                            subsidiaries=ladder.subsidiaries,
                            organization=(ladder.organization if ladder.organization
                                          is not None else len(rows) - 1)))
            continue
        code = rng.choice(codes)
        family, family2 = rng.sample(FAMILIES, 2)
        name = rng.choice(SHAPES).format(family=family, family2=family2, place=places[code],
                                         trade=rng.choice(TRADES))
        if not name.startswith(("Stichting", "Coöperatie")):
            name = f"{name} {rng.choice(LEGAL)}".strip()
        subsidiaries = []
        if rng.random() < 0.10:
            subsidiaries = [(f"{next(kvks):08d}", f"{family} {rng.choice(TRADES)} {k + 1} B.V.")
                            for k in range(rng.randint(1, 3))]
        rows.append(Row(name=name, kvk=f"{next(kvks):08d}", number=number(start),
                        municipality_code=code, rung=rng.choice(RUNGS), valid_from=start,
                        valid_until=start + timedelta(days=3 * 365), subsidiaries=subsidiaries,
                        **flags))
    return rows

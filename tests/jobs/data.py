"""Certificates, vouchers and accounts for the scheduled-work tests, written directly
(no PDF rendering: the jobs read dates and parties, not the documents)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from pso.db.models import (
    Account,
    Assessment,
    Certificate,
    CertificatePdf,
    Organization,
    Party,
    Voucher,
    VoucherScheme,
)

DAY = date(2026, 3, 2)  # the PSO_TODAY of these tests


async def organization(session, kvk: str, people: int = 2, name: str | None = None) -> Organization:
    org = Organization(kvk=kvk, name=name or f"Bedrijf {kvk}", municipality_code="GM0363",
                       kind="company")
    session.add(org)
    await session.flush()
    party = Party(kind="applicant", code=kvk, name=org.name)
    session.add(party)
    await session.flush()
    for i in range(people):
        session.add(Account(email=f"p{i}.{kvk}@example.nl", name=f"Persoon {i} van {kvk}",
                            role="company", party_id=party.id))
    await session.flush()
    return org


async def certificate(session, org: Organization, number: str, valid_until: date, *,
                      kind: str = "ladder", revoked_on: date | None = None) -> Certificate:
    assessment = Assessment(organization_id=org.id, status="approved", submission={},
                            score={}, rulebook="pso-2.1")
    session.add(assessment)
    await session.flush()
    cert = Certificate(
        number=number, kind=kind, rung="trede3" if kind == "pso30plus" else "trede1",
        organization_id=org.id, assessment_id=assessment.id,
        valid_from=valid_until - timedelta(days=729), valid_until=valid_until,
        rulebook="pso-2.1", issuer="Test", pdf_file=CertificatePdf(pdf=b"%PDF"), pdf_sha256="0" * 64,
        revoked_on=revoked_on, revocation_reason="test" if revoked_on else None,
    )
    session.add(cert)
    await session.flush()
    return cert


async def voucher(session, org: Organization, code: str, expires_on: date,
                  status: str = "issued") -> Voucher:
    scheme = VoucherScheme(
        title=f"Regeling {code}", municipality_code="GM0363", voucher_amount=Decimal("500.00"),
        budget=Decimal("5000.00"), application_opens_on=date(2025, 1, 1),
        application_closes_on=date(2026, 12, 31), voucher_validity_days=90,
        max_fte=Decimal("250.00"), eligible_municipality_codes=["GM0363"], created_by="test",
    )
    session.add(scheme)
    await session.flush()
    item = Voucher(code=code, scheme_id=scheme.id, organization_id=org.id, fte=Decimal("10.00"),
                   amount=Decimal("500.00"), status=status, issued_on=expires_on - timedelta(89),
                   expires_on=expires_on, issued_by="test")
    session.add(item)
    await session.flush()
    return item


async def reminder_fixture(session_maker, certificates: int = 1) -> list[str]:
    """`certificates` organisations (two people each) whose certificate expires within
    three months of DAY; returns the certificate numbers."""
    numbers = []
    async with session_maker() as session, session.begin():
        for i in range(certificates):
            org = await organization(session, f"{10000000 + i}")
            number = f"PSO-2024-{i + 1:06d}"
            await certificate(session, org, number, DAY + timedelta(days=60))
            numbers.append(number)
    return numbers

"""What must hold for issued certificates whatever happened (kills, races, several servers)."""

from __future__ import annotations

import hashlib
from collections import Counter

from sqlalchemy import select

from pso.clock import today
from pso.db.models import Assessment, AuditEvent, Certificate, CertificatePdf


async def check_certificates_consistent(session_maker) -> dict[str, int]:
    """Asserts: gap-free unique numbers, every PDF stored with its hash, certificates exactly
    for approved assessments, one audit entry per issued certificate and per decision.
    Returns counts, so a test can also check that something happened."""
    async with session_maker() as session:
        certificates = list(await session.execute(
            select(Certificate.number, Certificate.kind, Certificate.assessment_id,
                   CertificatePdf.pdf, Certificate.pdf_sha256)
            .outerjoin(CertificatePdf, CertificatePdf.certificate_id == Certificate.id)))
        assessments = list(await session.scalars(select(Assessment)))
        events = list(await session.execute(select(AuditEvent.action, AuditEvent.entity_id)))

    year = today().year
    numbers = sorted(row.number for row in certificates)
    assert numbers == [f"PSO-{year}-{i:06d}" for i in range(1, len(numbers) + 1)], numbers

    for row in certificates:
        assert row.pdf and row.pdf.startswith(b"%PDF"), row.number
        assert hashlib.sha256(row.pdf).hexdigest() == row.pdf_sha256, row.number

    kinds_by_assessment: dict[int, list[str]] = {}
    for row in certificates:
        kinds_by_assessment.setdefault(row.assessment_id, []).append(row.kind)
    for assessment in assessments:
        kinds = sorted(kinds_by_assessment.get(assessment.id, []))
        if assessment.status != "approved":
            assert kinds == [], (assessment.id, assessment.status, kinds)
            continue
        expected = []
        if assessment.score["rung"] != "none":
            expected.append("ladder")
        if assessment.score["pso30Plus"]["qualifies"]:
            expected.append("pso30plus")
        assert kinds == sorted(expected), (assessment.id, kinds, expected)

    audit = Counter((e.action, e.entity_id) for e in events)
    issued = {entity for action, entity in audit if action == "certificate.issued"}
    assert issued == set(numbers)
    approved = {str(a.id) for a in assessments if a.status == "approved"}
    assert {entity for action, entity in audit if action == "assessment.approved"} == approved
    assert all(n == 1 for (action, _), n in audit.items()
               if action in ("certificate.issued", "assessment.approved")), audit
    return {
        "certificates": len(numbers),
        "approved": len(approved),
        "submitted": sum(a.status in ("submitted", "in_review") for a in assessments),  # undecided
    }

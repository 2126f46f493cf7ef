"""Proof for a redemption: the assessment or certificate the voucher pays for.

It must exist and belong to the voucher's organisation, so a voucher cannot be spent on
somebody else's assessment. A draft assessment is no proof: nothing was assessed yet.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.errors import Conflict


async def check(
    session: AsyncSession,
    organization_id: int,
    certificate_number: str | None,
    assessment_id: int | None,
) -> None:
    # Imported here: certification is a neighbouring capability, not a dependency of vouchers.
    from pso.db.models import Assessment, AssessmentStatus, Certificate

    if certificate_number is not None:
        owner = await session.scalar(
            select(Certificate.organization_id).where(Certificate.number == certificate_number)
        )
        if owner != organization_id:
            raise Conflict(
                "redemption-proof-invalid",
                f"Certificaat {certificate_number} bestaat niet of hoort niet bij de "
                "organisatie van deze voucher.",
            )
    if assessment_id is not None:
        row = (
            await session.execute(
                select(Assessment.organization_id, Assessment.status).where(
                    Assessment.id == assessment_id
                )
            )
        ).first()
        if (
            row is None
            or row.organization_id != organization_id
            or row.status == AssessmentStatus.DRAFT
        ):
            raise Conflict(
                "redemption-proof-invalid",
                f"Aanvraag {assessment_id} bestaat niet, hoort niet bij de organisatie van "
                "deze voucher of is nog niet ingediend.",
            )

"""What every workbench page shares: the auditor gate and Dutch labels."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from pso.db.models import Assessment, AssessmentStatus
from pso.http.transaction import provide_db
from pso.text.labels import ASSESSMENT_STATUS_LABELS
from pso.web.session import Page

DB = {"db": Provide(provide_db)}

# For the certifying body a submitted application is a new one.
STATUS_LABELS = {**ASSESSMENT_STATUS_LABELS, AssessmentStatus.SUBMITTED: "Nieuw"}

ACTION_LABELS = {
    "assessment.created": "Aanvraag aangemaakt",
    "assessment.updated": "Gegevens aangepast",
    "assessment.body_chosen": "Certificerende instelling gekozen",
    "assessment.submitted": "Ingediend",
    "assessment.resubmitted": "Opnieuw ingediend na een vraag",
    "assessment.review_started": "In behandeling genomen (beoordelaar)",
    "assessment.review_completed": "Beoordeling afgerond (beoordelaar)",
    "assessment.information_requested": "Informatie gevraagd",
    "assessment.corrected": "Gegevens gecorrigeerd (auditor)",
    "assessment.approved": "Goedgekeurd (besluit)",
    "assessment.rejected": "Afgewezen (besluit)",
    "document.added": "Bewijsstuk toegevoegd",
    "document.removed": "Bewijsstuk verwijderd",
}


def status_label(assessment: Assessment) -> str:
    """The state as a colleague reads it: "In beoordeling" until the reviewer hands over."""
    if (
        assessment.status == AssessmentStatus.IN_REVIEW
        and assessment.review_completed_at is not None
    ):
        return "Wacht op besluit"
    return STATUS_LABELS.get(assessment.status, assessment.status)


async def workbench(request: Request, db: AsyncSession) -> tuple[Page, Any]:
    """The page and, when the visitor is no signed-in auditor, where to send them instead."""
    page = await Page.load(request, db)
    return page, page.gate("auditor")

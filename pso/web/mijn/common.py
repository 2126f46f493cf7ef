"""Shared by the /mijn pages: who is asking, their organisation, error plumbing."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.db.models import AssessmentStatus, Organization
from pso.errors import ProblemError
from pso.http.transaction import provide_db
from pso.services import portal
from pso.text.labels import ASSESSMENT_STATUS_LABELS
from pso.web.forms import Form, field_errors
from pso.web.session import STALE, Page

DB = {"db": Provide(provide_db)}

# What an application's state means for the company, under its label.
STATUS_TEXT = {
    AssessmentStatus.DRAFT:
        "U vult de aanvraag nog in. Alles wat u per stap opslaat blijft bewaard.",
    AssessmentStatus.SUBMITTED:
        "De aanvraag is ingediend; de gegevens liggen vast. De certificerende instelling "
        "begint binnenkort met de beoordeling.",
    AssessmentStatus.IN_REVIEW: "Een auditor beoordeelt de aanvraag.",
    AssessmentStatus.INFORMATION_REQUESTED:
        "De auditor heeft een vraag. Beantwoord die en dien de aanvraag opnieuw in.",
    AssessmentStatus.APPROVED:
        "De aanvraag is goedgekeurd. Uw certificaten staan hieronder.",
    AssessmentStatus.REJECTED:
        "De aanvraag is afgewezen. U kunt een nieuwe aanvraag beginnen.",
}


class Mijn:
    """A /mijn request: the page, the company actor and its organisation (if registered)."""

    def __init__(self, page: Page, org: Organization | None) -> None:
        self.page = page
        self.org = org

    @property
    def actor(self):
        return self.page.actor

    @property
    def kvk(self) -> str:
        assert self.page.actor is not None and self.page.actor.kvk
        return self.page.actor.kvk

    async def rollback(self, db: AsyncSession) -> None:
        """Undo the request's writes after a refused step; the organisation is read again
        (a rollback expires the ORM objects the templates use)."""
        await db.rollback()
        self.org = await portal.organization_of(db, self.page.actor)

    def render(self, template: str, context: dict[str, Any], status: int = 200) -> Template:
        return self.page.render(template, {"org": self.org, "status_labels": ASSESSMENT_STATUS_LABELS,
                                           **context}, status=status)


async def load(request: Request, db: AsyncSession, *,
               registered: bool = False) -> tuple[Mijn | None, Any]:
    """(Mijn, None) for a signed-in company account, else (None, where to go instead). With
    `registered`, a company whose organisation is not registered yet goes to register it."""
    page = await Page.load(request, db)
    stop = page.gate("company")
    if stop is not None:
        return None, stop
    assert page.actor is not None
    org = await portal.organization_of(db, page.actor)
    if registered and org is None:
        return None, page.redirect("/mijn/organisatie",
                                   "Registreer eerst uw organisatie; daarna kunt u aanvragen.")
    return Mijn(page, org), None


async def load_form(request: Request, db: AsyncSession, back: str, *,
                    registered: bool = False) -> tuple[Mijn | None, Form, Any]:
    """load() for a POST, and its form: where to go instead is also `back` with the stale
    notice when the form's CSRF token is not the session's."""
    mijn, stop = await load(request, db, registered=registered)
    if mijn is None:
        return None, Form({}), stop
    form = await Form.read(request)
    if not mijn.page.csrf_ok(form):
        return None, form, mijn.page.redirect(back, STALE)
    return mijn, form, None


def errors_by_field(exc: ProblemError, prefix: str = "") -> dict[str, list[str]]:
    """A 400's invalidParams keyed by form field name (an optional prefix removed); a refusal
    without them is shown at the top of the form."""
    return field_errors(exc, lambda name: name.removeprefix(prefix)) or {"form": [exc.detail]}

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Body, Parameter
from pydantic import Field, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.base import BEARER, ApiInput, ApiModel, PageNumber, PageSize, SafeText, provide_db
from pso.api.certificates import CertificateOut, certificate_out
from pso.auth import Actor, provide_actor, require_roles
from pso.clock import today
from pso.db.models import Assessment
from pso.idempotency import idempotent
from pso.services import certification as service

Json = dict[str, Any]


class AssessmentOut(ApiModel):
    id: int
    status: str
    organization_kvk: str
    rulebook: str
    submission: Json
    score: Json
    certificates: list[CertificateOut]
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None
    corrected: bool


class AssessmentList(ApiModel):
    items: list[AssessmentOut]
    page: int
    page_size: int
    total: int


class AssessmentIn(ApiInput):
    submission: Json = Field(description="De personeelsgegevens over het peiljaar (zie /score)")


class DecisionIn(ApiInput):
    outcome: Literal["approved", "rejected"]
    reason: SafeText | None = Field(default=None, max_length=2000)
    corrected_submission: Json | None = None
    valid_from: date | None = None

    @model_validator(mode="after")
    def _rules(self) -> DecisionIn:
        if self.outcome == "rejected" and not (self.reason and self.reason.strip()):
            raise ValueError("bij afwijzen is een reden verplicht")
        if self.outcome == "rejected" and self.corrected_submission is not None:
            raise ValueError("gecorrigeerde gegevens horen alleen bij goedkeuren")
        if self.valid_from is not None and abs((self.valid_from - today()).days) > 366:
            raise ValueError("validFrom mag hoogstens een jaar van vandaag af liggen")
        return self


def assessment_out(assessment: Assessment) -> AssessmentOut:
    day = today()
    return AssessmentOut(
        id=assessment.id,
        status=assessment.status,
        organization_kvk=assessment.organization.kvk,
        rulebook=assessment.rulebook,
        submission=assessment.submission,
        score=assessment.score,
        certificates=[certificate_out(c, day) for c in assessment.certificates],
        created_at=assessment.created_at,
        updated_at=assessment.updated_at,
        submitted_at=assessment.submitted_at,
        decided_at=assessment.decided_at,
        decided_by=assessment.decided_by,
        decision_reason=assessment.decision_reason,
        corrected=assessment.corrected,
    )


DEPENDENCIES = {"db": Provide(provide_db), "actor": Provide(provide_actor, sync_to_thread=False)}
Id = Annotated[int, Parameter(ge=1, le=2**31 - 1)]


@post(
    "/api/v1/organizations/{kvk:str}/assessments",
    guards=[require_roles("admin", "company")],
    dependencies=DEPENDENCIES,
    tags=["Aanvragen"],
    security=BEARER,
    summary="Aanvraag starten (concept)",
)
async def create_assessment(
    kvk: str, data: AssessmentIn, db: AsyncSession, actor: Actor
) -> AssessmentOut:
    """Start een aanvraag als concept; de gegevens worden direct doorgerekend."""
    assessment = await service.create(db, actor, kvk, data.submission)
    return assessment_out(assessment)


class AssessmentController(Controller):
    path = "/api/v1/assessments"
    tags = ["Aanvragen"]
    security = BEARER
    dependencies = DEPENDENCIES

    @get(guards=[require_roles("admin", "auditor", "company")], summary="Aanvragen")
    async def list(
        self, db: AsyncSession, actor: Actor,
        status: Literal["draft", "submitted", "approved", "rejected"] | None = None,
        kvk: Annotated[str | None, Parameter(pattern=r"^[0-9]{8}$")] = None,
        page: PageNumber = 1, page_size: PageSize = 20,
    ) -> AssessmentList:
        """Een bedrijf ziet zijn eigen aanvragen, een auditor de ingediende."""
        rows, total = await service.list_for(db, actor, status=status, kvk=kvk, page=page,
                                             page_size=page_size)
        return AssessmentList(items=[assessment_out(a) for a in rows], page=page,
                              page_size=page_size, total=total)

    @get("/{assessment_id:int}", guards=[require_roles("admin", "auditor", "company")],
         summary="Aanvraag")
    async def read(self, assessment_id: Id, db: AsyncSession, actor: Actor) -> AssessmentOut:
        return assessment_out(await service.get_for(db, actor, assessment_id))

    @put("/{assessment_id:int}/submission", guards=[require_roles("company", "admin")],
         summary="Gegevens vervangen (alleen concept)")
    async def replace(self, assessment_id: Id, data: Annotated[Json, Body()], db: AsyncSession,
                      actor: Actor) -> AssessmentOut:
        """Vervangt de gegevens van een concept-aanvraag en rekent opnieuw.

        De body is de opgave zelf; `{"submission": {...}}` wordt ook geaccepteerd."""
        if set(data) == {"submission"}:
            data = data["submission"]
        return assessment_out(await service.replace_submission(db, actor, assessment_id, data))

    @post("/{assessment_id:int}/submit", status_code=200, guards=[require_roles("company", "admin")],
          summary="Indienen")
    async def submit(self, assessment_id: Id, db: AsyncSession, actor: Actor) -> AssessmentOut:
        """Dient de aanvraag in; daarna liggen de gegevens vast."""
        return assessment_out(await service.submit(db, actor, assessment_id))

    @post("/{assessment_id:int}/decision", status_code=200, guards=[require_roles("auditor")],
          summary="Besluit (auditor)")
    async def decide(self, request: Request, assessment_id: Id,
                     data: DecisionIn, db: AsyncSession, actor: Actor,
                     state: State) -> Response[AssessmentOut]:
        """Goedkeuren (eventueel met gecorrigeerde gegevens) of afwijzen met reden.
        Goedkeuren geeft in dezelfde transactie de certificaten uit.
        Ondersteunt de header Idempotency-Key."""
        body, settings = data, state.settings

        async def run() -> AssessmentOut:
            assessment = await service.decide(
                db, actor, assessment_id, outcome=body.outcome, reason=body.reason,
                corrected_submission=body.corrected_submission, valid_from=body.valid_from,
                issuer=settings.issuer_name, public_url=settings.public_url,
            )
            return assessment_out(assessment)

        return await idempotent(request, db, actor, run)


ROUTES = [create_assessment, AssessmentController]

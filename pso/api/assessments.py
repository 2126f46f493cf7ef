from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Body, Parameter
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.base import BEARER, PageNumber, PageSize
from pso.api.certificates import CertificateOut, certificate_out
from pso.auth import Actor, provide_actor, require_roles
from pso.clock import today
from pso.db.models import Assessment, AssessmentStatus
from pso.http.idempotency import idempotent
from pso.http.transaction import provide_db
from pso.schemas.assessments import (
    AssessmentIn,
    BodyChoiceIn,
    CorrectionIn,
    DecisionIn,
    InformationRequestIn,
    SubmitIn,
)
from pso.schemas.base import ApiModel
from pso.services import certification as service

Json = dict[str, Any]
# The OpenAPI document lists the values, so a Literal; the same values as AssessmentStatus.
StatusName = Literal["draft", "submitted", "in_review", "information_requested", "approved",
                     "rejected"]
assert set(get_args(StatusName)) == set(AssessmentStatus)


class BodyRef(ApiModel):
    code: str
    name: str


class InformationRequestOut(ApiModel):
    message: str
    requested_at: datetime | None


class AssessmentOut(ApiModel):
    id: int
    status: StatusName
    organization_kvk: str
    certifying_body: BodyRef | None = Field(
        description="De certificerende instelling waaraan de aanvraag gericht is")
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
    reviewed_by: str | None = Field(description="De auditor die de aanvraag beoordeelt")
    review_started_at: datetime | None
    review_completed_at: datetime | None = Field(
        description="Beoordeling afgerond door de beoordelaar; pas daarna kan het besluit")
    information_request: InformationRequestOut | None
    wizard_step: int = Field(description="Verste stap (1-7) van de aanvraag in MijnPSO")
    motivations: dict[str, str] = Field(
        description="Motivering per kwaliteitseis (suitableWork, integration, development, "
                    "guidance)")
    copied_from_id: int | None = Field(
        description="Hercertificering: de goedgekeurde aanvraag waarvan dit een kopie is")


class AssessmentList(ApiModel):
    items: list[AssessmentOut]
    page: int
    page_size: int
    total: int


class SampleOut(ApiModel):
    seed: int
    size: int
    population: int
    employees: list[Json]


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
        certifying_body=BodyRef(code=assessment.certifying_body.code,
                                name=assessment.certifying_body.name)
        if assessment.certifying_body is not None else None,
        reviewed_by=assessment.reviewed_by,
        review_started_at=assessment.review_started_at,
        review_completed_at=assessment.review_completed_at,
        information_request=InformationRequestOut(
            message=assessment.information_request,
            requested_at=assessment.information_requested_at)
        if assessment.information_request else None,
        wizard_step=assessment.wizard_step or 1,
        motivations=assessment.motivations or {},
        copied_from_id=assessment.copied_from_id,
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
    assessment = await service.create(db, actor, kvk, data.submission, data.certifying_body)
    return assessment_out(assessment)


class AssessmentController(Controller):
    path = "/api/v1/assessments"
    tags = ["Aanvragen"]
    security = BEARER
    dependencies = DEPENDENCIES

    @get(guards=[require_roles("admin", "auditor", "company")], summary="Aanvragen")
    async def list(
        self, db: AsyncSession, actor: Actor,
        status: StatusName | None = None,
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
        """De aanvraag met status, opgave, doorrekening en, na goedkeuring, de certificaten. Een
        bedrijf ziet alleen de eigen aanvragen, een auditor die van zijn instelling."""
        return assessment_out(await service.get_for(db, actor, assessment_id))

    @put("/{assessment_id:int}/submission", guards=[require_roles("company", "admin")],
         summary="Gegevens vervangen (concept of na een vraag van de auditor)")
    async def replace(self, assessment_id: Id, data: Annotated[Json, Body()], db: AsyncSession,
                      actor: Actor) -> AssessmentOut:
        """Vervangt de gegevens van een concept-aanvraag en rekent opnieuw.

        De body is de opgave zelf; `{"submission": {...}}` wordt ook geaccepteerd."""
        if set(data) == {"submission"}:
            data = data["submission"]
        return assessment_out(await service.replace_submission(db, actor, assessment_id, data))

    @put("/{assessment_id:int}/certifying-body", guards=[require_roles("company", "admin")],
         summary="Certificerende instelling kiezen")
    async def choose_body(self, assessment_id: Id, data: BodyChoiceIn, db: AsyncSession,
                          actor: Actor) -> AssessmentOut:
        """Richt de aanvraag aan een certificerende instelling (zolang die te bewerken is)."""
        return assessment_out(await service.choose_body(db, actor, assessment_id,
                                                        data.certifying_body))

    @post("/{assessment_id:int}/submit", status_code=200, guards=[require_roles("company", "admin")],
          summary="Indienen")
    async def submit(self, assessment_id: Id, db: AsyncSession, actor: Actor,
                     data: SubmitIn | None = None) -> AssessmentOut:
        """Dient de aanvraag in (ook opnieuw na een vraag van de auditor); daarna liggen de
        gegevens vast. Optioneel `certifyingBody` en, bij opnieuw indienen, `response`."""
        data = data or SubmitIn()
        return assessment_out(await service.submit(db, actor, assessment_id,
                                                   data.certifying_body, data.response))

    @post("/{assessment_id:int}/review", status_code=200, guards=[require_roles("auditor")],
          summary="In behandeling nemen (auditor)")
    async def review(self, assessment_id: Id, db: AsyncSession, actor: Actor) -> AssessmentOut:
        """`submitted` → `in_review`; de auditor wordt de beoordelaar."""
        return assessment_out(await service.review(db, actor, assessment_id))

    @post("/{assessment_id:int}/review-completed", status_code=200,
          guards=[require_roles("auditor")], summary="Beoordeling afronden (beoordelaar)")
    async def complete_review(self, assessment_id: Id, db: AsyncSession,
                              actor: Actor) -> AssessmentOut:
        """De beoordelaar rondt de beoordeling af (status blijft `in_review`,
        `reviewCompletedAt` wordt gezet); pas daarna kan het besluit. Corrigeren kan dan
        niet meer; een informatievraag heropent de beoordeling."""
        return assessment_out(await service.complete_review(db, actor, assessment_id))

    @post("/{assessment_id:int}/information-request", status_code=200,
          guards=[require_roles("auditor")], summary="Informatie opvragen (auditor)")
    async def information_request(self, assessment_id: Id, data: InformationRequestIn,
                                  db: AsyncSession, actor: Actor) -> AssessmentOut:
        """`in_review` → `information_requested`; het bedrijf kan aanpassen en opnieuw indienen."""
        return assessment_out(await service.request_information(db, actor, assessment_id,
                                                                data.message))

    @post("/{assessment_id:int}/correction", status_code=200, guards=[require_roles("auditor")],
          summary="Gegevens corrigeren (auditor)")
    async def correction(self, assessment_id: Id, data: CorrectionIn, db: AsyncSession,
                         actor: Actor) -> AssessmentOut:
        """Corrigeert de gegevens tijdens de beoordeling; opnieuw doorgerekend, het origineel
        blijft bewaard en de wijzigingen staan in het auditlog."""
        return assessment_out(await service.correct(db, actor, assessment_id, data.submission,
                                                    data.note))

    @get("/{assessment_id:int}/sample", guards=[require_roles("auditor", "admin")],
         summary="Steekproef van medewerkers (auditor)")
    async def sample(self, assessment_id: Id, db: AsyncSession, actor: Actor,
                     size: Annotated[int, Parameter(ge=1, le=1000)] = 5) -> SampleOut:
        """Een reproduceerbare steekproef: de startwaarde ligt bij de aanvraag vast, dus elke keer
        dezelfde medewerkers."""
        assessment = await service.get_for(db, actor, assessment_id)
        return SampleOut.model_validate(service.sample(assessment, size))

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

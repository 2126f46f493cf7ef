"""The company portal in the JSON API (SPEC §7.2): everything /mijn does, for clients.

Drafts: `POST /organizations/{kvk}/assessments` and `PUT /assessments/{id}/submission`
(pso/api/assessments.py). Here: re-certification as a copy, quality motivations (step 5),
the certifying body (step 6), the definitive application with the wizard's checks (step 7),
the scenario panel and the provisional score as PDF (step 4).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post, put
from litestar.di import Provide
from litestar.params import Parameter
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.assessments import AssessmentOut, assessment_out
from pso.api.base import BEARER
from pso.auth import Actor, provide_actor, require_roles
from pso.clock import today
from pso.http.transaction import provide_db
from pso.schemas.base import ApiInput
from pso.services import certification, portal
from pso.services.provisional_pdf import file_name, render_provisional

DEPENDENCIES = {"db": Provide(provide_db), "actor": Provide(provide_actor, sync_to_thread=False)}
Id = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
Kvk = Annotated[str, Parameter(pattern=r"^[0-9]{8}$", description="KvK-nummer, 8 cijfers")]
Json = dict[str, Any]


class Criterion(ApiInput):
    met: bool = Field(description="Voldoet de organisatie aan deze eis?")
    motivation: str = Field(default="", max_length=portal.MAX_MOTIVATION,
                            description="Korte motivering (verplicht als `met` true is)")


class QualityIn(ApiInput):
    suitable_work: Criterion
    integration: Criterion
    development: Criterion
    guidance: Criterion


class DefinitiveIn(ApiInput):
    response: str | None = Field(default=None, max_length=5000,
                                 description="Na een informatieverzoek: het antwoord aan de auditor")


class HireIn(ApiInput):
    count: int = Field(default=1, ge=1, le=1000, description="Aantal nieuwe medewerkers")
    hours_per_week: str | float = Field(description="Uren per week per medewerker")
    starting_position: str = Field(default="participatiewet", max_length=40)
    contract_type: str = Field(default="regular", max_length=20)


class ScenarioIn(ApiInput):
    hires: list[HireIn] = Field(default_factory=list, max_length=portal.MAX_SCENARIO_HIRES)
    purchases: list[Json] = Field(default_factory=list,
                                  max_length=portal.MAX_SCENARIO_PURCHASES,
                                  description="Extra inkoop, velden als in de opgave")


@post("/api/v1/organizations/{kvk:str}/recertification", dependencies=DEPENDENCIES,
      tags=["Aanvragen"], security=BEARER, guards=[require_roles("company", "admin")],
      summary="Hercertificering: nieuwe aanvraag als kopie van de laatste goedgekeurde")
async def recertify(kvk: Kvk, db: AsyncSession, actor: Actor) -> AssessmentOut:
    """Een nieuw concept met de gegevens van de laatst goedgekeurde aanvraag, de periode een
    jaar verder. 409 `nothing-to-copy` zonder goedgekeurde aanvraag, 409 `application-open`
    als er al een aanvraag loopt."""
    return assessment_out(await portal.recertify(db, actor, kvk))


class PortalController(Controller):
    path = "/api/v1/assessments/{assessment_id:int}"
    tags = ["Aanvragen"]
    security = BEARER
    dependencies = DEPENDENCIES

    @put("/quality", guards=[require_roles("company", "admin")],
         summary="Stap 5: kwaliteitseisen met motivering")
    async def quality(self, assessment_id: Id, data: QualityIn, db: AsyncSession,
                      actor: Actor) -> AssessmentOut:
        """Zet de vier kwaliteitseisen in de opgave en bewaart de motivering per eis;
        de aanvraag wordt opnieuw doorgerekend. Alleen bij een concept."""
        criteria = data.model_dump(by_alias=True)
        quality = {k: v["met"] for k, v in criteria.items()}
        motivations = {k: v["motivation"] for k, v in criteria.items()}
        return assessment_out(await portal.set_quality(db, actor, assessment_id, quality,
                                                       motivations))

    @post("/definitive-application", status_code=200, guards=[require_roles("company", "admin")],
          summary="Stap 7: definitieve aanvraag")
    async def definitive(self, assessment_id: Id, db: AsyncSession, actor: Actor,
                         data: DefinitiveIn | None = None) -> AssessmentOut:
        """De certificerende instelling kiest u met `PUT …/certifying-body` (stap 6).
        Als `submit`, met de controles van de wizard: een motivering bij elke eis waaraan
        is voldaan (409 `motivation-missing`) en een gekozen certificerende instelling
        (409 `certifying-body-missing`). Daarna `submitted` en een bevestigingsmail."""
        response = data.response if data is not None else None
        return assessment_out(await portal.submit_definitive(db, actor, assessment_id,
                                                             response))

    @post("/scenario", status_code=200, guards=[require_roles("company", "admin", "auditor")],
          summary="Scenario doorrekenen (niets opgeslagen)")
    async def scenario(self, assessment_id: Id, data: ScenarioIn, db: AsyncSession,
                       actor: Actor) -> Json:
        """De opgave van de aanvraag plus denkbeeldige nieuwe medewerkers (de hele periode in
        dienst; het totaal aantal FTE groeit mee) en extra inkoop, doorgerekend als /score.
        De aanvraag zelf verandert niet."""
        assessment = await certification.get_for(db, actor, assessment_id)
        hires = [h.model_dump(by_alias=True) for h in data.hires]
        return portal.scenario(assessment.submission, hires, data.purchases)

    @get("/provisional-pdf", guards=[require_roles("company", "admin", "auditor")],
         summary="Voorlopige uitkomst als PDF", media_type="application/pdf")
    async def provisional_pdf(self, assessment_id: Id, db: AsyncSession,
                              actor: Actor) -> Response[bytes]:
        """De voorlopige uitkomst met de volledige uitleg, als PDF (geen certificaat); na het
        besluit de uitkomst."""
        assessment = await certification.get_for(db, actor, assessment_id)
        pdf = await render_provisional(assessment, today())
        return Response(pdf, media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{file_name(assessment)}"',
            "Cache-Control": "no-store"})


ROUTES = [recertify, PortalController]

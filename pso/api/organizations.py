from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get, post, put
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.base import BEARER
from pso.auth import Actor, provide_actor, require_roles
from pso.http.transaction import provide_db
from pso.schemas.base import ApiModel
from pso.schemas.organizations import OrganizationIn, OrganizationUpdate, SubsidiaryAssignment
from pso.services import organizations as service

Kvk = Annotated[str, Parameter(pattern=r"^[0-9]{8}$", description="KvK-nummer, 8 cijfers")]


class SubsidiaryOut(ApiModel):
    kvk: str
    name: str


class OrganizationOut(ApiModel):
    kvk: str
    name: str
    municipality_code: str
    kind: str
    subsidiaries: list[SubsidiaryOut]
    created_at: datetime


class OrganizationController(Controller):
    path = "/api/v1/organizations"
    tags = ["Organisaties"]
    security = BEARER
    dependencies = {"db": Provide(provide_db), "actor": Provide(provide_actor, sync_to_thread=False)}

    @post(guards=[require_roles("admin", "company")], summary="Organisatie registreren")
    async def create(self, data: OrganizationIn, db: AsyncSession, actor: Actor) -> OrganizationOut:
        """Registreert een organisatie. Een bedrijf kan alleen zijn eigen KvK-nummer registreren."""
        org = await service.create(db, actor, data.model_dump(by_alias=False))
        return OrganizationOut.model_validate(org)

    @put("/{kvk:str}", guards=[require_roles("admin", "company")],
         summary="Organisatie wijzigen (met dochterondernemingen)")
    async def update(self, kvk: Kvk, data: OrganizationUpdate, db: AsyncSession,
                     actor: Actor) -> OrganizationOut:
        """Wijzigt naam, gemeente, soort en de lijst dochterondernemingen. Een KvK-nummer
        dat al bij een andere aanvragende organisatie hoort, of dat zelf als organisatie is
        geregistreerd, geeft 409 `subsidiary-taken` (dat laatste alleen met haar instemming,
        via de beheerder)."""
        org = await service.update(db, actor, kvk, data.model_dump(by_alias=False))
        return OrganizationOut.model_validate(org)

    @post("/{kvk:str}/subsidiaries", guards=[require_roles("admin")], status_code=200,
          summary="Dochteronderneming toewijzen (besluit van de beheerder)")
    async def assign_subsidiary(self, kvk: Kvk, data: SubsidiaryAssignment, db: AsyncSession,
                                actor: Actor) -> OrganizationOut:
        """Voegt een dochteronderneming toe, ook als dat KvK-nummer zelf als organisatie is
        geregistreerd of een eigen certificaat heeft (bijvoorbeeld met haar schriftelijke
        instemming). Alleen beheerders; het besluit en de reden komen in de audit-log. Een
        KvK-nummer dat al dochter van een andere organisatie is geeft 409."""
        org = await service.assign_subsidiary(db, actor, kvk,
                                              {"kvk": data.kvk, "name": data.name}, data.reason)
        return OrganizationOut.model_validate(org)

    @get("/{kvk:str}", guards=[require_roles("admin", "auditor", "company")], summary="Organisatie")
    async def read(self, kvk: str, db: AsyncSession, actor: Actor) -> OrganizationOut:
        """Gegevens van een organisatie: voor de organisatie zelf, auditors en beheerders."""
        org = await service.get_for(db, actor, kvk)
        return OrganizationOut.model_validate(org)


ROUTES = [OrganizationController]

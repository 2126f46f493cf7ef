from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import Parameter
from pydantic import Field, field_validator
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.base import BEARER, ApiInput, ApiModel, provide_db
from pso.auth import Actor, provide_actor, require_roles
from pso.identifiers import KvkNumber, MunicipalityCode
from pso.services import organizations as service
from scoring.text import UNSAFE_REASON, unsafe_text

Kvk = Annotated[str, Parameter(pattern=r"^[0-9]{8}$", description="KvK-nummer, 8 cijfers")]


class OrganizationIn(ApiInput):
    kvk: KvkNumber = Field(description="KvK-nummer: precies 8 cijfers", examples=["12345678"])
    name: str = Field(min_length=1, max_length=300, description="Statutaire of handelsnaam")
    municipality_code: MunicipalityCode = Field(
        description="CBS-gemeentecode, bijvoorbeeld GM0200"
    )
    kind: Literal["company", "sw_company", "public_body"] = Field(
        description="Soort organisatie: bedrijf, SW-bedrijf of publieke organisatie"
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if unsafe_text(value):  # the name is printed on certificates and in the register
            raise ValueError(UNSAFE_REASON)
        return value


class OrganizationOut(ApiModel):
    kvk: str
    name: str
    municipality_code: str
    kind: str
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

    @get("/{kvk:str}", guards=[require_roles("admin", "auditor", "company")], summary="Organisatie")
    async def read(self, kvk: str, db: AsyncSession, actor: Actor) -> OrganizationOut:
        """Gegevens van een organisatie: voor de organisatie zelf, auditors en beheerders."""
        org = await service.get_for(db, actor, kvk)
        return OrganizationOut.model_validate(org)


ROUTES = [OrganizationController]

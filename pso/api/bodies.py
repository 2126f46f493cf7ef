"""Certifying bodies: POST (admin), GET (public)."""

from __future__ import annotations

from litestar import get, post
from litestar.di import Provide
from pydantic import Field, field_validator
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.base import BEARER, ApiInput, ApiModel, provide_db
from pso.auth import Actor, provide_actor, require_roles
from pso.services import bodies as service
from pso.services.accounts import BODY_CODE_RE


class BodyIn(ApiInput):
    code: str = Field(min_length=2, max_length=20, description="Korte code, bijv. PSOCERT")
    name: str = Field(min_length=1, max_length=300)
    accreditation: str = Field(default="", max_length=2000,
                               description="Accreditatie, bijv. RvA C 123 (ISO/IEC 17065)")
    separate_decision: bool = Field(
        default=True, description="Besluit door een andere auditor dan de beoordelaar")

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        value = value.upper()
        if not BODY_CODE_RE.match(value):
            raise ValueError("Gebruik hoofdletters, cijfers en '-' (2 tot 20 tekens).")
        return value

    @field_validator("name", "accreditation")
    @classmethod
    def _text(cls, value: str) -> str:
        if any(ord(c) < 32 and c not in "\n\t" for c in value):
            raise ValueError("Mag geen stuurtekens bevatten.")
        return value


class BodyOut(ApiModel):
    code: str
    name: str
    accreditation: str
    separate_decision: bool


def body_out(view: service.BodyView) -> BodyOut:
    return BodyOut(code=view.code, name=view.name, accreditation=view.accreditation,
                   separate_decision=view.separate_decision)


@post("/api/v1/certifying-bodies", guards=[require_roles("admin")], tags=["Certificering"],
      security=BEARER, summary="Certificerende instelling toevoegen",
      dependencies={"db": Provide(provide_db), "actor": Provide(provide_actor, sync_to_thread=False)})
async def create_body(data: BodyIn, db: AsyncSession, actor: Actor) -> BodyOut:
    return body_out(await service.create(
        db, actor, code=data.code, name=data.name, accreditation=data.accreditation,
        separate_decision=data.separate_decision))


@get("/api/v1/certifying-bodies", tags=["Certificering"], summary="Certificerende instellingen",
     dependencies={"db": Provide(provide_db)})
async def list_bodies(db: AsyncSession) -> list[BodyOut]:
    """Alle certificerende instellingen, om er een te kiezen bij het indienen."""
    return [body_out(v) for v in await service.list_bodies(db)]


ROUTES = [create_body, list_bodies]

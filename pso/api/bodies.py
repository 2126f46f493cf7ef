"""Certifying bodies: POST and PATCH (admin), GET (public)."""

from __future__ import annotations

from typing import Annotated

from litestar import get, patch, post
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.base import BEARER
from pso.auth import Actor, provide_actor, require_roles
from pso.http.transaction import provide_db
from pso.schemas.base import ApiModel
from pso.schemas.bodies import BodyIn, BodyPatchIn
from pso.services import bodies as service

ADMIN = {"db": Provide(provide_db), "actor": Provide(provide_actor, sync_to_thread=False)}
Code = Annotated[str, Parameter(max_length=20, description="Korte code, bijv. PSOCERT")]


class BodyOut(ApiModel):
    code: str
    name: str
    accreditation: str
    separate_decision: bool


def body_out(view: service.BodyView) -> BodyOut:
    return BodyOut(code=view.code, name=view.name, accreditation=view.accreditation,
                   separate_decision=view.separate_decision)


@post("/api/v1/certifying-bodies", guards=[require_roles("admin")], tags=["Certificering"],
      security=BEARER, summary="Certificerende instelling toevoegen", dependencies=ADMIN)
async def create_body(data: BodyIn, db: AsyncSession, actor: Actor) -> BodyOut:
    """Voegt een certificerende instelling toe (alleen beheerders); een bestaande code geeft 409."""
    return body_out(await service.create(
        db, actor, code=data.code, name=data.name, accreditation=data.accreditation,
        separate_decision=data.separate_decision))


@patch("/api/v1/certifying-bodies/{code:str}", guards=[require_roles("admin")],
       tags=["Certificering"], security=BEARER, summary="Certificerende instelling wijzigen",
       dependencies=ADMIN)
async def update_body(code: Code, data: BodyPatchIn, db: AsyncSession, actor: Actor) -> BodyOut:
    """Naam, accreditatie en `separateDecision`; alleen wat is meegestuurd verandert. De code
    ligt vast (een onbekend veld, ook `code`, geeft 400); een onbekende code geeft 404."""
    return body_out(await service.update(db, actor, code, **data.changes()))


@get("/api/v1/certifying-bodies", tags=["Certificering"], summary="Certificerende instellingen",
     dependencies={"db": Provide(provide_db)})
async def list_bodies(db: AsyncSession) -> list[BodyOut]:
    """Alle certificerende instellingen, om er een te kiezen bij het indienen."""
    return [body_out(v) for v in await service.list_bodies(db)]


ROUTES = [create_body, update_body, list_bodies]

"""Certifying bodies: POST and PATCH (admin), GET (public)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import get, patch, post
from litestar.di import Provide
from litestar.params import Parameter
from pydantic import Field, field_validator
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.base import BEARER, ApiInput, ApiModel, SafeLine, SafeText
from pso.auth import Actor, provide_actor, require_roles
from pso.services import bodies as service
from pso.services.accounts import BODY_CODE_RE

NAME_LENGTH = {"min_length": 1, "max_length": 300}
ACCREDITATION_LENGTH = {"max_length": 2000}
ACCREDITATION_TEXT = "Accreditatie, bijv. RvA C 123 (ISO/IEC 17065)"
SEPARATE_TEXT = "Besluit door een andere auditor dan de beoordelaar"
ADMIN = {"actor": Provide(provide_actor, sync_to_thread=False)}
Code = Annotated[str, Parameter(max_length=20, description="Korte code, bijv. PSOCERT")]


class BodyIn(ApiInput):
    code: str = Field(min_length=2, max_length=20, description="Korte code, bijv. PSOCERT")
    name: SafeLine = Field(**NAME_LENGTH)
    accreditation: SafeText = Field(default="", description=ACCREDITATION_TEXT,
                                    **ACCREDITATION_LENGTH)
    separate_decision: bool = Field(default=True, description=SEPARATE_TEXT)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        value = value.upper()
        if not BODY_CODE_RE.match(value):
            raise ValueError("Gebruik hoofdletters, cijfers en '-' (2 tot 20 tekens).")
        return value


class BodyPatchIn(ApiInput):
    """Only the fields sent change; the code stays what the body was made with."""

    name: SafeLine | None = Field(default=None, **NAME_LENGTH)
    accreditation: SafeText | None = Field(default=None, description=ACCREDITATION_TEXT,
                                           **ACCREDITATION_LENGTH)
    separate_decision: bool | None = Field(default=None, strict=True, description=SEPARATE_TEXT)

    def changes(self) -> dict[str, Any]:
        """The fields sent, minus explicit nulls (null never empties a field)."""
        sent = self.model_dump(by_alias=False, exclude_unset=True)
        return {k: v for k, v in sent.items() if v is not None}


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


@get("/api/v1/certifying-bodies", tags=["Certificering"], summary="Certificerende instellingen")
async def list_bodies(db: AsyncSession) -> list[BodyOut]:
    """Alle certificerende instellingen, om er een te kiezen bij het indienen."""
    return [body_out(v) for v in await service.list_bodies(db)]


ROUTES = [create_body, update_body, list_bodies]

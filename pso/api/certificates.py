from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import Provide
from litestar.params import Parameter
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.base import (
    BEARER,
    ApiInput,
    ApiModel,
    PageNumber,
    PageSize,
    SafeText,
    provide_db,
)
from pso.auth import Actor, provide_actor, require_roles
from pso.clock import today
from pso.db.models import Certificate
from pso.services import register

Rung = Literal["aspirant", "basistrede", "trede1", "trede2", "trede3"]
Status = Literal["valid", "expired", "suspended", "revoked", "superseded", "not_yet_valid"]


class OrganizationRef(ApiModel):
    kvk: str
    name: str


class CertificateOut(ApiModel):
    number: str = Field(description="Openbaar certificaatnummer, PSO-JJJJ-NNNNNN")
    kind: Literal["ladder", "pso30plus"]
    rung: Rung
    status: Status = Field(description="Status op de dag statusOn (standaard vandaag)")
    status_on: date
    valid_from: date
    valid_until: date
    organization: OrganizationRef
    rulebook: str
    issuer: str
    pdf_sha256: str
    revoked_on: date | None = None
    revocation_reason: str | None = None
    suspended_since: date | None = None
    superseded_from: date | None = None


class CertificatePage(ApiModel):
    items: list[CertificateOut]
    page: int
    page_size: int
    total: int


class RevocationIn(ApiInput):
    reason: SafeText = Field(min_length=3, max_length=2000, description="Reden van intrekking")


class SuspensionIn(ApiInput):
    reason: SafeText | None = Field(default=None, max_length=2000)


def certificate_out(certificate: Certificate, day: date) -> CertificateOut:
    return CertificateOut.model_validate(register.summary(certificate, day))


Number = Annotated[str, Parameter(max_length=40, description="Certificaatnummer")]
On = Annotated[date | None, Parameter(query="on", description="Status op deze dag (JJJJ-MM-DD)")]
DB = {"db": Provide(provide_db)}
ACTOR = {"db": Provide(provide_db), "actor": Provide(provide_actor, sync_to_thread=False)}


class RegisterController(Controller):
    path = "/api/v1/certificates"
    tags = ["Register"]
    dependencies = DB

    @get(summary="Openbaar register doorzoeken")
    async def search(
        self, db: AsyncSession,
        q: Annotated[str | None, Parameter(max_length=200, description="Naam, KvK of nummer")] = None,
        kvk: Annotated[str | None, Parameter(pattern=r"^[0-9]{8}$")] = None,
        rung: Rung | None = None,
        status: Status | None = None,
        page: PageNumber = 1,
        page_size: PageSize = 20,
    ) -> CertificatePage:
        """Zoek certificaten op naam, KvK-nummer of certificaatnummer; filter op trede en status."""
        day = today()
        rows, total = await register.search(db, q=q, kvk=kvk, rung=rung, status=status,
                                            page=page, page_size=page_size, day=day)
        return CertificatePage(items=[certificate_out(c, day) for c in rows], page=page,
                               page_size=page_size, total=total)

    @get("/expiring", guards=[require_roles("admin", "auditor")], security=BEARER,
         summary="Verlopen binnenkort")
    async def expiring(
        self, db: AsyncSession, months: Annotated[int, Parameter(ge=1, le=24)] = 3
    ) -> list[CertificateOut]:
        """Certificaten die binnen `months` maanden (standaard 3) verlopen: voor opvolging."""
        day = today()
        return [certificate_out(c, day) for c in await register.expiring(db, months)]

    @get("/{number:str}", summary="Certificaat controleren")
    async def read(self, number: Number, db: AsyncSession, on: On = None) -> CertificateOut:
        """De actuele status, of die op dag `on` (bijvoorbeeld de sluitingsdatum van een aanbesteding)."""
        return certificate_out(await register.find(db, number), on or today())

    @get("/{number:str}/pdf", summary="Certificaat als PDF", media_type="application/pdf")
    async def pdf(self, request: Request, number: Number, db: AsyncSession) -> Response[bytes]:
        """Het PDF-certificaat zoals het bij uitgifte is gemaakt (ongewijzigd opgeslagen)."""
        certificate = await register.find(db, number, with_pdf=True)
        etag = f'"{certificate.pdf_sha256}"'
        headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
        if request.headers.get("if-none-match") == etag:
            return Response(b"", status_code=304, headers=headers)
        headers["Content-Disposition"] = f'inline; filename="{certificate.number}.pdf"'
        return Response(certificate.pdf, media_type="application/pdf", headers=headers)


class CertificateActions(Controller):
    path = "/api/v1/certificates/{number:str}"
    tags = ["Register"]
    dependencies = ACTOR
    guards = [require_roles("auditor", "admin")]
    security = BEARER

    @post("/revocation", status_code=200, summary="Intrekken (definitief)")
    async def revoke(self, number: Number, data: RevocationIn, db: AsyncSession,
                     actor: Actor) -> CertificateOut:
        certificate = await register.revoke(db, actor, number, data.reason)
        return certificate_out(certificate, today())

    @post("/suspension", status_code=200, summary="Schorsen")
    async def suspend(self, number: Number, db: AsyncSession, actor: Actor,
                      data: SuspensionIn | None = None) -> CertificateOut:
        certificate = await register.suspend(db, actor, number, data.reason if data else None)
        return certificate_out(certificate, today())

    @delete("/suspension", status_code=200, summary="Schorsing opheffen")
    async def reinstate(self, number: Number, db: AsyncSession, actor: Actor) -> CertificateOut:
        return certificate_out(await register.reinstate(db, actor, number), today())


ROUTES = [RegisterController, CertificateActions]

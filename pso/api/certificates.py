from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.di import Provide
from litestar.params import Parameter
from litestar.response import Stream
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.base import BEARER, PageNumber, PageSize
from pso.api.paging import client_query, page_links
from pso.auth import Actor, provide_actor, require_roles
from pso.clock import today
from pso.db.models import Certificate
from pso.errors import InvalidInput
from pso.http.transaction import provide_db
from pso.schemas.base import ApiModel
from pso.schemas.certificates import RevocationIn, SuspensionIn
from pso.services import register, register_export

Rung = Literal["aspirant", "basistrede", "trede1", "trede2", "trede3"]
Status = Literal["valid", "expired", "suspended", "revoked", "superseded", "not_yet_valid"]


class SubsidiaryRef(ApiModel):
    kvk: str
    name: str


class OrganizationRef(SubsidiaryRef):
    municipality_code: str | None = Field(default=None, description="CBS-gemeentecode, GMnnnn")
    municipality: str | None = Field(default=None, description="Plaats: naam van de gemeente")


class CertificateOut(ApiModel):
    number: str = Field(description="Openbaar certificaatnummer, PSO-JJJJ-NNNNNN")
    kind: Literal["ladder", "pso30plus"]
    rung: Rung
    status: Status = Field(description="Status op de dag statusOn (standaard vandaag)")
    status_on: date
    valid_from: date
    valid_until: date
    organization: OrganizationRef = Field(description="De hoofdaanvrager")
    subsidiaries: list[SubsidiaryRef] = Field(
        default_factory=list,
        description="Dochterondernemingen die het certificaat dekt (ook op het PDF)")
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
    total: int = Field(description=f"Aantal treffers, geteld tot {register.COUNT_CAP:,}".replace(",", "."))
    total_exact: bool = Field(default=True, description="false: er zijn meer treffers dan total")
    next: str | None = Field(default=None, description="Link naar de volgende pagina (leest "
                             "verder na de laatste rij; werkt ook voorbij paginanummers)")


def page_json(found: register.Found, day: date, page: int, page_size: int,
              next_link: str | None) -> bytes:
    """The page as CertificatePage documents it, encoded by msgspec straight from the rows
    (no model per row; tests/api/test_register_search.py checks that the two agree)."""
    return msgspec.json.encode({
        "items": [_item(register.listed_summary(row, day)) for row in found.rows],
        "page": page, "pageSize": page_size, "total": found.total,
        "totalExact": found.total_exact, "next": next_link})


def _item(summary: dict[str, Any]) -> dict[str, Any]:
    """A summary() as CertificateOut serialises it: subsidiaries with only kvk and name."""
    summary["subsidiaries"] = [{"kvk": s["kvk"], "name": s["name"]}
                               for s in summary["subsidiaries"]]
    return summary


def certificate_out(certificate: Certificate, day: date) -> CertificateOut:
    return CertificateOut.model_validate(register.summary(certificate, day))


Number = Annotated[str, Parameter(max_length=40, description="Certificaatnummer")]
Query = Annotated[str | None, Parameter(max_length=200, description="Naam, KvK of nummer")]
Kvk = Annotated[str | None, Parameter(pattern=r"^[0-9]{8}$")]
Municipality = Annotated[str | None, Parameter(pattern=r"^GM[0-9]{4}$",
                                                description="Plaats: CBS-gemeentecode, GMnnnn")]
Sort = Annotated[Literal["newest", "valid-first", "name", "rung", "validity"],
                 Parameter(description="newest (standaard), valid-first (geldige eerst), name, "
                                       "rung (hoogste trede eerst) of validity (langst geldig "
                                       "eerst)")]
After = Annotated[str | None, Parameter(max_length=300, description="Vervolgcode uit `next`")]
ExportFormat = Annotated[Literal["csv", "json"], Parameter(query="format")]
PAGE_TOO_FAR = (f"Zo ver bladeren gaat niet met paginanummers (hoogstens "
                f"{register.COUNT_CAP:,} rijen diep); volg de link uit het veld next."
                .replace(",", "."))
BAD_CURSOR = "Onbekende vervolgcode; gebruik de link uit het veld next van de vorige pagina."


def _next_link(request: Request, after: str | None) -> str | None:
    if after is None:
        return None
    params = [(k, v) for k, v in client_query(request) if k not in ("after", "page")]
    return f"{request.url.path}?{urlencode([*params, ('after', after)])}"
On = Annotated[date | None, Parameter(query="on", description="Status op deze dag (JJJJ-MM-DD)")]
DB = {"db": Provide(provide_db)}
WHO = {"actor": Provide(provide_actor, sync_to_thread=False)}
ACTOR = {"db": Provide(provide_db), **WHO}


class RegisterController(Controller):
    path = "/api/v1/certificates"
    tags = ["Register"]
    dependencies = DB

    @get(summary="Openbaar register doorzoeken")
    async def search(
        self, request: Request, q: Query = None, kvk: Kvk = None, rung: Rung | None = None,
        status: Status | None = None, municipality: Municipality = None,
        sort: Sort = "newest", after: After = None,
        page: PageNumber = 1, page_size: PageSize = 20,
    ) -> Response[CertificatePage]:
        """Zoek certificaten op naam (alle woorden, in elke volgorde, zonder op hoofdletters of
        accenten te letten), KvK-nummer of certificaatnummer; filter op trede, status en plaats.
        Verder bladeren: volg `next`."""
        if after is None and (page - 1) * page_size >= register.COUNT_CAP:
            raise InvalidInput([{"name": "page", "reason": PAGE_TOO_FAR}])
        day = today()
        try:
            found = await register.search(
                request.app.state, q=q, kvk=kvk, rung=rung, status=status,
                municipality=municipality, sort=sort, after=after, page=page,
                page_size=page_size, day=day)
        except register.BadCursor:
            raise InvalidInput([{"name": "after", "reason": BAD_CURSOR}]) from None
        next_link = _next_link(request, found.next_after)
        # Bytes, not a CertificatePage: so the Link header that ApiResponse adds to paged
        # models is added here, from the same numbers.
        links = page_links(request.url.path, client_query(request), SimpleNamespace(
            page=page, page_size=page_size, total=found.total, total_exact=found.total_exact,
            next=next_link))
        # The declared CertificatePage is the OpenAPI schema of these bytes.
        return Response(page_json(found, day, page, page_size, next_link),  # type: ignore[arg-type]
                        media_type="application/json", headers={"Link": links})

    @get("/export", summary="Register downloaden (CSV of JSON)",
         media_type="text/csv", responses={})
    async def export(
        self, request: Request, format: ExportFormat = "csv", q: Query = None,
        kvk: Kvk = None, rung: Rung | None = None, status: Status | None = None,
        municipality: Municipality = None,
    ) -> Stream:
        """Het hele openbare register (of de treffers van dezelfde filters als bij zoeken),
        nieuwste eerst. `format=csv` (puntkomma's, UTF-8 voor Excel) of `format=json`."""
        filters = {"q": q, "kvk": kvk, "rung": rung, "status": status,
                   "municipality": municipality}
        chunks = register_export.stream(request.app.state.session_maker, format, today(),
                                        filters)
        media = "text/csv; charset=utf-8" if format == "csv" else "application/json"
        name = f"pso-register-{today().isoformat()}.{format}"
        return Stream(chunks, media_type=media,
                      headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @get("/expiring", guards=[require_roles("admin", "auditor")], security=BEARER,
         summary="Verlopen binnenkort", dependencies=WHO)
    async def expiring(
        self, db: AsyncSession, actor: Actor, months: Annotated[int, Parameter(ge=1, le=24)] = 3
    ) -> list[CertificateOut]:
        """Certificaten die binnen `months` maanden (standaard 3) verlopen: voor opvolging. Een
        auditor ziet die van de eigen certificerende instelling."""
        day = today()
        return [certificate_out(c, day) for c in await register.expiring(db, actor, months)]

    @get("/{number:str}", summary="Certificaat controleren")
    async def read(self, number: Number, db: AsyncSession, on: On = None) -> CertificateOut:
        """De actuele status, of die op dag `on` (bijvoorbeeld de sluitingsdatum van een
        aanbesteding)."""
        return certificate_out(await register.find(db, number), on or today())

    @get("/{number:str}/pdf", summary="Certificaat als PDF", media_type="application/pdf")
    async def pdf(self, request: Request, number: Number, db: AsyncSession) -> Response[bytes]:
        """Het PDF-certificaat zoals het bij uitgifte is gemaakt (ongewijzigd opgeslagen)."""
        found, sha256, pdf = await register.find_pdf(db, number)
        etag = f'"{sha256}"'
        headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
        if request.headers.get("if-none-match") == etag:
            return Response(b"", status_code=304, headers=headers)
        headers["Content-Disposition"] = f'inline; filename="{found}.pdf"'
        return Response(pdf, media_type="application/pdf", headers=headers)


class CertificateActions(Controller):
    path = "/api/v1/certificates/{number:str}"
    tags = ["Register"]
    dependencies = ACTOR
    guards = [require_roles("auditor", "admin")]
    security = BEARER

    @post("/revocation", status_code=200, summary="Intrekken (definitief)")
    async def revoke(self, number: Number, data: RevocationIn, db: AsyncSession,
                     actor: Actor) -> CertificateOut:
        """Trekt het certificaat definitief in, met reden; een volgcertificaat (PSO 30+) gaat mee.
        Staat in het auditlog."""
        certificate = await register.revoke(db, actor, number, data.reason)
        return certificate_out(certificate, today())

    @post("/suspension", status_code=200, summary="Schorsen")
    async def suspend(self, number: Number, db: AsyncSession, actor: Actor,
                      data: SuspensionIn | None = None) -> CertificateOut:
        """Schorst het certificaat, eventueel met reden; het register toont de schorsing direct.
        Opheffen met DELETE."""
        certificate = await register.suspend(db, actor, number, data.reason if data else None)
        return certificate_out(certificate, today())

    @delete("/suspension", status_code=200, summary="Schorsing opheffen")
    async def reinstate(self, number: Number, db: AsyncSession, actor: Actor) -> CertificateOut:
        """Heft de schorsing op: het certificaat geldt weer tot de oorspronkelijke einddatum."""
        return certificate_out(await register.reinstate(db, actor, number), today())


ROUTES = [RegisterController, CertificateActions]

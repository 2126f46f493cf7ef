"""Municipal subsidy vouchers: schemes with a budget, issuing, redemption, cancellation."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from pso import clock
from pso.api.base import BEARER, PageNumber, PageSize
from pso.api.voucher_models import (
    OpenSchemeList,
    OpenSchemeOut,
    SchemeList,
    SchemeOut,
    VoucherOut,
    VoucherPage,
)
from pso.auth import Actor, provide_actor, require_roles
from pso.errors import InvalidInput
from pso.http.idempotency import idempotent
from pso.http.transaction import provide_db
from pso.schemas.vouchers import (
    CancellationIn,
    IssueIn,
    RedemptionIn,
    RefusalIn,
    SchemeIn,
    SchemePatchIn,
    Status,
)
from pso.services import municipalities
from pso.services import vouchers as service
from pso.services.voucher_export import vouchers_csv
from pso.services.voucher_pdf import stored_pdf
from pso.text.identifiers import KVK_RE

ISSUE_CONFLICTS = (
    "409-problemen, elk met een eigen type: organization-unknown (niet geregistreerd), "
    "application-window-not-open, application-window-closed, municipality-not-eligible, "
    "fte-above-maximum (maxFte is inclusief), voucher-already-issued, budget-exhausted. "
    "Bij een regeling met `requiresApproval` wordt de aanvraag van een bedrijf een voucher "
    "met status `requested` (het bedrag is gereserveerd) tot de gemeente beslist."
)


async def _scheme_out(db: AsyncSession, scheme: Any) -> SchemeOut:
    day = clock.today()
    fig = (await service.figures(db, [scheme], day))[scheme.id]
    names = await municipalities.names(db, [scheme.municipality_code])
    return SchemeOut.build(scheme, fig, day, names)


def _csv_response(scheme_id: int, body: bytes) -> Response[bytes]:
    return Response(
        body,
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="vouchers-regeling-{scheme_id}.csv"'},
    )


class VoucherSchemeController(Controller):
    path = "/api/v1/voucher-schemes"
    tags = ("Vouchers",)
    security = BEARER
    dependencies = {
        "db": Provide(provide_db), "actor": Provide(provide_actor, sync_to_thread=False)
    }

    @post(guards=[require_roles("municipality")], summary="Voucherregeling aanmaken")
    async def create(self, data: SchemeIn, db: AsyncSession, actor: Actor) -> SchemeOut:
        """Een gemeente maakt een regeling voor haar eigen gemeentecode."""
        scheme = await service.create_scheme(db, actor, data.model_dump(by_alias=False))
        return await _scheme_out(db, scheme)

    @get(guards=[require_roles("municipality", "admin")], summary="Eigen voucherregelingen")
    async def list_schemes(self, db: AsyncSession, actor: Actor) -> SchemeList:
        """De regelingen van de eigen gemeente (beheerders: alle), met budgetcijfers."""
        day = clock.today()
        schemes = await service.list_schemes(db, actor)
        figs = await service.figures(db, schemes, day)
        names = await municipalities.names(db, [s.municipality_code for s in schemes])
        return SchemeList(items=[SchemeOut.build(s, figs[s.id], day, names) for s in schemes])

    @get("/open", guards=[require_roles("company", "municipality", "admin")],
         summary="Regelingen waarvoor nu aangevraagd kan worden")
    async def open_schemes(self, db: AsyncSession, actor: Actor,
                           kvk: str | None = None) -> OpenSchemeList:
        """Alle regelingen met een open aanvraagperiode (voor een gemeente: de eigen), met het
        beschikbare budget. Met `?kvk=` (een bedrijf: alleen het eigen KvK-nummer) ook of die
        organisatie nu mag aanvragen en zo niet, waarom niet (de grootte in fte wordt dan niet
        getoetst)."""
        day = clock.today()
        if kvk is not None and not KVK_RE.match(kvk):
            raise InvalidInput([{"name": "kvk", "reason": "Een KvK-nummer heeft 8 cijfers."}])
        if actor.role == "company":
            kvk = kvk or actor.kvk
            service.ensure_kvk_access(actor, kvk or "")
        schemes = await service.open_schemes(db, actor, day)
        figs = await service.figures(db, schemes, day)
        names = await municipalities.names(db, [s.municipality_code for s in schemes])
        items = []
        for s in schemes:
            reason = await service.eligibility(db, s, kvk, None, day) if kvk else None
            if kvk and reason is None and figs[s.id].available < s.voucher_amount:
                reason = "Het budget van deze regeling is op."
            items.append(OpenSchemeOut(
                id=s.id, title=s.title, municipality_code=s.municipality_code,
                municipality_name=names.get(s.municipality_code, s.municipality_code),
                voucher_amount=s.voucher_amount, application_closes_on=s.application_closes_on,
                voucher_validity_days=s.voucher_validity_days, max_fte=s.max_fte,
                eligible_municipality_codes=s.eligible_municipality_codes,
                requires_approval=s.requires_approval, available=figs[s.id].available,
                eligible=(reason is None) if kvk else None, ineligible_reason=reason))
        return OpenSchemeList(items=items)

    @get(
        "/{scheme_id:int}",
        guards=[require_roles("municipality", "admin")],
        summary="Voucherregeling met budget",
    )
    async def read(self, scheme_id: int, db: AsyncSession, actor: Actor) -> SchemeOut:
        """Regeling met `committed` (gereserveerd + uitbetaald), `redeemed`, `available` en
        aantallen per status, berekend uit de vouchers zelf."""
        return await _scheme_out(db, await service.scheme_for(db, actor, scheme_id))

    @patch(
        "/{scheme_id:int}",
        guards=[require_roles("municipality", "admin")],
        summary="Voucherregeling wijzigen",
    )
    async def update(
        self, scheme_id: int, data: SchemePatchIn, db: AsyncSession, actor: Actor
    ) -> SchemeOut:
        """Titel, bedrag, budget, aanvraagperiode, geldigheid en voorwaarden; alleen wat is
        meegestuurd verandert. Het budget mag omhoog; lager dan wat al is vastgelegd is 409
        `budget-below-committed`. Uitgegeven vouchers houden hun bedrag en vervaldatum."""
        scheme = await service.update_scheme(db, actor, scheme_id, data.changes())
        return await _scheme_out(db, scheme)

    @get(
        "/{scheme_id:int}/vouchers",
        guards=[require_roles("municipality", "admin")],
        summary="Vouchers van een regeling (JSON of CSV)",
    )
    async def list_vouchers(
        self,
        request: Request,
        scheme_id: int,
        db: AsyncSession,
        actor: Actor,
        status: Status | None = None,
        fmt: Annotated[Literal["json", "csv"], Parameter(query="format")] = "json",
        page: PageNumber = 1,
        page_size: PageSize = 20,
    ) -> VoucherPage:
        """Met `Accept: text/csv` of `?format=csv` alle vouchers als CSV (puntkomma's, decimale
        komma, UTF-8 met BOM): hetzelfde bestand als `…/vouchers.csv`."""
        scheme = await service.scheme_for(db, actor, scheme_id)
        day = clock.today()
        if fmt == "csv" or ("format" not in request.query_params and request.accept.best_match(
                ["application/json", "text/csv"]) == "text/csv"):
            items, _ = await service.list_vouchers(db, scheme, day, status=status)
            return _csv_response(scheme_id, vouchers_csv(items, day))  # type: ignore[return-value]
        items, total = await service.list_vouchers(
            db, scheme, day, status=status, page=page, page_size=page_size
        )
        return VoucherPage(
            items=[VoucherOut.build(v, day) for v in items],
            page=page,
            page_size=page_size,
            total=total,
        )

    @get(
        "/{scheme_id:int}/vouchers.csv",
        guards=[require_roles("municipality", "admin")],
        summary="Vouchers van een regeling als CSV",
        media_type="text/csv",
    )
    async def export_vouchers(
        self, scheme_id: int, db: AsyncSession, actor: Actor, status: Status | None = None
    ) -> Response[bytes]:
        """Alle vouchers als CSV voor Excel: puntkomma's, decimale komma, UTF-8 met BOM."""
        scheme = await service.scheme_for(db, actor, scheme_id)
        day = clock.today()
        items, _ = await service.list_vouchers(db, scheme, day, status=status)
        return _csv_response(scheme_id, vouchers_csv(items, day))

    @post(
        "/{scheme_id:int}/vouchers",
        guards=[require_roles("municipality", "company")],
        summary="Voucher uitgeven",
        description=ISSUE_CONFLICTS,
    )
    async def issue(
        self, scheme_id: int, data: IssueIn, request: Request, db: AsyncSession, actor: Actor
    ) -> Response[VoucherOut]:
        """De gemeente geeft een voucher uit aan een organisatie, of een bedrijf vraagt er zelf
        een aan (alleen voor het eigen KvK-nummer). Ondersteunt `Idempotency-Key`."""

        async def action() -> VoucherOut:
            voucher = await service.issue(db, actor, scheme_id, data.kvk, data.fte)
            return VoucherOut.build(voucher, voucher.issued_on)

        return await idempotent(request, db, actor, action, status_code=201)


class VoucherController(Controller):
    path = "/api/v1/vouchers"
    tags = ("Vouchers",)
    security = BEARER
    dependencies = {
        "db": Provide(provide_db), "actor": Provide(provide_actor, sync_to_thread=False)
    }

    @get(
        "/{code:str}",
        guards=[require_roles("company", "municipality", "auditor")],
        summary="Voucher",
    )
    async def read(self, code: str, db: AsyncSession, actor: Actor) -> VoucherOut:
        """Voor de houder, de gemeente van de regeling en auditors; anderen krijgen 404."""
        voucher = await service.voucher_for(db, actor, code)
        return VoucherOut.build(voucher, clock.today())

    @get(
        "/{code:str}/pdf",
        guards=[require_roles("company", "municipality", "auditor")],
        summary="Voucher als PDF",
        media_type="application/pdf",
    )
    async def pdf(self, code: str, db: AsyncSession, actor: Actor, state: State) -> Response[bytes]:
        """Nederlandstalig voucherbewijs met een QR-code naar de controlepagina van deze voucher:
        gemaakt bij uitgifte en bij elke statuswijziging en zo bewaard (`pdfSha256`). Een
        ingetrokken of verlopen voucher draagt een stempel. 409 `voucher-not-issued` voor een
        aanvraag die (nog) niet is goedgekeurd."""
        voucher = await service.voucher_for(db, actor, code)
        body = await stored_pdf(db, voucher, clock.today())
        return Response(
            body,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="voucher-{voucher.code}.pdf"'},
        )

    @post(
        "/{code:str}/redemption",
        guards=[require_roles("auditor", "municipality")],
        status_code=200,
        summary="Voucher verzilveren",
    )
    async def redeem(
        self, code: str, data: RedemptionIn, request: Request, db: AsyncSession, actor: Actor
    ) -> Response[VoucherOut]:
        """Betaalt min(voucherbedrag, factuurbedrag) één keer uit; de rest gaat terug naar het
        budget. Vraagt `certificateNumber` of `assessmentId` als bewijs. Ondersteunt
        `Idempotency-Key`. 409: voucher-already-redeemed, voucher-expired, voucher-cancelled,
        redemption-proof-invalid."""
        if data.certificate_number is None and data.assessment_id is None:
            reason = "Geef certificateNumber of assessmentId op als bewijs van de beoordeling."
            raise InvalidInput(
                [{"name": "certificateNumber", "reason": reason},
                 {"name": "assessmentId", "reason": reason}]
            )

        async def action() -> VoucherOut:
            voucher = await service.redeem(
                db, actor, code, data.invoice_amount,
                certificate_number=data.certificate_number, assessment_id=data.assessment_id,
            )
            return VoucherOut.build(voucher, voucher.redeemed_on)

        return await idempotent(request, db, actor, action, status_code=200)

    @post(
        "/{code:str}/cancellation",
        guards=[require_roles("municipality")],
        status_code=200,
        summary="Voucher intrekken",
    )
    async def cancel(
        self, code: str, db: AsyncSession, actor: Actor, data: CancellationIn | None = None
    ) -> VoucherOut:
        """Trekt een ongebruikte voucher in; het bedrag komt direct terug in het budget.
        Optioneel `{reason}`. 409: voucher-already-redeemed, voucher-expired, voucher-cancelled."""
        reason = data.reason if data is not None else None
        voucher = await service.cancel(db, actor, code, reason)
        return VoucherOut.build(voucher, voucher.cancelled_on)

    @post(
        "/{code:str}/approval",
        guards=[require_roles("municipality")],
        status_code=200,
        summary="Aanvraag goedkeuren",
    )
    async def approve(self, code: str, request: Request, db: AsyncSession,
                      actor: Actor) -> Response[VoucherOut]:
        """Keurt de aanvraag van een bedrijf goed: de voucher is uitgegeven vanaf vandaag, voor
        de geldigheid van de regeling. Ondersteunt `Idempotency-Key`. 409:
        voucher-not-requested (er ligt geen aanvraag open)."""

        async def action() -> VoucherOut:
            voucher = await service.approve(db, actor, code)
            return VoucherOut.build(voucher, voucher.issued_on)

        return await idempotent(request, db, actor, action, status_code=200)

    @post(
        "/{code:str}/refusal",
        guards=[require_roles("municipality")],
        status_code=200,
        summary="Aanvraag weigeren",
    )
    async def refuse(
        self, code: str, db: AsyncSession, actor: Actor, data: RefusalIn | None = None
    ) -> VoucherOut:
        """Weigert de aanvraag van een bedrijf; het gereserveerde bedrag komt direct terug in
        het budget. Optioneel `{reason}`. 409: voucher-not-requested."""
        reason = data.reason if data is not None else None
        voucher = await service.refuse(db, actor, code, reason)
        return VoucherOut.build(voucher, voucher.decided_on)


ROUTES = [VoucherSchemeController, VoucherController]

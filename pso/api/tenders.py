"""Stored tenders for procurement teams: policy, bids, evaluation as JSON, CSV or PDF."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import Parameter
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.base import BEARER, PageNumber, PageSize
from pso.auth import Actor, provide_actor, require_roles
from pso.db.models import Tender, TenderBid
from pso.errors import ProblemError, problem_response
from pso.http.downloads import file_download
from pso.http.idempotency import idempotent
from pso.http.transaction import provide_db
from pso.schemas.base import ApiModel
from pso.schemas.procurement import (
    BidCreateIn,
    EvaluationOut,
    Kvk,
    MoneyOut,
    PolicyOut,
    RealRung,
    Rung,
    bid_from,
    policy_from,
)
from pso.schemas.tenders import AwardIn, TenderIn
from pso.services import monitoring, tender_exports, tenders

Id = Annotated[int, Parameter(ge=1, le=2**31 - 1, description="Nummer van de aanbesteding")]


class BidMemberOut(ApiModel):
    kvk: Kvk
    certificate_number: str | None = None
    declared_rung: RealRung | None = None


class BidOut(ApiModel):
    submission_order: int = Field(description="Volgorde van inschrijving (laatste beslisregel)")
    bidder: str
    kvk: str
    price: MoneyOut
    certificate_number: str | None
    declared_rung: RealRung | None
    consortium: list[BidMemberOut] | None
    submitted_at: datetime
    submitted_by: str


class TenderOut(ApiModel):
    id: int
    title: str
    reference: str
    deadline: date
    policy: PolicyOut
    status: Literal["open", "closed", "evaluated"] = Field(
        description="open: inschrijven kan nog; closed: sluitingsdatum voorbij; "
        "evaluated: beoordeling vastgesteld"
    )
    bid_count: int
    bids: list[BidOut] | None = Field(default=None, description="Alleen bij één aanbesteding")
    created_at: datetime
    created_by: str
    evaluated_at: datetime | None
    evaluated_by: str | None


class TenderPage(ApiModel):
    items: list[TenderOut]
    page: int
    page_size: int
    total: int


class FactOut(ApiModel):
    number: str
    kind: Literal["ladder", "pso30plus"]
    rung: Rung
    kvk: str
    status: str = Field(description="Status op de sluitingsdatum")
    valid_from: date
    valid_until: date
    other_kvks: list[str] = Field(
        default_factory=list,
        description="KvK-nummers van de dochterondernemingen die het certificaat dekt")


class TenderEvaluationOut(EvaluationOut):
    tender_id: int
    title: str
    reference: str
    evaluated_at: datetime | None = Field(description="Wanneer vastgesteld; null als voorlopig")
    evaluated_by: str | None
    register_facts: list[FactOut] = Field(
        description="De registergegevens die de beoordeling gebruikte, op de sluitingsdatum"
    )


class WatchedOut(ApiModel):
    number: str
    kvk: str = Field(description="KvK-nummer van de hoofdaanvrager op het certificaat")
    covered_kvk: str | None = Field(
        None, description="KvK-nummer van de winnaar (of het lid) dat het certificaat dekt: de "
        "hoofdaanvrager of een dochteronderneming op het certificaat")
    kind: Literal["ladder", "pso30plus"]
    rung: Rung
    valid_until: date


class AwardOut(ApiModel):
    tender_id: int
    bidder: str
    kvk: str
    position: int = Field(description="Plaats in de rangschikking")
    rung: Rung = Field(description="De trede waarop is gegund")
    pso30_plus: bool
    verified: bool
    price: MoneyOut
    advantage: MoneyOut
    penalty_if_not_maintained: MoneyOut
    certificates: list[WatchedOut] = Field(description="De certificaten die bewaakt worden")
    contract_start: date
    contract_end: date
    awarded_at: datetime
    awarded_by: str


class CheckResultOut(ApiModel):
    number: str
    kvk: str
    kind: str
    status: str
    ok: bool
    note: str


class CheckOut(ApiModel):
    day: date
    ok: bool
    results: list[CheckResultOut]


class EventOut(ApiModel):
    day: date
    kind: Literal["suspended", "revoked", "expired", "superseded", "expiry_warning"]
    certificate_number: str
    kvk: str
    rung_won: Rung
    rung_now: Rung
    detail: str
    penalty_if_not_maintained: MoneyOut | None = Field(
        description="Bij verlies van de gegunde trede: de boete")
    notified: int = Field(description="Aantal gemailde personen van de inkopende organisatie")


class MonitoringOut(ApiModel):
    tender_id: int
    state: Literal["not_awarded", "not_started", "active", "ended"]
    award: AwardOut | None
    checks: list[CheckOut] = Field(description="De laatste controles, nieuwste eerst")
    events: list[EventOut]


def award_out(award: Any) -> AwardOut:
    return AwardOut(
        tender_id=award.tender_id, bidder=award.bidder, kvk=award.kvk, position=award.position,
        rung=award.rung, pso30_plus=award.pso30plus, verified=award.verified, price=award.price,
        advantage=award.advantage, penalty_if_not_maintained=award.penalty,
        certificates=[WatchedOut(number=c["number"], kvk=c["kvk"], covered_kvk=c.get("coveredKvk"),
                                 kind=c["kind"], rung=c["rung"], valid_until=c["validUntil"])
                      for c in award.certificates],
        contract_start=award.contract_start, contract_end=award.contract_end,
        awarded_at=award.awarded_at, awarded_by=award.awarded_by)


def monitoring_out(found: dict[str, Any]) -> MonitoringOut:
    return MonitoringOut(
        tender_id=found["tender"].id, state=found["state"],
        award=award_out(found["award"]) if found["award"] is not None else None,
        checks=[CheckOut(day=c.day, ok=c.ok, results=c.results) for c in found["checks"]],
        events=[EventOut(day=e.day, kind=e.kind, certificate_number=e.certificate_number,
                         kvk=e.kvk, rung_won=e.rung_won, rung_now=e.rung_now, detail=e.detail,
                         penalty_if_not_maintained=e.penalty, notified=e.recipients)
                for e in found["events"]])


def bid_out(bid: TenderBid) -> BidOut:
    return BidOut(submission_order=bid.position, bidder=bid.bidder, kvk=bid.kvk, price=bid.price,
                  certificate_number=bid.certificate_number, declared_rung=bid.declared_rung,
                  consortium=bid.consortium, submitted_at=bid.submitted_at,
                  submitted_by=bid.submitted_by)


def tender_out(tender: Tender, bid_count: int | None = None, with_bids: bool = True) -> TenderOut:
    bids = tender.bids if with_bids else None
    return TenderOut(
        id=tender.id, title=tender.title, reference=tender.reference, deadline=tender.deadline,
        policy=tender.policy, status=tenders.status_of(tender),
        bid_count=len(bids) if bids is not None else bid_count or 0,
        bids=[bid_out(b) for b in bids] if bids is not None else None,
        created_at=tender.created_at, created_by=tender.created_by,
        evaluated_at=tender.evaluated_at, evaluated_by=tender.evaluated_by,
    )


Format = Annotated[Literal["json", "csv", "pdf"] | None,
                   Parameter(query="format", description="json (standaard), csv of pdf")]


def wanted_format(request: Request, fmt: str | None) -> str:
    if fmt:
        return fmt
    accept = request.headers.get("accept", "")
    if "text/csv" in accept:
        return "csv"
    if "application/pdf" in accept:
        return "pdf"
    return "json"


class TenderController(Controller):
    path = "/api/v1/tenders"
    tags = ["Aanbesteding"]
    dependencies = {"db": Provide(provide_db), "actor": Provide(provide_actor, sync_to_thread=False)}
    guards = [require_roles("procurement", "admin")]
    security = BEARER

    @post(status_code=201, summary="Aanbesteding vastleggen")
    async def create(self, request: Request, data: TenderIn, db: AsyncSession,
                     actor: Actor) -> Response[TenderOut]:
        """Titel, kenmerk, sluitingsdatum en het beleid voor de fictieve korting.
        Alleen wie de aanbesteding aanmaakt (en een beheerder) ziet haar.
        Ondersteunt de header Idempotency-Key."""
        async def run() -> TenderOut:
            tender = await tenders.create(db, actor, title=data.title, reference=data.reference,
                                          deadline=data.deadline, policy=policy_from(data.policy))
            return tender_out(tender)

        return await idempotent(request, db, actor, run, status_code=201)

    @get(summary="Eigen aanbestedingen")
    async def list(self, db: AsyncSession, actor: Actor, page: PageNumber = 1,
                   page_size: PageSize = 20) -> TenderPage:
        """De aanbestedingen die u zelf hebt vastgelegd (beheerders: alle), nieuwste eerst, zonder
        de inschrijvingen."""
        rows, total = await tenders.list_for(db, actor, page=page, page_size=page_size)
        return TenderPage(items=[tender_out(t, n, with_bids=False) for t, n in rows], page=page,
                          page_size=page_size, total=total)

    @get("/{tender_id:int}", summary="Aanbesteding met inschrijvingen")
    async def read(self, tender_id: Id, db: AsyncSession, actor: Actor) -> TenderOut:
        """Een eigen aanbesteding met beleid en alle inschrijvingen; van een ander 404."""
        return tender_out(await tenders.get_for(db, actor, tender_id))

    @post("/{tender_id:int}/bids", status_code=201, summary="Inschrijving toevoegen")
    async def add_bid(self, request: Request, tender_id: Id, data: BidCreateIn, db: AsyncSession,
                      actor: Actor) -> Response[BidOut]:
        """Eén inschrijving, tot en met de sluitingsdatum (daarna 409 `tender-closed`); één per
        KvK-nummer (anders 409 `duplicate-bidder`). Ondersteunt de header Idempotency-Key."""
        async def run() -> BidOut:
            return bid_out(await tenders.add_bid(db, actor, tender_id, bid_from(data)))

        return await idempotent(request, db, actor, run, status_code=201)

    @get("/{tender_id:int}/evaluation", summary="Beoordeling (JSON, CSV of PDF)")
    async def evaluation(self, request: Request, tender_id: Id, db: AsyncSession, actor: Actor,
                         format: Format = None) -> Response[TenderEvaluationOut]:
        """Tot en met de sluitingsdatum voorlopig (`provisional: true`, uit het actuele register).
        De eerste keer daarna wordt de beoordeling vastgesteld en bewaard, met de gebruikte
        registergegevens; daarna blijft ze zoals ze toen was, ook als een certificaat later
        wordt ingetrokken. `?format=csv` (of Accept: text/csv) geeft een CSV voor Excel,
        `?format=pdf` (of Accept: application/pdf) een PDF-rapport."""
        result = await tenders.evaluation(db, actor, tender_id)
        try:
            fmt = wanted_format(request, format)
            if fmt in ("csv", "pdf"):
                return file_download(*await tender_exports.export_file(result, fmt))
            return Response(result)  # already the JSON shape of TenderEvaluationOut
        except ProblemError as problem:
            # Answered, not raised: a first look after the deadline has just fixed the
            # evaluation, and that must be committed even when this format is refused.
            return problem_response(problem, request)

    @post("/{tender_id:int}/evaluation", status_code=200, summary="Beoordeling vaststellen")
    async def fix(self, tender_id: Id, db: AsyncSession,
                  actor: Actor) -> Response[TenderEvaluationOut]:
        """Stelt de beoordeling vast (vanaf de sluitingsdatum; daarna geen inschrijvingen meer).
        Nogmaals vaststellen geeft de bewaarde beoordeling ongewijzigd terug."""
        return Response(await tenders.evaluation(db, actor, tender_id, fix=True))

    @post("/{tender_id:int}/award", status_code=201, summary="Gunning vastleggen")
    async def award(self, request: Request, tender_id: Id, data: AwardIn, db: AsyncSession,
                    actor: Actor) -> Response[AwardOut]:
        """Legt de gunning vast: aan welke inschrijver (KvK-nummer) en de looptijd van het
        contract. De beoordeling wordt zo nodig eerst vastgesteld (409 `tender-open` vóór de
        sluitingsdatum). Daarna controleert de dienst dagelijks de certificaten van de
        winnaar (bij een combinatie: van elke deelnemer). 409 `tender-already-awarded`.
        Ondersteunt de header Idempotency-Key."""
        async def run() -> AwardOut:
            found = await monitoring.award(db, actor, tender_id, data.bidder,
                                           data.contract_start, data.contract_end)
            return award_out(found)

        return await idempotent(request, db, actor, run, status_code=201)

    @get("/{tender_id:int}/monitoring", summary="Contractbewaking")
    async def monitoring(self, tender_id: Id, db: AsyncSession, actor: Actor) -> MonitoringOut:
        """De gunning, de toestand van het contract vandaag, de laatste controles en alle
        gebeurtenissen: geschorst, ingetrokken, verlopen, vervangen door een lagere trede (met
        `penaltyIfNotMaintained`), en een waarschuwing drie maanden voordat een certificaat
        binnen de looptijd verloopt."""
        return monitoring_out(await monitoring.monitoring(db, actor, tender_id))


ROUTES = [TenderController]

"""Social return after the award (SPEC §8.3): valuation models and the terms of a contract."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from litestar import Controller, get, post, put
from litestar.di import Provide
from litestar.params import Body, Parameter
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.base import BEARER
from pso.auth import Actor, provide_actor, require_roles
from pso.errors import NotFound
from pso.http.transaction import provide_db
from pso.schemas.base import ApiModel
from pso.schemas.procurement import (
    FactorOut,
    MoneyOut,
    Rung,
)
from pso.schemas.social_return import LineIn, LineKind, ReviewIn, SocialReturnIn
from pso.services import social_return
from pso.services import social_return_lines as lines
from sroi.model import ValuationModel

TenderId = Annotated[int, Parameter(ge=1, le=2**31 - 1, description="Nummer van de aanbesteding")]
Kind = Literal["placement", "apprenticeship", "work_experience", "purchase", "activity", "bonus"]
DEPENDENCIES = {"db": Provide(provide_db), "actor": Provide(provide_actor, sync_to_thread=False)}


# --- valuation models ------------------------------------------------------------------

ModelIn = Annotated[dict[str, Any], Body(description=(
    "Een model zoals in sroi/models: id, name, source, validFrom, fullTimeHours, notes en "
    "blocks (code, label, kind, value of sharePct, countsForMonths), en eventueel basedOn: "
    "het id van het model dat u kopieert."))]


class BlockOut(ApiModel):
    code: str
    label: str
    kind: Kind = Field(description="placement (per jaar), apprenticeship (per "
                                 "leerjaar), work_experience (per maand), purchase (aandeel van "
                                 "de factuurwaarde), activity (per uur), bonus (per jaar, bij een "
                                 "plaatsing)")
    value: MoneyOut | None = Field(description="Inspanningswaarde in euro; bij inkoop leeg")
    share_pct: MoneyOut | None = Field(description="Bij inkoop: het aandeel van de "
                                       "factuurwaarde in procenten")
    counts_for_months: int | None = Field(description="Hoe lang een plaatsing telt; leeg: "
                                          "altijd (of niet van toepassing)")


class ModelSummaryOut(ApiModel):
    id: str
    name: str
    source: str = Field(description="Waar de cijfers vandaan komen")
    valid_from: date


class ModelOut(ModelSummaryOut):
    full_time_hours: FactorOut = Field(description="Uren per week waarop een jaarwaarde "
                                       "uitgaat")
    notes: list[str] = Field(description="Wat de dienst aanneemt waar de publicatie zwijgt")
    blocks: list[BlockOut]


def model_out(model: ValuationModel) -> ModelOut:
    return ModelOut(
        id=model.id, name=model.name, source=model.source, valid_from=model.valid_from,
        full_time_hours=model.full_time_hours, notes=list(model.notes),
        blocks=[BlockOut(code=b.code, label=b.label, kind=b.kind,
                         value=None if b.kind == "purchase" else b.value,
                         share_pct=b.value if b.kind == "purchase" else None,
                         counts_for_months=b.counts_for_months)
                for b in model.blocks.values()])


class SroiModelController(Controller):
    path = "/api/v1/sroi-models"
    tags = ["Social return"]
    dependencies = DEPENDENCIES
    guards = [require_roles("procurement", "company", "admin")]
    security = BEARER

    @get(summary="Waarderingsmodellen (bouwblokken)")
    async def list(self, db: AsyncSession, actor: Actor) -> list[ModelSummaryOut]:
        """De gepubliceerde bouwblokkenmodellen die de dienst meelevert, met hun bron, en
        daarna de eigen modellen van uw inkopende organisatie."""
        return [ModelSummaryOut(id=m.id, name=m.name, source=m.source, valid_from=m.valid_from)
                for m in await social_return.choosable(db, actor)]

    @get("/{model_id:str}", summary="Eén waarderingsmodel met zijn bouwblokken")
    async def read(self, model_id: Annotated[str, Parameter(max_length=60)], db: AsyncSession,
                   actor: Actor) -> ModelOut:
        """Een gepubliceerd of eigen model met al zijn bouwblokken: soort, waarde en
        telperiode. Een eigen model van een andere organisatie is niet te zien (404)."""
        model = await social_return.find_model(db, actor, model_id)
        if model is None:
            raise NotFound(f"Geen waarderingsmodel met id {model_id[:60]}.")
        return model_out(model)

    @post(summary="Eigen waarderingsmodel vastleggen", guards=[require_roles("procurement")])
    async def create(self, data: ModelIn, db: AsyncSession, actor: Actor) -> ModelOut:
        """Een eigen model van uw inkopende organisatie, meestal een kopie van een gepubliceerd
        model (`basedOn`) met eigen bedragen. Velden die ontbreken komen uit `basedOn`.
        Bedragen als tekst (`"30000"`). Een model verandert daarna niet meer: een nieuwe versie
        krijgt een nieuw id (409 `sroi-model-exists`). Fouten noemen het bouwblok."""
        return model_out(await social_return.create_model(db, actor, data))


# --- the terms of a contract -----------------------------------------------------------


class SettlementOut(ApiModel):
    rule: Literal["penalty", "buyout"]
    factor: FactorOut | None = None
    percentage: MoneyOut | None = None


class SocialReturnOut(ApiModel):
    tender_id: int
    contractor: str = Field(description="De winnaar van de aanbesteding")
    kvk: str
    contract_sum: MoneyOut
    rate_pct: MoneyOut | None = Field(description="Leeg bij een vast bedrag")
    cap: MoneyOut | None
    fixed_amount: MoneyOut | None
    obligation: MoneyOut = Field(description="Verplichting vóór de PSO-korting")
    rung: Rung = Field(description="De trede waarop is gegund")
    verified: bool = Field(description="false: de trede is opgegeven, niet in het register "
                           "gezien")
    reductions: dict[str, MoneyOut]
    reduction_pct: MoneyOut
    reduction: MoneyOut = Field(description="PSO-korting op de verplichting")
    remaining_obligation: MoneyOut = Field(description="Wat de opdrachtnemer moet realiseren")
    model: ModelSummaryOut = Field(description="Het model waaronder is afgesproken")
    period_start: date
    period_end: date
    settlement: SettlementOut
    accepted: MoneyOut = Field(description="Waarde van de geaccepteerde regels: wat telt")
    awaiting_review: MoneyOut = Field(description="Waarde van de regels die op beoordeling "
                                      "wachten")
    warnings: list[str]
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str


def terms_out(award: Any, terms: Any, sums: dict[str, Decimal]) -> SocialReturnOut:
    model = social_return.model_of(terms)
    return SocialReturnOut(
        tender_id=terms.tender_id, contractor=award.bidder, kvk=award.kvk,
        contract_sum=terms.contract_sum, rate_pct=terms.rate_pct, cap=terms.cap,
        fixed_amount=terms.fixed_amount, obligation=terms.obligation, rung=terms.rung,
        verified=terms.verified, reductions={k: Decimal(v) for k, v in terms.reductions.items()},
        reduction_pct=terms.reduction_pct, reduction=terms.reduction,
        remaining_obligation=terms.remaining,
        model=ModelSummaryOut(id=model.id, name=model.name, source=model.source,
                              valid_from=model.valid_from),
        period_start=terms.period_start, period_end=terms.period_end,
        settlement=SettlementOut(**terms.settlement),
        accepted=sums["accepted"], awaiting_review=sums["submitted"],
        warnings=social_return.warnings(award, terms), created_at=terms.created_at,
        created_by=terms.created_by, updated_at=terms.updated_at, updated_by=terms.updated_by)


class SocialReturnController(Controller):
    path = "/api/v1/tenders/{tender_id:int}/social-return"
    tags = ["Social return"]
    dependencies = DEPENDENCIES
    security = BEARER

    @put(summary="Social-return-afspraken vastleggen (na de gunning)",
         guards=[require_roles("procurement", "admin")])
    async def put_terms(self, tender_id: TenderId, data: SocialReturnIn, db: AsyncSession,
                        actor: Actor) -> SocialReturnOut:
        """Contractsom, percentage (eventueel gemaximeerd) of vast bedrag, de PSO-korting per
        trede, het waarderingsmodel, de periode en de afrekenregel. De korting volgt uit de
        trede waarop de aanbesteding is gegund. Opnieuw vastleggen vervangt de afspraken.
        409 `tender-not-awarded` vóór de gunning."""
        terms = await social_return.set_terms(db, actor, tender_id, data.terms())
        award = await social_return.award_of(db, tender_id)
        sums = lines.totals(lines.valued(terms, await lines.lines_of(db, tender_id)))
        return terms_out(award, terms, sums)

    @get(summary="Social-return-afspraken", guards=[require_roles("procurement", "company",
                                                                   "admin")])
    async def get_terms(self, tender_id: TenderId, db: AsyncSession,
                        actor: Actor) -> SocialReturnOut:
        """De afspraken zoals vastgelegd, met de waarde van de geaccepteerde regels en van de
        regels die op beoordeling wachten. Voor de inkoper en de opdrachtnemer."""
        contract = await lines.contract_for(db, actor, tender_id)
        sums = lines.totals(lines.valued(contract.terms,
                                         await lines.lines_of(db, contract.tender.id)))
        return terms_out(contract.award, contract.terms, sums)


# --- realisation lines -----------------------------------------------------------------


class LineOut(ApiModel):
    id: int
    kind: LineKind
    block: str
    block_label: str
    pseudonym: str | None
    start: date | None
    end: date | None
    hours_per_week: MoneyOut | None
    bonuses: list[str] | None
    hours: MoneyOut | None
    description: str | None
    supplier_name: str | None
    supplier_kvk: str | None
    supplier_certificate: str | None = Field(
        description="PSO-certificaat dat de leverancier (KvK-nummer of een vestiging op het "
        "certificaat) op de factuurdatum had, volgens het register; leeg als er geen was")
    invoice_number: str | None
    invoice_date: date | None
    amount: MoneyOut | None
    status: Literal["submitted", "accepted", "rejected"]
    reason: str | None = Field(description="Reden van een afwijzing")
    value: MoneyOut = Field(description="Waarde volgens het afgesproken model")
    counted_from: date | None = Field(description="Eerste dag die telt (binnen telperiode "
                                      "en contractperiode)")
    counted_until: date | None
    counted_days: int
    reported_at: datetime
    reported_by: str
    reviewed_at: datetime | None
    reviewed_by: str | None


class LinesOut(ApiModel):
    items: list[LineOut]
    accepted: MoneyOut = Field(description="Waarde van de geaccepteerde regels: dit telt")
    submitted: MoneyOut = Field(description="Waarde van de regels die op beoordeling wachten")
    rejected: MoneyOut
    remaining_obligation: MoneyOut = Field(description="De te realiseren verplichting")


def line_out(row: Any, value: Any, model: ValuationModel) -> LineOut:
    block = model.block(row.block)
    return LineOut(
        **{f: getattr(row, f) for f in lines.FIELDS}, id=row.id,
        block_label=block.label if block else row.block, status=row.status, reason=row.reason,
        supplier_certificate=row.supplier_certificate,
        value=value.amount, counted_from=value.counted_from, counted_until=value.counted_until,
        counted_days=value.days, reported_at=row.reported_at, reported_by=row.reported_by,
        reviewed_at=row.reviewed_at, reviewed_by=row.reviewed_by)


async def lines_out(db: AsyncSession, contract: Any) -> LinesOut:
    found = lines.valued(contract.terms, await lines.lines_of(db, contract.tender.id))
    model = social_return.model_of(contract.terms)
    sums = lines.totals(found)
    return LinesOut(items=[line_out(r, v, model) for r, v in found], **sums,
                    remaining_obligation=contract.terms.remaining)


class SocialReturnLinesController(Controller):
    path = "/api/v1/tenders/{tender_id:int}/social-return/lines"
    tags = ["Social return"]
    dependencies = DEPENDENCIES
    guards = [require_roles("procurement", "company", "admin")]
    security = BEARER

    @post(summary="Realisatie melden (opdrachtnemer)")
    async def report(self, tender_id: TenderId, data: LineIn, db: AsyncSession,
                     actor: Actor) -> LineOut:
        """Eén regel: een plaatsing (pseudoniem, nooit een naam of BSN; bouwblok; begin, einde,
        uren per week; bonussen), een leerwerktraject, een werkervaringsplek, een inkoop
        (leverancier, factuurnummer, -datum en bedrag exclusief btw) of een activiteit
        (omschrijving, uren). De waarde volgt uit het afgesproken model; de regel wacht op
        beoordeling door de inkoper. Alleen een bedrijfsaccount van de opdrachtnemer."""
        row = await lines.report(db, actor, tender_id, data.model_dump(by_alias=False))
        contract = await lines.contract_for(db, actor, tender_id)
        found = {r.id: v for r, v in lines.valued(
            contract.terms, await lines.lines_of(db, tender_id))}
        return line_out(row, found[row.id], social_return.model_of(contract.terms))

    @get(summary="Realisatieregels met hun waarde")
    async def list(self, tender_id: TenderId, db: AsyncSession, actor: Actor) -> LinesOut:
        """Voor de inkoper en de opdrachtnemer: alle regels, hun status en waarde, en de
        totalen (alleen geaccepteerde regels tellen)."""
        return await lines_out(db, await lines.contract_for(db, actor, tender_id))

    @post("/{line_id:int}/review", status_code=200, summary="Regel beoordelen (inkoper)")
    async def review(self, tender_id: TenderId,
                     line_id: Annotated[int, Parameter(ge=1, le=2**31 - 1)], data: ReviewIn,
                     db: AsyncSession, actor: Actor) -> LineOut:
        """`accepted` of `rejected` (met een reden). Alleen regels die op beoordeling wachten
        (anders 409 `line-reviewed`)."""
        row = await lines.review(db, actor, tender_id, line_id, data.decision, data.reason)
        contract = await lines.contract_for(db, actor, tender_id)
        found = {r.id: v for r, v in lines.valued(
            contract.terms, await lines.lines_of(db, tender_id))}
        return line_out(row, found[row.id], social_return.model_of(contract.terms))


ROUTES = [SroiModelController, SocialReturnController, SocialReturnLinesController]

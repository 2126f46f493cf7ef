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

from pso.api.base import BEARER, ApiInput, ApiModel, provide_db
from pso.api.procurement_models import (
    Factor,
    FactorOut,
    MoneyOut,
    Percentage,
    Price,
    RealRung,
    Rung,
    ShortText,
)
from pso.api.procurement_rules import AllErrors
from pso.auth import Actor, provide_actor, require_roles
from pso.errors import NotFound
from pso.procurement.evaluation import RUNGS
from pso.services import social_return
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


class SettlementIn(ApiInput):
    rule: Literal["penalty", "buyout"] = Field(
        description="penalty: boete = tekort × factor; buyout: afkoopsom = tekort × percentage")
    factor: Factor | None = Field(default=None, description="Bij penalty; standaard 1")
    percentage: Percentage | None = Field(default=None, description="Bij buyout")


class SocialReturnIn(AllErrors):
    contract_sum: Price | None = Field(default=None, description="Contractsom in euro; "
                                       "standaard de gegunde prijs")
    rate_pct: Percentage | None = Field(default=None, description="SROI-percentage van de "
                                        "contractsom; standaard 5 als er geen vast bedrag is")
    cap: Price | None = Field(default=None, description="Maximale verplichting in euro (bij "
                              "een percentage)")
    fixed_amount: Price | None = Field(default=None, description="Een vaste verplichting in "
                                       "euro, in plaats van een percentage")
    reductions: dict[RealRung, Percentage] = Field(
        default_factory=dict, description='PSO-korting per trede in procenten, bv. '
        '{"trede2": 100}; de trede waarop is gegund telt')
    model_id: ShortText = Field(description="Id van het waarderingsmodel, zie /sroi-models")
    period_start: date | None = Field(default=None, description="Eerste dag; standaard het "
                                      "begin van het contract")
    period_end: date | None = Field(default=None, description="Laatste dag; standaard het "
                                    "einde van het contract")
    settlement: SettlementIn = Field(description="Afrekenregel bij een tekort")

    @staticmethod
    def rule_errors(data: Any) -> list[dict[str, str]]:
        errors = []
        reductions = data.get("reductions")
        for key in reductions if isinstance(reductions, dict) else ():
            if key not in RUNGS[1:]:
                errors.append({"name": f"reductions.{key}", "reason": "Onbekende trede; "
                               "kies uit " + ", ".join(RUNGS[1:]) + "."})
        try:
            if date.fromisoformat(str(data.get("periodEnd"))) < \
                    date.fromisoformat(str(data.get("periodStart"))):
                errors.append({"name": "periodEnd", "reason": "Het einde van de periode ligt "
                               "vóór het begin."})
        except ValueError:
            pass
        settlement = data.get("settlement")
        settlement = settlement if isinstance(settlement, dict) else {}
        given = lambda where, key: where.get(key) is not None
        return errors + social_return.combination_errors(
            fixed=given(data, "fixedAmount"), rate=given(data, "ratePct"),
            cap=given(data, "cap"), rule=settlement.get("rule"),
            factor=given(settlement, "factor"), percentage=given(settlement, "percentage"))

    def terms(self) -> social_return.TermsInput:
        return social_return.TermsInput(
            model_id=self.model_id, settlement_rule=self.settlement.rule,
            contract_sum=self.contract_sum, rate_pct=self.rate_pct, cap=self.cap,
            fixed_amount=self.fixed_amount, reductions=dict(self.reductions),
            period_start=self.period_start, period_end=self.period_end,
            penalty_factor=self.settlement.factor, buyout_pct=self.settlement.percentage)


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
    warnings: list[str]
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str


def terms_out(award: Any, terms: Any) -> SocialReturnOut:
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
        warnings=social_return.warnings(award, terms), created_at=terms.created_at,
        created_by=terms.created_by, updated_at=terms.updated_at, updated_by=terms.updated_by)


class SocialReturnController(Controller):
    path = "/api/v1/tenders/{tender_id:int}/social-return"
    tags = ["Social return"]
    dependencies = DEPENDENCIES
    guards = [require_roles("procurement", "admin")]
    security = BEARER

    @put(summary="Social-return-afspraken vastleggen (na de gunning)")
    async def put_terms(self, tender_id: TenderId, data: SocialReturnIn, db: AsyncSession,
                        actor: Actor) -> SocialReturnOut:
        """Contractsom, percentage (eventueel gemaximeerd) of vast bedrag, de PSO-korting per
        trede, het waarderingsmodel, de periode en de afrekenregel. De korting volgt uit de
        trede waarop de aanbesteding is gegund. Opnieuw vastleggen vervangt de afspraken.
        409 `tender-not-awarded` vóór de gunning."""
        terms = await social_return.set_terms(db, actor, tender_id, data.terms())
        award = await social_return.award_of(db, tender_id)
        return terms_out(award, terms)

    @get(summary="Social-return-afspraken")
    async def get_terms(self, tender_id: TenderId, db: AsyncSession,
                        actor: Actor) -> SocialReturnOut:
        """De afspraken zoals vastgelegd. (Voortgang en prognose volgen met de
        realisatieregels.)"""
        _, award, terms = await social_return.find(db, actor, tender_id)
        if terms is None or award is None:
            raise NotFound("Voor deze aanbesteding zijn nog geen social-return-afspraken "
                           "vastgelegd.")
        return terms_out(award, terms)


ROUTES = [SroiModelController, SocialReturnController]

"""Settlement of a social-return contract (SPEC §8.3): close it, read it, PDF and CSV; and the
buying organisation's overview over its contracts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Response, get, post
from litestar.params import Parameter
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from pso.api.base import BEARER
from pso.api.social_return import DEPENDENCIES, TenderId
from pso.auth import Actor, require_roles
from pso.http.downloads import file_download
from pso.schemas.base import ApiModel
from pso.schemas.procurement import FactorOut, MoneyOut
from pso.schemas.social_return import SettleIn
from pso.services import social_return_exports as exports
from pso.services import social_return_overview
from pso.services import social_return_settlement as settlement
from pso.text.identifiers import MUNICIPALITY_RE


class RuleOut(ApiModel):
    rule: Literal["penalty", "buyout"]
    factor: FactorOut | None = None
    percentage: MoneyOut | None = None


class BlockTotalOut(ApiModel):
    block: str
    label: str
    lines: int
    people: int = Field(description="Verschillende pseudoniemen")
    value: MoneyOut


class SettlementOut(ApiModel):
    tender_id: int
    settled_on: datetime
    settled_by: str
    early: bool
    reason: str | None
    rule: RuleOut
    obligation: MoneyOut
    reduction: MoneyOut = Field(description="PSO-korting")
    remaining_obligation: MoneyOut
    realised: MoneyOut = Field(description="Waarde van de geaccepteerde regels")
    shortfall: MoneyOut
    penalty: MoneyOut = Field(description="Boete of afkoopsom volgens de afrekenregel")
    blocks: list[BlockTotalOut] = Field(description="Geaccepteerde regels per bouwblok")
    lines: int = Field(description="Aantal regels in de afrekening (de CSV heeft ze alle)")


def settlement_out(row: Any) -> SettlementOut:
    return SettlementOut(
        tender_id=row.tender_id, settled_on=row.settled_on, settled_by=row.settled_by,
        early=row.early, reason=row.reason, rule=RuleOut(**row.rule),
        obligation=row.obligation, reduction=row.reduction,
        remaining_obligation=row.remaining, realised=row.realised, shortfall=row.shortfall,
        penalty=row.penalty, blocks=[BlockTotalOut(**b) for b in row.blocks],
        lines=len(row.lines))


class SettlementController(Controller):
    path = "/api/v1/tenders/{tender_id:int}/social-return"
    tags = ["Social return"]
    dependencies = DEPENDENCIES
    security = BEARER

    @post("/settlement", summary="Contract afrekenen (inkoper)",
          guards=[require_roles("procurement", "admin")])
    async def settle(self, tender_id: TenderId, data: SettleIn, db: AsyncSession,
                     actor: Actor) -> SettlementOut:
        """Legt gerealiseerd, tekort en boete (of afkoopsom) voorgoed vast. Vanaf de laatste
        dag van de contractperiode; eerder alleen met `early: true` en een reden (anders 409
        `contract-running`). 409 `lines-waiting` zolang regels op beoordeling wachten, 409
        `contract-settled` bij een tweede afrekening."""
        row = await settlement.settle(db, actor, tender_id, early=data.early,
                                      reason=data.reason)
        return settlement_out(row)

    @get("/settlement", summary="De afrekening",
         guards=[require_roles("procurement", "company", "admin")])
    async def get_settlement(self, tender_id: TenderId, db: AsyncSession,
                             actor: Actor) -> SettlementOut:
        """Voor de inkoper en de opdrachtnemer; 404 zolang niet is afgerekend."""
        return settlement_out((await settlement.find(db, actor, tender_id))[1])

    @get("/settlement.pdf", summary="Eindverantwoording als PDF",
         guards=[require_roles("procurement", "company", "admin")],
         media_type="application/pdf")
    async def pdf(self, tender_id: TenderId, db: AsyncSession,
                  actor: Actor) -> Response[bytes]:
        """Verplichting, PSO-korting, regels per bouwblok, geaccepteerd totaal, tekort en
        boete, zoals bij de afrekening vastgelegd (PDF/A)."""
        return file_download(*await exports.settlement_file(db, actor, tender_id, "pdf"))

    @get("/settlement.csv", summary="Regels van de afrekening als CSV",
         guards=[require_roles("procurement", "company", "admin")], media_type="text/csv")
    async def csv(self, tender_id: TenderId, db: AsyncSession,
                  actor: Actor) -> Response[bytes]:
        """Alle regels met status en waarde zoals bij de afrekening vastgelegd (voor Excel)."""
        return file_download(*await exports.settlement_file(db, actor, tender_id, "csv"))


class ContractSummaryOut(ApiModel):
    tender_id: int
    title: str
    reference: str
    contractor: str
    period_start: date
    period_end: date
    obligation: MoneyOut = Field(description="Te realiseren (na de PSO-korting)")
    realised: MoneyOut = Field(description="Waarde van de geaccepteerde regels")
    settled: bool
    penalty: MoneyOut | None = Field(description="Boete of afkoopsom, na de afrekening")


class BlockYearOut(ApiModel):
    year: int
    block: str
    label: str
    suppressed: bool = Field(description="true: minder dan minPeople personen; geen cijfers")
    value: MoneyOut | None
    people: int | None = Field(description="Geplaatste personen (verschillende pseudoniemen)")
    hours: MoneyOut | None = Field(description="Gewerkte uren (plaatsingen, activiteiten)")


class OverviewOut(ApiModel):
    contracts: list[ContractSummaryOut]
    blocks: list[BlockYearOut] = Field(description="Geaccepteerde regels per jaar en bouwblok")
    min_people: int = Field(description="Zo veel personen moeten achter een cijfer staan")


@get("/api/v1/social-return/overview", tags=["Social return"], dependencies=DEPENDENCIES,
     security=BEARER, guards=[require_roles("procurement", "admin")],
     summary="Overzicht social return van de inkopende organisatie")
async def overview(db: AsyncSession, actor: Actor, fmt: Annotated[
        Literal["json", "csv"], Parameter(query="format", default="json",
                                          description="json (standaard) of csv")]
                   ) -> Response[Any]:
    """Per contract de verplichting en het gerealiseerde bedrag; per jaar en bouwblok de
    waarde, het aantal geplaatste personen en hun uren. Cijfers waar minder dan 5 personen
    achter staan, worden niet getoond."""
    found = await social_return_overview.overview(db, actor)
    if fmt == "csv":
        return file_download(social_return_overview.csv_bytes(found), "text/csv",
                          "overzicht-social-return.csv")
    return Response(OverviewOut(**found).model_dump(mode="json", by_alias=True))


class BuyerSummaryOut(ApiModel):
    name: str
    kvk: str
    contracts: int
    settled: int = Field(description="Waarvan afgerekend")
    obligation: MoneyOut = Field(description="Samen te realiseren (na de PSO-korting)")
    suppressed: bool = Field(description="true: minder dan minPeople personen achter het "
                             "geaccepteerde bedrag; dan geen bedrag")
    realised: MoneyOut | None = Field(description="Samen geaccepteerd")


class MunicipalityOverviewOut(ApiModel):
    municipality: str = Field(description="Gemeentecode (CBS)")
    name: str
    buyers: list[BuyerSummaryOut] = Field(description="Per inkopende organisatie die voor de "
                                          "gemeente inkoopt, opgeteld over haar contracten")
    blocks: list[BlockYearOut] = Field(description="Geaccepteerde regels per jaar en bouwblok")
    min_people: int = Field(description="Zo veel personen moeten achter een cijfer staan")


@get("/api/v1/social-return/municipality-overview", tags=["Social return"],
     dependencies=DEPENDENCIES, security=BEARER, guards=[require_roles("municipality", "admin")],
     summary="Overzicht social return van een gemeente")
async def municipality_overview(db: AsyncSession, actor: Actor, fmt: Annotated[
        Literal["json", "csv"], Parameter(query="format", default="json",
                                          description="json (standaard) of csv")],
        municipality: Annotated[str | None, Parameter(
            query="municipality", default=None, pattern=MUNICIPALITY_RE.pattern,
            description="Gemeentecode; alleen voor een beheerder, een gemeente ziet de eigen")],
        ) -> Response[Any]:
    """Over de contracten van de inkopende organisaties die voor de gemeente inkopen: per
    organisatie het aantal contracten, de verplichtingen en het geaccepteerde bedrag; per jaar
    en bouwblok de waarde, het aantal geplaatste personen en hun uren. Geen losse contracten
    of personen; cijfers waar minder dan 5 personen achter staan, worden niet getoond. 403
    voor een andere gemeente."""
    found = await social_return_overview.municipality_overview(db, actor, municipality)
    if fmt == "csv":
        return file_download(social_return_overview.csv_bytes(found), "text/csv",
                          "social-return-gemeente.csv")
    return Response(MunicipalityOverviewOut(**found).model_dump(mode="json", by_alias=True))


ROUTES = [SettlementController, overview, municipality_overview]

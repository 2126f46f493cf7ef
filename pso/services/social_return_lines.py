"""Realisation lines of a social-return contract (SPEC §8.2): the contractor reports, the buyer
reviews; values come from the valuation engine under the model the contract was agreed
under. Only accepted lines count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.audit import record
from pso.auth import Actor
from pso.db.base import utcnow
from pso.db.models import (
    Certificate,
    SocialReturnLine,
    SocialReturnSettlement,
    SocialReturnTerms,
    Tender,
    TenderAward,
)
from pso.errors import Conflict, InvalidInput, NotFound
from pso.procurement.social_return import PERSONAL, PSEUDONYM_REASON, pseudonym_ok
from pso.services import access, social_return
from pso.services.coverage import covers
from pso.services.register import status_condition
from sroi.engine import (
    Activity,
    Apprenticeship,
    Line,
    LineValue,
    Placement,
    Purchase,
    ValuationError,
    WorkExperience,
    value_line,
    value_lines,
)
from sroi.progress import Progress, Realised, progress

FIELDS = ("kind", "block", "pseudonym", "start", "end", "hours_per_week", "bonuses", "hours",
          "description", "supplier_name", "supplier_kvk", "invoice_number", "invoice_date",
          "amount")


@dataclass(frozen=True)
class Contract:
    tender: Tender
    award: TenderAward
    terms: SocialReturnTerms
    role: str  # "buyer" | "contractor"


async def contract_for(session: AsyncSession, actor: Actor, tender_id: int) -> Contract:
    """The contract as the buyer (its own tender) or the contractor (a company account of the
    winner's KvK number) sees it; 404 for anyone else, as for a tender that does not exist."""
    missing = NotFound(f"Geen contract met social return bij aanbesteding {tender_id}.")
    tender = await session.get(Tender, tender_id)
    if tender is None:
        raise missing
    award = await social_return.award_of(session, tender.id)
    terms = await social_return.terms_of(session, tender.id)
    if award is None or terms is None:
        raise missing
    if not access.may_see_contract(actor, tender, award):
        raise missing
    return Contract(tender, award, terms, "contractor" if actor.role == "company" else "buyer")


T = TypeVar("T")


def _given(value: T | None) -> T:
    """A column the line's kind requires (checked when the line was written)."""
    if value is None:
        raise ValueError("a social-return line misses a value its kind requires")
    return value


def engine_line(row: SocialReturnLine) -> Line:
    if row.kind == "placement":
        return Placement(row.block, _given(row.start), _given(row.end),
                         _given(row.hours_per_week), tuple(row.bonuses or ()),
                         person=row.pseudonym)
    if row.kind == "apprenticeship":
        return Apprenticeship(row.block, _given(row.start), _given(row.end),
                              person=row.pseudonym)
    if row.kind == "work_experience":
        return WorkExperience(row.block, _given(row.start), _given(row.end))
    if row.kind == "purchase":
        return Purchase(row.block, _given(row.amount))
    return Activity(row.block, _given(row.hours))


async def lines_of(session: AsyncSession, tender_id: int) -> list[SocialReturnLine]:
    return list(await session.scalars(select(SocialReturnLine)
                                      .where(SocialReturnLine.tender_id == tender_id)
                                      .order_by(SocialReturnLine.id)))


def valued(terms: SocialReturnTerms,
           rows: list[SocialReturnLine]) -> list[tuple[SocialReturnLine, LineValue]]:
    """Every line with its value; a person's window is anchored over their lines that are not
    rejected (a rejected line shows what it would have been worth, alone)."""
    model = social_return.model_of(terms)
    period = (terms.period_start, terms.period_end)
    live = [r for r in rows if r.status != "rejected"]
    values = dict(zip((r.id for r in live),
                      value_lines(model, [engine_line(r) for r in live], period), strict=True))
    return [(r, values.get(r.id) or value_line(model, engine_line(r), period)) for r in rows]


def totals(found: list[tuple[SocialReturnLine, LineValue]]) -> dict[str, Decimal]:
    out = {s: Decimal("0.00") for s in ("submitted", "accepted", "rejected")}
    for row, value in found:
        out[row.status] += value.amount
    return out


def realised(row: SocialReturnLine, value: LineValue) -> Realised:
    """Where a line's value falls in time: its counted days, else the invoice date, else the
    day it starts or was reported (an activity)."""
    if value.counted_from is not None and value.counted_until is not None:
        return Realised(value.amount, value.counted_from, value.counted_until)
    day = row.invoice_date or row.start or row.reported_at.date()
    return Realised(value.amount, day, day)


def progress_of(terms: SocialReturnTerms, rows: list[SocialReturnLine],
                today: date) -> Progress:
    """`sroi.progress.progress` for a contract: its accepted lines against what remains to be
    realised, over its period."""
    found = valued(terms, rows)
    return progress(terms.remaining, [realised(r, v) for r, v in found if r.status == "accepted"],
                    (terms.period_start, terms.period_end), today)


async def certified_on(session: AsyncSession, kvk: str, day: date) -> str | None:
    """The number of a PSO certificate that covered `kvk` on `day` (the main applicant or a
    subsidiary frozen on the certificate, `coverage.covers`), valid then by the register's
    rule; the latest issued when several did."""
    return await session.scalar(select(Certificate.number).where(
        covers(kvk), status_condition("valid", day))
        .order_by(Certificate.valid_from.desc(), Certificate.id.desc()).limit(1))


def check(contract: Contract, data: dict[str, Any]) -> None:
    """What only the contract can tell: the block in its model, the dates in its period, a
    pseudonym that is no name or BSN. All reasons at once."""
    errors = []
    kind = data["kind"]
    pseudonym = data.get("pseudonym")
    if kind in PERSONAL and not pseudonym_ok(pseudonym):
        errors.append({"name": "pseudonym", "reason": PSEUDONYM_REASON})
    terms = contract.terms
    day = data.get("invoice_date") if kind == "purchase" else data.get("start")
    last = data.get("invoice_date") if kind == "purchase" else data.get("end")
    if day is not None and last is not None and (
            last < terms.period_start or day > terms.period_end):
        name = "invoiceDate" if kind == "purchase" else "start"
        errors.append({"name": name, "reason": "Valt buiten de periode van de afspraken "
                       f"({terms.period_start:%d-%m-%Y} tot en met {terms.period_end:%d-%m-%Y})."})
    model = social_return.model_of(terms)
    for code in data.get("bonuses") or ():
        bonus = model.block(code)
        if bonus is None or bonus.kind != "bonus":
            errors.append({"name": "bonuses", "reason": f"Het model {model.name} kent geen "
                           f"bonus '{code}'."})
    if not errors:
        try:
            value_line(model, engine_line(SocialReturnLine(**data)))
        except ValuationError as exc:
            errors.append({"name": "block", "reason": str(exc)})
    if errors:
        raise InvalidInput(errors)


SETTLED = ("Dit contract is afgerekend; de afrekening staat vast, dus regels melden of "
           "beoordelen kan niet meer.")


async def still_open(session: AsyncSession, contract: Contract) -> None:
    """After the settlement its figures are frozen: no line is reported or reviewed any more.
    The tender row is locked first, as `settle` does, so a line cannot slip in beside it."""
    tender_id = contract.tender.id
    await session.scalar(select(Tender.id).where(Tender.id == tender_id).with_for_update())
    settled = await session.scalar(select(SocialReturnSettlement.id).where(
        SocialReturnSettlement.tender_id == tender_id))
    if settled is not None:
        raise Conflict("contract-settled", SETTLED)


async def report(session: AsyncSession, actor: Actor, tender_id: int,
                 data: dict[str, Any]) -> SocialReturnLine:
    """The contractor reports one line (`data` holds FIELDS, checked for shape by the API)."""
    contract = await contract_for(session, actor, tender_id)
    if contract.role != "contractor":
        raise Conflict("not-the-contractor", "Alleen de opdrachtnemer meldt realisaties.")
    await still_open(session, contract)
    check(contract, data)
    row = SocialReturnLine(tender_id=contract.tender.id, reported_by=actor.name,
                           status="submitted", **data)
    if row.kind == "purchase" and row.supplier_kvk and row.invoice_date:
        row.supplier_certificate = await certified_on(session, row.supplier_kvk,
                                                      row.invoice_date)
    session.add(row)
    await session.flush()
    await record(session, actor, "social_return.line_reported", "tender", contract.tender.id,
                 {"line": row.id, "kind": row.kind, "block": row.block,
                  "pseudonym": row.pseudonym, "supplier_certificate": row.supplier_certificate})
    return row


async def review(session: AsyncSession, actor: Actor, tender_id: int, line_id: int,
                 decision: str, reason: str | None) -> SocialReturnLine:
    """The buyer accepts or rejects (with a reason) a line that waits for review."""
    contract = await contract_for(session, actor, tender_id)
    if contract.role != "buyer":
        raise Conflict("not-the-buyer", "Alleen de inkopende organisatie beoordeelt regels.")
    await still_open(session, contract)
    row = await session.scalar(select(SocialReturnLine).where(
        SocialReturnLine.id == line_id, SocialReturnLine.tender_id == contract.tender.id)
        .with_for_update())
    if row is None:
        raise NotFound(f"Geen regel {line_id} bij dit contract.")
    if decision == "rejected" and not reason:
        raise InvalidInput([{"name": "reason", "reason": "Geef een reden voor de afwijzing."}])
    if row.status != "submitted":
        raise Conflict("line-reviewed", f"Regel {line_id} is al beoordeeld.")
    row.status, row.reason = decision, reason
    row.reviewed_at, row.reviewed_by = utcnow(), actor.name
    await session.flush()
    await record(session, actor, f"social_return.line_{decision}", "tender",
                 contract.tender.id, {"line": row.id, "reason": reason})
    return row


async def contracts_of_company(session: AsyncSession, actor: Actor) -> list[Contract]:
    """The contracts with social-return terms that a company account's KvK number won."""
    if actor.role != "company":
        return []
    rows = await session.execute(
        select(Tender, TenderAward, SocialReturnTerms)
        .join(TenderAward, TenderAward.tender_id == Tender.id)
        .join(SocialReturnTerms, SocialReturnTerms.tender_id == Tender.id)
        .where(access.contract_filter(actor)).order_by(Tender.id.desc()))
    return [Contract(t, a, s, "contractor") for t, a, s in rows]

"""Settlement of a social-return contract (SPEC §8.2): at the contract end (earlier only
with a reason) the buyer closes the contract and the realised value, the shortfall and the
penalty are frozen, with the lines as they were valued then. The PDF *eindverantwoording*
and the CSV of lines are made from that frozen row, so they never change afterwards."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pso import clock
from pso.audit import record
from pso.auth import Actor
from pso.db.models import SocialReturnSettlement
from pso.errors import Conflict, InvalidInput, NotFound
from pso.services import social_return, tenders
from pso.services import social_return_lines as lines
from sroi.settlement import figures

KIND_LABELS = {"placement": "Plaatsing", "apprenticeship": "Leerwerktraject",
               "work_experience": "Werkervaringsplek", "purchase": "Inkoop",
               "activity": "Activiteit"}
ALREADY = "Dit contract is al afgerekend; de afrekening staat vast."
STATUS_LABELS = {"submitted": "wacht op beoordeling", "accepted": "geaccepteerd",
                 "rejected": "afgewezen"}


async def settlement_of(session: AsyncSession, tender_id: int) -> SocialReturnSettlement | None:
    return await session.scalar(select(SocialReturnSettlement)
                                .where(SocialReturnSettlement.tender_id == tender_id))


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _line(row: Any, value: Any, label: str) -> dict[str, Any]:
    """A line as it was valued at the settlement (plain JSON)."""
    def day(d: date | None) -> str | None:
        return d.isoformat() if d else None

    return {"id": row.id, "kind": row.kind, "block": row.block, "label": label,
            "pseudonym": row.pseudonym, "start": day(row.start), "end": day(row.end),
            "hoursPerWeek": _money(row.hours_per_week), "bonuses": list(row.bonuses or ()),
            "hours": _money(row.hours), "description": row.description,
            "supplierName": row.supplier_name, "supplierKvk": row.supplier_kvk,
            "invoiceNumber": row.invoice_number, "invoiceDate": day(row.invoice_date),
            "amount": _money(row.amount), "status": row.status, "reason": row.reason,
            "value": f"{value.amount:.2f}", "countedDays": value.days}


def _blocks(frozen: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Accepted lines by block: how many lines and people, the hours and the value."""
    out: dict[str, dict[str, Any]] = {}
    people: dict[str, set[str]] = defaultdict(set)
    for line in frozen:
        if line["status"] != "accepted":
            continue
        block = out.setdefault(line["block"], {"block": line["block"], "label": line["label"],
                                               "lines": 0, "value": Decimal(0)})
        block["lines"] += 1
        block["value"] += Decimal(line["value"])
        if line["pseudonym"]:
            people[line["block"]].add(line["pseudonym"])
    return [{**b, "people": len(people[code]), "value": f"{b['value']:.2f}"}
            for code, b in sorted(out.items())]


async def settle(session: AsyncSession, actor: Actor, tender_id: int, *, early: bool,
                 reason: str | None) -> SocialReturnSettlement:
    """Close the contract once. 409 `contract-settled` the second time, `contract-running`
    before the end without `early`, `lines-waiting` while lines wait for review."""
    contract = await lines.contract_for(session, actor, tender_id)
    if contract.role != "buyer":
        raise Conflict("not-the-buyer", "Alleen de inkopende organisatie sluit het contract af.")
    await tenders.get_for(session, actor, tender_id, bids=False, lock=True)  # one at a time
    if await settlement_of(session, tender_id) is not None:
        raise Conflict("contract-settled", ALREADY)
    terms, today = contract.terms, clock.today()
    running = today < terms.period_end
    if running and not early:
        raise Conflict("contract-running", "Het contract loopt tot en met "
                       f"{terms.period_end:%d-%m-%Y}; eerder afrekenen kan alleen met een "
                       "reden.")
    if running and not (reason or "").strip():
        raise InvalidInput([{"name": "reason", "reason": "Geef een reden om vóór het einde "
                             "van het contract af te rekenen."}])
    found = lines.valued(terms, await lines.lines_of(session, tender_id))
    waiting = sum(1 for row, _ in found if row.status == "submitted")
    if waiting:
        raise Conflict("lines-waiting", f"Er wacht{'en' if waiting > 1 else ''} nog {waiting} "
                       f"regel{'s' if waiting > 1 else ''} op beoordeling; beoordeel die "
                       "eerst.")
    model = social_return.model_of(terms)
    def label(code: str) -> str:
        block = model.block(code)
        return block.label if block else code

    frozen = [_line(row, value, label(row.block)) for row, value in found]
    realised = lines.totals(found)["accepted"]
    result = figures(terms.remaining, realised, terms.settlement)
    row = SocialReturnSettlement(
        tender_id=tender_id, settled_on=clock.utcnow(), settled_by=actor.name, early=running,
        reason=(reason or "").strip() or None, rule=dict(terms.settlement),
        obligation=terms.obligation, reduction=terms.reduction, remaining=terms.remaining,
        realised=result.realised, shortfall=result.shortfall, penalty=result.penalty,
        blocks=_blocks(frozen), lines=frozen)
    session.add(row)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:  # two settlements at once: the unique tender_id decides
        raise Conflict("contract-settled", ALREADY) from None
    await record(session, actor, "social_return.settled", "tender", tender_id, {
        "early": row.early, "reason": row.reason, "rule": row.rule,
        "remaining": _money(row.remaining), "realised": _money(row.realised),
        "shortfall": _money(row.shortfall), "penalty": _money(row.penalty),
        "lines": len(frozen)})
    return row


async def find(session: AsyncSession, actor: Actor,
               tender_id: int) -> tuple[lines.Contract, SocialReturnSettlement]:
    """The settlement as the buyer or the contractor may read it; 404 before it exists."""
    contract = await lines.contract_for(session, actor, tender_id)
    row = await settlement_of(session, tender_id)
    if row is None:
        raise NotFound("Dit contract is nog niet afgerekend.")
    return contract, row

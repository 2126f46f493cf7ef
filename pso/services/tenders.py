"""Stored tenders: policy and deadline, bids until the deadline, the decided evaluation.

Before and on the deadline day the evaluation is provisional (computed from the live
register). After the deadline, the first look (or an explicit fix, allowed from the
deadline day) stores a snapshot: the ranking plus the register facts it used. Later
looks show that snapshot unchanged, even when a certificate is revoked afterwards.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload, undefer

from pso.audit import record
from pso.auth import Actor
from pso.clock import today
from pso.db.base import utcnow
from pso.db.models import Tender, TenderBid
from pso.errors import Conflict, NotFound
from pso.procurement.evaluation import MAX_BIDS, Bid, Policy
from pso.procurement.serialize import (
    bid_from_row,
    fact_json,
    member_json,
    policy_from_json,
    policy_json,
    ranked_json,
)
from pso.services.access import may_see_tender, tender_filter
from pso.services.procurement import evaluate

OPEN, CLOSED, EVALUATED = "open", "closed", "evaluated"


def status_of(tender: Tender, day: date | None = None) -> str:
    if tender.evaluated_at is not None:
        return EVALUATED
    return OPEN if (day or today()) <= tender.deadline else CLOSED


async def create(session: AsyncSession, actor: Actor, *, title: str, reference: str,
                 deadline: date, policy: Policy) -> Tender:
    tender = Tender(title=title, reference=reference, deadline=deadline,
                    policy=policy_json(policy), owner_id=actor.id, party_id=actor.party_id,
                    created_by=actor.name, bids=[])
    session.add(tender)
    await session.flush()
    await record(session, actor, "tender.created", "tender", tender.id,
                 {"title": title, "reference": reference, "deadline": deadline.isoformat(),
                  "policy": tender.policy})
    return tender


async def get_for(session: AsyncSession, actor: Actor, tender_id: int, *, bids: bool = True,
                  snapshot: bool = False, lock: bool = False) -> Tender:
    query = select(Tender).where(Tender.id == tender_id).execution_options(populate_existing=True)
    if bids:
        query = query.options(selectinload(Tender.bids))
    if snapshot:
        query = query.options(undefer(Tender.snapshot))
    if lock:
        query = query.with_for_update(of=Tender)
    tender = await session.scalar(query)
    # A buyer must not learn which tenders other buyers run: 404, not 403 (services/access.py).
    if tender is None or not may_see_tender(actor, tender):
        raise NotFound(f"Geen aanbesteding met nummer {tender_id}.")
    return tender


async def list_for(session: AsyncSession, actor: Actor, *, page: int,
                   page_size: int) -> tuple[list[tuple[Tender, int]], int]:
    count = (select(func.count(TenderBid.id)).where(TenderBid.tender_id == Tender.id)
             .scalar_subquery())
    query = select(Tender, count).where(tender_filter(actor))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(
        query.order_by(Tender.id.desc()).offset((page - 1) * page_size).limit(page_size)
    )
    return [(row.Tender, row[1]) for row in rows], total or 0


async def add_bid(session: AsyncSession, actor: Actor, tender_id: int, bid: Bid) -> TenderBid:
    tender = await get_for(session, actor, tender_id, bids=False, lock=True)
    status = status_of(tender)
    if status == EVALUATED:
        raise Conflict("tender-evaluated", "De beoordeling van deze aanbesteding is al "
                       "vastgesteld; er kunnen geen inschrijvingen meer bij.")
    if status == CLOSED:
        raise Conflict("tender-closed", f"De sluitingsdatum ({tender.deadline.isoformat()}) is "
                       "voorbij; er kunnen geen inschrijvingen meer bij.",
                       deadline=tender.deadline.isoformat())
    taken = await session.scalar(select(TenderBid.position).where(
        TenderBid.tender_id == tender.id, TenderBid.kvk == bid.kvk))
    if taken is not None:
        raise Conflict("duplicate-bidder", f"KvK-nummer {bid.kvk} heeft al ingeschreven "
                       f"(inschrijving {taken}); één inschrijving per inschrijver.")
    count, last = (await session.execute(
        select(func.count(TenderBid.id), func.max(TenderBid.position))
        .where(TenderBid.tender_id == tender.id)
    )).one()
    if count >= MAX_BIDS:
        raise Conflict("too-many-bids", f"Een aanbesteding heeft hoogstens {MAX_BIDS} "
                       "inschrijvingen.")
    row = TenderBid(
        tender_id=tender.id, position=(last or 0) + 1, bidder=bid.bidder, kvk=bid.kvk,
        price=bid.price, certificate_number=bid.certificate_number,
        declared_rung=bid.declared_rung,
        consortium=[member_json(m) for m in bid.consortium] or None,
        submitted_by=actor.name,
    )
    session.add(row)
    await session.flush()
    await record(session, actor, "tender.bid_added", "tender", tender.id,
                 {"position": row.position, "bidder": bid.bidder, "kvk": bid.kvk,
                  "price": f"{bid.price:.2f}", "certificateNumber": bid.certificate_number,
                  "declaredRung": bid.declared_rung, "consortium": row.consortium})
    return row


def _bids(tender: Tender) -> list[Bid]:
    return [bid_from_row(b.bidder, b.kvk, b.price, b.certificate_number, b.declared_rung,
                         b.consortium) for b in tender.bids]


def _header(tender: Tender) -> dict[str, Any]:
    return {"tenderId": tender.id, "title": tender.title, "reference": tender.reference,
            "deadline": tender.deadline.isoformat(), "policy": tender.policy}


async def _compute(session: AsyncSession, tender: Tender) -> dict[str, Any]:
    ranking, facts = await evaluate(session, tender.deadline, policy_from_json(tender.policy),
                                    _bids(tender))
    return {"ranking": [ranked_json(r) for r in ranking],
            "registerFacts": [fact_json(facts[n]) for n in sorted(facts)]}


async def evaluation(session: AsyncSession, actor: Actor, tender_id: int, *,
                     fix: bool = False) -> dict[str, Any]:
    """The evaluation as stored, or provisional; `fix` stores it (from the deadline day)."""
    tender = await get_for(session, actor, tender_id, snapshot=True)
    day = today()
    if tender.snapshot is None and (fix or day > tender.deadline):
        if day < tender.deadline:
            raise Conflict("tender-open", "De inschrijving loopt nog tot en met "
                           f"{tender.deadline.isoformat()}; vaststellen kan vanaf die dag.",
                           deadline=tender.deadline.isoformat())
        # Lock, then look again: two first looks at once must store one snapshot.
        tender = await get_for(session, actor, tender_id, snapshot=True, lock=True)
        if tender.snapshot is None:
            await _fix(session, actor, tender)
    if tender.snapshot is not None:
        return {**_header(tender), "provisional": False, **tender.snapshot}
    return {**_header(tender), "provisional": True, "evaluatedAt": None, "evaluatedBy": None,
            **await _compute(session, tender)}


async def _fix(session: AsyncSession, actor: Actor, tender: Tender) -> None:
    decided = await _compute(session, tender)
    tender.evaluated_at, tender.evaluated_by = utcnow(), actor.name
    # "Z" like every other date-time the API sends.
    tender.snapshot = {"evaluatedAt": tender.evaluated_at.isoformat().replace("+00:00", "Z"),
                       "evaluatedBy": actor.name, **decided}
    await session.flush()
    await record(session, actor, "tender.evaluated", "tender", tender.id,
                 {"bids": len(decided["ranking"]),
                  "ranking": [[r["position"], r["kvk"], r["rung"], r["fictitiousPrice"]]
                              for r in decided["ranking"][:100]]})

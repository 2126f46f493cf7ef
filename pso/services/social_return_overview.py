"""Overview of a buying organisation's social-return contracts (SPEC §8.2): per contract the
obligation and the realised value, and per building block and year the value, people placed
and hours (sroi.overview), with cells of fewer than five people suppressed. A municipality
overview over its buyers' contracts needs a link from a buying organisation to its
municipality, which the parties do not have (yet)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.auth import Actor
from pso.db.models import SocialReturnSettlement, SocialReturnTerms, Tender, TenderAward
from pso.files.csv_export import csv_document
from pso.services import social_return
from pso.services import social_return_lines as lines
from pso.services.tender_exports import comma
from sroi.engine import anchored
from sroi.overview import MIN_PEOPLE, Cell, cells


def _year(row: Any) -> int:
    """An undated line counts in its invoice's year, an activity in the year it was reported."""
    return row.invoice_date.year if row.invoice_date else row.reported_at.year


async def overview(session: AsyncSession, actor: Actor) -> dict[str, Any]:
    """The contracts of the actor's buying organisation (its own tenders only)."""
    query = (select(Tender, TenderAward, SocialReturnTerms)
             .join(TenderAward, TenderAward.tender_id == Tender.id)
             .join(SocialReturnTerms, SocialReturnTerms.tender_id == Tender.id)
             .order_by(Tender.id))
    if actor.role != "admin":
        query = query.where(Tender.party_id == actor.party_id if actor.party_id is not None
                            else Tender.owner_id == actor.id)
    settled = {s.tender_id: s for s in await session.scalars(select(SocialReturnSettlement))}
    contracts, grid, labels = [], {}, {}
    for tender, award, terms in (await session.execute(query)).all():
        rows = await lines.lines_of(session, tender.id)
        found = lines.valued(terms, rows)
        model = social_return.model_of(terms)
        labels.update({code: b.label for code, b in model.blocks.items()})
        live = [r for r in rows if r.status != "rejected"]
        engine_lines = anchored([lines.engine_line(r) for r in live])
        cells(model, [(line, f"{tender.id}:{r.pseudonym}" if r.pseudonym else None, _year(r))
                      for r, line in zip(live, engine_lines, strict=True)
                      if r.status == "accepted"],
              (terms.period_start, terms.period_end), grid)
        done = settled.get(tender.id)
        contracts.append({
            "tenderId": tender.id, "title": tender.title, "reference": tender.reference,
            "contractor": award.bidder, "periodStart": terms.period_start,
            "periodEnd": terms.period_end, "obligation": terms.remaining,
            "realised": lines.totals(found)["accepted"], "settled": done is not None,
            "penalty": done.penalty if done else None})
    blocks = [_cell(c, labels) for _, c in sorted(grid.items())]
    return {"contracts": contracts, "blocks": blocks, "minPeople": MIN_PEOPLE}


def _cell(c: Cell, labels: dict[str, str]) -> dict[str, Any]:
    shown = c.shown
    return {"year": c.year, "block": c.block, "label": labels.get(c.block, c.block),
            "suppressed": not shown, "value": c.value if shown else None,
            "people": len(c.people) if shown and c.personal else None,
            "hours": c.hours if shown else None}


def csv_bytes(found: dict[str, Any]) -> bytes:
    """Per block and year; suppressed cells say so instead of a figure."""
    hidden = [f"minder dan {MIN_PEOPLE} personen", "", ""]
    return csv_document(
        ["Jaar", "Bouwblok", "Code bouwblok", "Personen", "Uren", "Waarde"],
        ([b["year"], b["label"], b["block"],
          *(hidden if b["suppressed"] else
            [b["people"], comma(f"{b['hours']:.2f}"), comma(f"{b['value']:.2f}")])]
         for b in found["blocks"]))

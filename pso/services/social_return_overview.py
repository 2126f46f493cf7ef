"""Overview of a buying organisation's social-return contracts (SPEC §8.2): per contract the
obligation and the realised value, and per building block and year the value, people placed
and hours (sroi.overview), with cells of fewer than five people suppressed. A municipality
sees the same cells over the contracts of the buying organisations that buy for it
(`parties.municipality_code`, set by an admin), summed per organisation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.auth import Actor
from pso.db.models import Party, SocialReturnSettlement, SocialReturnTerms, Tender, TenderAward
from pso.errors import Forbidden, InvalidInput
from pso.files.csv_export import csv_document
from pso.procurement.social_return import PERSONAL
from pso.services import access, municipalities, social_return
from pso.services import social_return_lines as lines
from pso.services.tender_exports import comma
from sroi.engine import anchored
from sroi.overview import MIN_PEOPLE, Cell, cells


def _year(row: Any) -> int:
    """An undated line counts in its invoice's year, an activity in the year it was reported."""
    year: int = row.invoice_date.year if row.invoice_date else row.reported_at.year
    return year


def _of_municipality(code: str) -> Any:
    """The tenders of the buying organisations that buy for municipality `code`."""
    return Tender.party_id.in_(select(Party.id).where(Party.kind == "buyer",
                                                      Party.municipality_code == code))


def municipality_of(actor: Actor, asked: str | None) -> str:
    """The one access rule of the municipality overview: a municipality account sees its own
    municipality, an admin the one it asks for; anyone else nothing."""
    if actor.role == "municipality" and actor.municipality_code:
        if asked and asked != actor.municipality_code:
            raise Forbidden("Dit account hoort bij een andere gemeente.")
        return actor.municipality_code
    if actor.role == "admin" and asked:
        return asked
    if actor.role == "admin":
        raise InvalidInput([{"name": "municipality", "reason": "Geef een gemeentecode zoals "
                                                             "GM0344."}])
    raise Forbidden("Alleen een gemeente ziet dit overzicht.")


async def _gather(session: AsyncSession, which: Any) -> dict[str, Any]:
    """Per contract the obligation and accepted value; per year and block the cells."""
    query = (select(Tender, TenderAward, SocialReturnTerms)
             .join(TenderAward, TenderAward.tender_id == Tender.id)
             .join(SocialReturnTerms, SocialReturnTerms.tender_id == Tender.id)
             .where(which).order_by(Tender.id))
    settled = {s.tender_id: s for s in await session.scalars(select(SocialReturnSettlement))}
    contracts: list[dict[str, Any]] = []
    grid: dict[Any, Cell] = {}
    labels: dict[str, str] = {}
    people: dict[int, tuple[bool, set[str]]] = {}  # per tender: personal lines?, who
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
        personal = [r for r in rows if r.status == "accepted" and r.kind in PERSONAL]
        people[tender.id] = (bool(personal), {f"{tender.id}:{r.pseudonym}" for r in personal
                                              if r.pseudonym})
        contracts.append({
            "tenderId": tender.id, "title": tender.title, "reference": tender.reference,
            "contractor": award.bidder, "periodStart": terms.period_start,
            "periodEnd": terms.period_end, "obligation": terms.remaining,
            "realised": lines.totals(found)["accepted"], "settled": done is not None,
            "penalty": done.penalty if done else None, "partyId": tender.party_id})
    blocks = [_cell(c, labels) for _, c in sorted(grid.items())]
    return {"contracts": contracts, "blocks": blocks, "minPeople": MIN_PEOPLE,
            "people": people}


async def overview(session: AsyncSession, actor: Actor) -> dict[str, Any]:
    """The contracts of the actor's buying organisation (its own tenders only)."""
    found = await _gather(session, access.contract_filter(actor))
    for c in found["contracts"]:
        del c["partyId"]
    del found["people"]
    return found


async def municipality_overview(session: AsyncSession, actor: Actor,
                                asked: str | None = None) -> dict[str, Any]:
    """A municipality's view over the contracts of the buying organisations that buy for it:
    per organisation the number of contracts, obligations and accepted value, and the cells
    per year and block; no contract, contractor or line of its own."""
    code = municipality_of(actor, asked)
    found = await _gather(session, _of_municipality(code))
    parties = {p.id: p for p in await session.scalars(
        select(Party).where(Party.id.in_({c["partyId"] for c in found["contracts"]})))}
    buyers: dict[int, dict[str, Any]] = {}
    behind: dict[int, tuple[bool, set[str]]] = {}
    for c in found["contracts"]:
        party = parties[c["partyId"]]
        row = buyers.setdefault(party.id, {
            "name": party.name, "kvk": party.code, "contracts": 0, "settled": 0,
            "obligation": Decimal("0.00"), "realised": Decimal("0.00")})
        row["contracts"] += 1
        row["settled"] += c["settled"]
        row["obligation"] += c["obligation"]
        row["realised"] += c["realised"]
        personal, who = found["people"][c["tenderId"]]
        was = behind.get(party.id, (False, set()))
        behind[party.id] = (was[0] or personal, was[1] | who)
    for party_id, row in buyers.items():
        # The accepted value is about people too: the small-numbers rule applies to it.
        personal, who = behind[party_id]
        row["suppressed"] = personal and len(who) < MIN_PEOPLE
        if row["suppressed"]:
            row["realised"] = None
    return {"municipality": code, "name": await municipalities.name(session, code),
            "buyers": sorted(buyers.values(), key=lambda b: b["name"]),
            "blocks": found["blocks"], "minPeople": MIN_PEOPLE}


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

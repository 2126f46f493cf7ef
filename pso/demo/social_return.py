"""Demo data for social return after the award (SPEC §8.2): a green-maintenance contract
awarded to the demo company (Groen & Schoon, whose HR account signs in to the demo), with
its terms and a first quarter of reported lines, five accepted, one rejected and one that
waits, so the buyer's page and /mijn/social-return show something at once. Every step on
its own day (`clock.fixed`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from certificates.lifecycle import add_years
from pso import clock
from pso.auth import Actor
from pso.demo import DemoContext, demo_step
from pso.demo.tenders import POLICY, _buyer
from pso.procurement.evaluation import Bid
from pso.procurement.social_return import TermsInput
from pso.services import monitoring, social_return, tenders
from pso.services import social_return_lines as lines

CONTRACTOR = ("12345678", "Groen & Schoon Hoveniers B.V.")
TITLE = "Onderhoud groen sportparken"


def _line(**given: Any) -> dict[str, Any]:
    return {**dict.fromkeys(lines.FIELDS), **given}


def _lines(start: date) -> list[tuple[dict[str, Any], str | None]]:
    """(line, review): None waits, "" accepts, a text rejects with that reason."""
    def day(n: int) -> date:
        return start + timedelta(days=n)

    return [
        (_line(kind="placement", block="pw-kort", pseudonym="GS-01", start=day(0),
               end=day(89), hours_per_week=Decimal(32)), ""),
        (_line(kind="placement", block="ww-kort", pseudonym="GS-02", start=day(14),
               end=day(89), hours_per_week=Decimal(36)), ""),
        (_line(kind="work_experience", block="werkervaring", pseudonym="GS-03", start=day(0),
               end=day(59)), ""),
        (_line(kind="apprenticeship", block="bbl-1-2", pseudonym="GS-04", start=day(30),
               end=day(89)), "Geen leerovereenkomst bijgevoegd."),
        (_line(kind="placement", block="doelgroep", pseudonym="GS-05", start=day(45),
               end=day(89), hours_per_week=Decimal(24)), None),
        # Five people accepted: the municipality's overview shows the accepted value (it
        # hides it behind fewer than five, SPEC §8.2).
        (_line(kind="work_experience", block="werkervaring", pseudonym="GS-06", start=day(60),
               end=day(89)), ""),
        (_line(kind="placement", block="ww-kort", pseudonym="GS-07", start=day(60),
               end=day(89), hours_per_week=Decimal(36)), ""),
    ]


@demo_step(55)
async def _social_return(ctx: DemoContext) -> None:
    from pso.db.models import Certificate, Organization

    session, today = ctx.session, clock.today()
    kvk, name = CONTRACTOR
    number = await session.scalar(
        select(Certificate.number).join(Organization, Certificate.organization_id
                                         == Organization.id)
        .where(Organization.kvk == kvk, Certificate.kind == "ladder")
        .order_by(Certificate.id.desc()))
    buyer = await _buyer(session)
    opened, start = today - timedelta(days=200), today - timedelta(days=120)
    with clock.fixed(opened):
        tender = await tenders.create(session, buyer, title=f"{TITLE} {start.year}-"
                                      f"{start.year + 2}", reference=f"UTR-{opened.year}-064",
                                      deadline=today - timedelta(days=170), policy=POLICY)
        for bid in (Bid(name, kvk, Decimal("296000.00"), number),
                    Bid("Hoveniersbedrijf De Linde", "90123456", Decimal("289500.00"),
                        declared_rung="trede1")):
            await tenders.add_bid(session, buyer, tender.id, bid)
    awarded_on = today - timedelta(days=150)
    with clock.fixed(awarded_on):
        award = await monitoring.award(session, buyer, tender.id, kvk, start,
                                       add_years(start, 2) - timedelta(days=1))
        await social_return.set_terms(session, buyer, tender.id, TermsInput(
            model_id="oost-nederland-v05", settlement_rule="penalty",
            rate_pct=Decimal(10), reductions={"trede1": Decimal(25), "trede2": Decimal(50),
                                             "trede3": Decimal(100)}))
    await session.refresh(tender, ["snapshot"])  # deferred: load it before it is changed
    moment = datetime.combine(awarded_on, time(12), tzinfo=UTC)
    tender.evaluated_at = award.awarded_at = moment
    tender.snapshot = {**(tender.snapshot or {}),
                       "evaluatedAt": moment.isoformat().replace("+00:00", "Z")}
    contractor = Actor(None, "HR Groen & Schoon (demo)", "company", kvk=kvk)
    with clock.fixed(start + timedelta(days=95)):
        reported = [(await lines.report(session, contractor, tender.id, data), review)
                    for data, review in _lines(start)]
    with clock.fixed(start + timedelta(days=100)):
        for row, review in reported:
            if review is not None:
                await lines.review(session, buyer, tender.id, row.id,
                                   "rejected" if review else "accepted", review or None)
    await session.flush()

"""Demo data of the demo procurement team: one open tender, with bids that show every
register outcome (valid rungs, PSO 30+, revoked, expired, declared, a consortium), and one
awarded tender whose contract is running under monitoring."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.lifecycle import add_years
from pso import clock
from pso.auth import SYSTEM, Actor
from pso.demo import DemoContext, approved, demo_step, demo_submission
from pso.procurement.evaluation import Bid, Member, Policy
from pso.services import monitoring, organizations, tenders

# Percentages per rung, as the demo buyer uses them.
POLICY = Policy("percentage", {"aspirant": Decimal(1), "basistrede": Decimal(2),
                               "trede1": Decimal(3), "trede2": Decimal(5),
                               "trede3": Decimal(7), "pso30plus": Decimal(10)})
# The winner of the awarded tender: certified well before its deadline.
WINNER = ("13572468", "Schoonmaakgroep Domstad B.V.")


async def _buyer(session: AsyncSession) -> Actor:
    """The demo procurement person (their organisation owns the tenders)."""
    from pso.db.models import Account, User
    from pso.services.accounts import actor_of

    user = await session.scalar(select(User).where(User.role == "procurement").order_by(User.id))
    if user is None:
        raise RuntimeError("demo step 20 adds the procurement user")
    account = await session.get(Account, user.account_id) if user.account_id else None
    return actor_of(account, user.id) if account is not None else Actor.from_user(user)


@demo_step(50)
async def _tender(ctx: DemoContext) -> None:
    from pso.db.models import Certificate, Organization

    session = ctx.session
    rows = await session.execute(
        select(Organization.kvk, Certificate.number)
        .join(Organization, Certificate.organization_id == Organization.id)
        .where(Certificate.kind == "ladder").order_by(Certificate.id)
    )
    number = dict(rows.all())  # kvk -> its latest ladder certificate
    buyer = await _buyer(session)
    tender = await tenders.create(
        session, buyer, title="Groenonderhoud openbare ruimte 2027-2028",
        reference="UTR-2026-041", deadline=clock.today() + timedelta(days=14), policy=POLICY,
    )
    for bid in (
        Bid("Groen & Schoon Hoveniers B.V.", "12345678", Decimal("184500.00"), number["12345678"]),
        Bid("Werkbedrijf Rijnmond", "23456789", Decimal("192750.00"), number["23456789"]),
        Bid("Bakkerij De Korenaar", "34567890", Decimal("179900.00"), number["34567890"]),
        Bid("Schoonmaakbedrijf Helder", "45678901", Decimal("181250.00"), number["45678901"]),
        Bid("Hoveniersbedrijf De Linde", "90123456", Decimal("186000.00"), declared_rung="trede2"),
        Bid("Combinatie IT-Diensten Oost en Groen & Schoon", "56789012", Decimal("183000.00"),
            consortium=(Member("56789012", number["56789012"]),
                        Member("12345678", number["12345678"]))),
    ):
        await tenders.add_bid(session, buyer, tender.id, bid)


# Before the register's other certificates (step 30): numbers follow the day of issue.
@demo_step(25)
async def _awarded_tender(ctx: DemoContext) -> None:
    """A cleaning contract told from its start: the winner certified (trede 2) 300 days ago,
    the tender open from 120 to 90 days ago, fixed and awarded 45 days ago, the contract
    running for two years from 14 days ago, and the daily job's look on each day since.
    The services judge every step on its own day (`clock.fixed`)."""
    session, day = ctx.session, clock.today()
    kvk, name = WINNER
    await organizations.create(session, SYSTEM, {"kvk": kvk, "name": name,
                                                  "municipality_code": "GM0344", "kind": "company"})
    certified_on = day - timedelta(days=300)
    assessment = await approved(ctx, kvk, demo_submission(2, year=certified_on.year - 1),
                                valid_from=certified_on)
    number = next(c.number for c in assessment.certificates if c.kind == "ladder")
    buyer = await _buyer(session)
    opened, start = day - timedelta(days=120), day - timedelta(days=14)
    with clock.fixed(opened):
        tender = await tenders.create(
            session, buyer, title=f"Schoonmaak gemeentelijke gebouwen {start.year}-{start.year + 2}",
            reference=f"UTR-{opened.year}-087", deadline=day - timedelta(days=90), policy=POLICY)
        for bid in (
            Bid(name, kvk, Decimal("412000.00"), number),
            Bid("Facilitair Bedrijf Midden", "35792468", Decimal("405000.00"),
                declared_rung="trede1"),
            Bid("Schoonmaakbedrijf Helder", "45678901", Decimal("398500.00")),  # names none
        ):
            await tenders.add_bid(session, buyer, tender.id, bid)
    awarded_on = day - timedelta(days=45)
    with clock.fixed(awarded_on):
        award = await monitoring.award(session, buyer, tender.id, kvk, start,
                                       add_years(start, 2) - timedelta(days=1))
    # The services stamp the evaluation and the award with the real clock; tell them on
    # their own day, as certification does for a past issue (noon UTC).
    moment = datetime.combine(awarded_on, time(12), tzinfo=UTC)
    tender.evaluated_at = award.awarded_at = moment
    tender.snapshot = {**(tender.snapshot or {}),
                       "evaluatedAt": moment.isoformat().replace("+00:00", "Z")}
    await session.flush()
    for offset in range(14, 0, -1):  # today's look is the daily job's own
        await monitoring.check_award(session, award, day - timedelta(days=offset))

"""Demo data: one open tender of the demo procurement team, with bids that show every
register outcome (valid rungs, PSO 30+, revoked, expired, declared, a consortium)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from pso import clock
from pso.auth import Actor
from pso.demo import DemoContext, demo_step
from pso.procurement.evaluation import Bid, Member, Policy
from pso.services import tenders


@demo_step(50)
async def _tender(ctx: DemoContext) -> None:
    from pso.db.models import Certificate, Organization, User

    session = ctx.session
    user = await session.scalar(select(User).where(User.role == "procurement").order_by(User.id))
    if user is None:
        raise RuntimeError("demo step 20 adds the procurement user")
    rows = await session.execute(
        select(Organization.kvk, Certificate.number)
        .join(Organization, Certificate.organization_id == Organization.id)
        .where(Certificate.kind == "ladder").order_by(Certificate.id)
    )
    number = dict(rows.all())  # kvk -> its latest ladder certificate
    buyer = Actor.from_user(user)
    if user.account_id is not None:  # the demo person: the tender is their organisation's
        from pso.db.models import Account
        from pso.services.accounts import actor_of

        account = await session.get(Account, user.account_id)
        if account is not None:
            buyer = actor_of(account, user.id)
    tender = await tenders.create(
        session, buyer, title="Groenonderhoud openbare ruimte 2027-2028",
        reference="UTR-2026-041", deadline=clock.today() + timedelta(days=14),
        policy=Policy("percentage", {"aspirant": Decimal(1), "basistrede": Decimal(2),
                                     "trede1": Decimal(3), "trede2": Decimal(5),
                                     "trede3": Decimal(7), "pso30plus": Decimal(10)}),
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

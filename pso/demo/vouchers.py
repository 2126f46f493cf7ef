"""Demo data: one voucher scheme of the demo municipality (GM0200) with vouchers in every
status, so the municipality token shows a scheme that is already running, and a company's
request waiting for the municipality's approval or refusal."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from pso import clock
from pso.auth import SYSTEM
from pso.db.models import Voucher
from pso.demo import DemoContext, demo_step
from pso.services import accounts, organizations
from pso.services import vouchers as service

# Extra organisations in the demo municipality, so its scheme has several holders.
DEMO_APPLICANTS = [
    ("67890123", "Drukkerij Veluwezoom B.V."),
    ("78901234", "Catering De Zonnehoek"),
    ("89012345", "Fietsenmakerij Het Loo"),
    ("90234567", "Timmerfabriek De Veluwe"),  # has a request waiting
]
# The person of Timmerfabriek De Veluwe who applied; told by mail about the decision (shown
# at /dev/mail). No password: not a demo sign-in.
APPLICANT_EMAIL = "aanvraag@timmerfabriek.demo.pso.nl"


@demo_step(40)
async def _vouchers(ctx: DemoContext) -> None:
    from pso.db.models import Certificate, Organization

    session, day = ctx.session, clock.today()
    for kvk, name in DEMO_APPLICANTS:
        await organizations.create(
            session, SYSTEM,
            {"kvk": kvk, "name": name, "municipality_code": "GM0200", "kind": "company"},
        )
    scheme = await service.create_scheme(session, SYSTEM, {
        "title": "Voucher PSO-certificering voor het MKB in Apeldoorn",
        "municipality_code": "GM0200",
        "voucher_amount": Decimal("1500.00"),
        "budget": Decimal("15000.00"),
        "application_opens_on": date(day.year - 2, 1, 1),
        "application_closes_on": date(day.year, 12, 31),
        "voucher_validity_days": 365,
        "max_fte": Decimal("249.99"),
        "eligible_municipality_codes": ["GM0200"],
        "requires_approval": True,  # a company's application waits for the municipality
    })

    async def issue(kvk: str, days_ago: int, fte: str) -> Voucher:
        return await service.issue(
            session, SYSTEM, scheme.id, kvk, Decimal(fte), on=day - timedelta(days=days_ago)
        )

    await issue("89012345", 400, "3.00")  # expired: its 365 days have passed
    # Redeemed: Schoonmaakbedrijf Helder was assessed; its certificate is the proof.
    helder = await issue("45678901", 200, "16.00")
    number = await session.scalar(
        select(Certificate.number).join(Organization, Certificate.organization_id == Organization.id)
        .where(Organization.kvk == "45678901").order_by(Certificate.id)
    )
    if number is None:
        raise RuntimeError("demo step 30 certifies 45678901; its certificate is the proof")
    await service.redeem(
        session, SYSTEM, helder.code, Decimal("1250.00"), certificate_number=number,
        on=day - timedelta(days=120),
    )
    cancelled = await issue("78901234", 60, "8.00")
    await service.cancel(
        session, SYSTEM, cancelled.code, "Aanvraag ingetrokken door de organisatie.",
        on=day - timedelta(days=30),
    )
    await issue("67890123", 10, "42.50")  # issued, still open
    await _request(ctx, scheme.id, "90234567", day - timedelta(days=3))


async def _request(ctx: DemoContext, scheme_id: int, kvk: str, on: date) -> None:
    """The company applies itself (as on /mijn/vouchers), so `issue` makes it a request."""
    party = await accounts.ensure_party(ctx.session, "applicant", kvk, dict(DEMO_APPLICANTS)[kvk])
    person = await accounts.create_account(
        ctx.session, SYSTEM, email=APPLICANT_EMAIL, name="Tim Veldhuis", role="company",
        party=party)
    await service.issue(ctx.session, accounts.actor_of(person), scheme_id, kvk, Decimal("12.00"),
                        on=on)

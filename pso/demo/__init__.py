"""Demo data for a new embedded database, so a new user sees a living service.

Capabilities add their own steps with @demo_step; steps run in order in one transaction.
"""

from __future__ import annotations

import importlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from pso.auth import SYSTEM, Actor
from pso.clock import today
from pso.services import accounts, organizations

if TYPE_CHECKING:
    from pso.db.models import Assessment


@dataclass
class DemoContext:
    session: AsyncSession
    public_url: str
    issuer: str
    tokens: dict[str, str] = field(default_factory=dict)
    # Demo sign-ins, label -> (e-mail, password); printed by `pso serve` on a new database.
    sign_ins: dict[str, tuple[str, str]] = field(default_factory=dict)


Step = Callable[[DemoContext], Awaitable[None]]
_STEPS: list[tuple[int, Step]] = []

# Modules whose import registers further steps (added by later capabilities).
STEP_MODULES: list[str] = ["pso.demo.vouchers", "pso.demo.tenders",
                           "pso.demo.social_return"]


def demo_step(order: int) -> Callable[[Step], Step]:
    def register(step: Step) -> Step:
        _STEPS.append((order, step))
        return step

    return register


DEMO_ORGANIZATIONS = [
    ("12345678", "Groen & Schoon Hoveniers B.V.", "GM0363", "company"),
    ("23456789", "Werkbedrijf Rijnmond", "GM0599", "sw_company"),
    ("34567890", "Bakkerij De Korenaar", "GM0344", "company"),
    ("45678901", "Schoonmaakbedrijf Helder", "GM0200", "company"),
    ("56789012", "IT-Diensten Oost B.V.", "GM0193", "company"),
]


@demo_step(10)
async def _organizations(ctx: DemoContext) -> None:
    for kvk, name, code, kind in DEMO_ORGANIZATIONS:
        await organizations.create(
            ctx.session, SYSTEM, {"kvk": kvk, "name": name, "municipality_code": code, "kind": kind}
        )


# code, name, accreditation, separate decision
DEMO_BODIES = [
    ("PSOCERT", "PSO Certificering (demo)", "RvA C 999 (demo), ISO/IEC 17065", True),
    ("KEURMERK", "Keurmerk Sociaal Ondernemen (demo)", "RvA C 998 (demo), ISO/IEC 17065", True),
]


@demo_step(15)
async def _bodies(ctx: DemoContext) -> None:
    """Two certifying bodies; the first issues the demo certificates."""
    from pso.services import bodies

    for code, name, accreditation, separate in DEMO_BODIES:
        await bodies.create(ctx.session, SYSTEM, code=code, name=name,
                            accreditation=accreditation, separate_decision=separate)


# label, role, e-mail, party (kind code, name)
DEMO_PEOPLE = [
    ("Beheerder (demo)", "admin", "beheer@demo.pso.nl", None, "Beheer PSO-dienst"),
    ("Auditor Certificering (demo)", "auditor", "auditor@demo.pso.nl", "PSOCERT",
     "PSO Certificering (demo)"),
    ("Auditor Certificering 2 (demo)", "auditor", "auditor2@demo.pso.nl", "PSOCERT",
     "PSO Certificering (demo)"),
    ("Auditor Keurmerk (demo)", "auditor", "auditor@keurmerk.demo.pso.nl", "KEURMERK",
     "Keurmerk Sociaal Ondernemen (demo)"),
    ("Inkoop Gemeente Utrecht (demo)", "procurement", "inkoop@demo.pso.nl", "30280353",
     "Gemeente Utrecht, inkoop"),
    ("Gemeente Apeldoorn (demo)", "municipality", "gemeente@demo.pso.nl", "GM0200",
     "Gemeente Apeldoorn"),
    ("HR Groen & Schoon (demo)", "company", "hr@demo.pso.nl", "12345678",
     "Groen & Schoon Hoveniers B.V."),
    ("Gemeente Utrecht (demo)", "municipality", "utrecht@demo.pso.nl", "GM0344",
     "Gemeente Utrecht"),
]
# The demo buyer buys for Utrecht: that municipality sees its social-return figures
# (/gemeente/social-return); Apeldoorn runs the demo voucher scheme.
BUYER_MUNICIPALITY = "GM0344"


@demo_step(20)
async def _users(ctx: DemoContext) -> None:
    """One account per role, with a random password (printed once) and an API token.
    Admin and auditor enrol their second factor (TOTP) at the first sign-in."""
    for label, role, email, party_code, party_name in DEMO_PEOPLE:
        kind, code = accounts.party_key(role, party_code)
        party = await accounts.ensure_party(ctx.session, kind, code, party_name)
        if role == "procurement":
            await accounts.set_municipality(ctx.session, SYSTEM, party, BUYER_MUNICIPALITY)
        password = secrets.token_urlsafe(12)
        account = await accounts.create_account(ctx.session, SYSTEM, email=email, name=label,
                                                role=role, party=party, password=password)
        _, token = await accounts.create_token(ctx.session, account, "demo")
        ctx.tokens[label] = token
        ctx.sign_ins[label] = (email, password)


def demo_submission(staff: int, *, total_fte: int = 20, quality: bool = True,
                    year: int | None = None, **extra: object) -> dict[str, object]:
    """`staff` full-time Wajong employees in an organisation of `total_fte` FTE, last year."""
    year = year or today().year - 1
    return {
        "period": {"start": f"{year}-01-01", "end": f"{year}-12-31"},
        "totalFte": str(total_fte),
        "employees": [
            {"reference": f"demo-{i:03d}", "startingPosition": "wajong",
             "contractType": "regular", "hoursPerWeek": 36, "employmentStart": f"{year - 1}-03-01"}
            for i in range(staff)
        ],
        "fullTimeHoursPerWeek": 36,
        "purchases": [],
        "quality": {"suitableWork": quality, "integration": True, "development": True,
                    "guidance": True},
        **extra,
    }


async def _demo_actor(ctx: DemoContext, email: str) -> Actor:
    account = await accounts.find_account(ctx.session, email)
    if account is None:
        raise RuntimeError(f"the demo account {email} is missing (an earlier step makes it)")
    return accounts.actor_of(account)


async def approved(ctx: DemoContext, kvk: str, submission: dict[str, object],
                   valid_from: date | None = None) -> Assessment:
    """An application of `kvk` to PSOCERT, approved: one auditor reviews, the other decides
    (impartiality, SPEC §7.3). A certificate valid from the past was issued then too."""
    from pso.services import certification

    reviewer, decider = [await _demo_actor(ctx, email)
                         for email in ("auditor@demo.pso.nl", "auditor2@demo.pso.nl")]
    assessment = await certification.create(ctx.session, SYSTEM, kvk, submission, "PSOCERT")
    await certification.submit(ctx.session, SYSTEM, assessment.id)
    await certification.review(ctx.session, reviewer, assessment.id)
    await certification.complete_review(ctx.session, reviewer, assessment.id)
    return await certification.decide(
        ctx.session, decider, assessment.id, outcome="approved", reason=None,
        corrected_submission=None, valid_from=valid_from, issuer=ctx.issuer,
        public_url=ctx.public_url, issued_on=valid_from,
    )


@demo_step(30)
async def _certificates(ctx: DemoContext) -> None:
    """A living register: several rungs, PSO 30+, one revoked, one expired, one under review."""
    from pso.services import certification, register

    day = today()
    # Certified before the demo tender it wins opened (pso/demo/social_return.py): the
    # contract's PSO reduction is that of its rung, as the company's own page shows.
    await approved(ctx, "12345678", demo_submission(2), valid_from=day - timedelta(days=240))
    await approved(ctx, "23456789", demo_submission(7))
    bakery = await approved(ctx, "34567890", demo_submission(1))
    await register.revoke(ctx.session, SYSTEM, bakery.certificates[0].number,
                          "Opgegeven medewerkers bleken niet tot de doelgroep te behoren.")
    await approved(ctx, "45678901", demo_submission(1, total_fte=16, year=day.year - 4),
                   valid_from=day - timedelta(days=3 * 365))
    plan = {"boardApproved": True, "targetRung": "trede1",
            "targetDate": (day + timedelta(days=365)).isoformat()}
    await approved(ctx, "56789012", demo_submission(0, actionPlan=plan))
    pending = await certification.create(ctx.session, SYSTEM, "12345678", demo_submission(3),
                                         "PSOCERT")
    await certification.submit(ctx.session, SYSTEM, pending.id)
    # The second body has one application waiting too.
    other = await certification.create(ctx.session, SYSTEM, "56789012", demo_submission(2),
                                       "KEURMERK")
    await certification.submit(ctx.session, SYSTEM, other.id)


async def load(session: AsyncSession, public_url: str, issuer: str,
               sign_ins: dict[str, tuple[str, str]] | None = None) -> dict[str, str]:
    """Run every step; returns the demo API tokens and fills `sign_ins` when given."""
    for name in STEP_MODULES:
        importlib.import_module(name)
    ctx = DemoContext(session=session, public_url=public_url, issuer=issuer)
    for _, step in sorted(_STEPS, key=lambda item: item[0]):
        await step(ctx)
    if sign_ins is not None:
        sign_ins.update(ctx.sign_ins)
    return ctx.tokens

"""Demo data for a new embedded database, so a new user sees a living service.

Capabilities add their own steps with @demo_step; steps run in order in one transaction.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from pso.auth import SYSTEM
from pso.clock import today
from pso.services import organizations, users


@dataclass
class DemoContext:
    session: AsyncSession
    public_url: str
    issuer: str
    tokens: dict[str, str] = field(default_factory=dict)


Step = Callable[[DemoContext], Awaitable[None]]
_STEPS: list[tuple[int, Step]] = []

# Modules whose import registers further steps (added by later capabilities).
STEP_MODULES: list[str] = ["pso.services.vouchers_demo", "pso.services.tenders_demo"]


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


@demo_step(20)
async def _users(ctx: DemoContext) -> None:
    for label, role, kvk, code in (
        ("Beheerder (demo)", "admin", None, None),
        ("Auditor Certificering (demo)", "auditor", None, None),
        ("Inkoop Gemeente Utrecht (demo)", "procurement", None, None),
        ("Gemeente Apeldoorn (demo)", "municipality", None, "GM0200"),
        ("HR Groen & Schoon (demo)", "company", "12345678", None),
    ):
        _, token = await users.add(ctx.session, SYSTEM, role, label, kvk=kvk, municipality_code=code)
        ctx.tokens[label] = token


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


@demo_step(30)
async def _certificates(ctx: DemoContext) -> None:
    """A living register: several rungs, PSO 30+, one revoked, one expired, one under review."""
    from pso.services import certification, register

    async def approved(kvk: str, submission: dict[str, object], valid_from=None):
        assessment = await certification.create(ctx.session, SYSTEM, kvk, submission)
        await certification.submit(ctx.session, SYSTEM, assessment.id)
        # A certificate valid from the past was issued then too (never after it expired).
        return await certification.decide(
            ctx.session, SYSTEM, assessment.id, outcome="approved", reason=None,
            corrected_submission=None, valid_from=valid_from, issuer=ctx.issuer,
            public_url=ctx.public_url, issued_on=valid_from,
        )

    day = today()
    await approved("12345678", demo_submission(2))
    await approved("23456789", demo_submission(7))
    bakery = await approved("34567890", demo_submission(1))
    await register.revoke(ctx.session, SYSTEM, bakery.certificates[0].number,
                          "Opgegeven medewerkers bleken niet tot de doelgroep te behoren.")
    await approved("45678901", demo_submission(1, total_fte=16, year=day.year - 4),
                   valid_from=day - timedelta(days=3 * 365))
    plan = {"boardApproved": True, "targetRung": "trede1",
            "targetDate": (day + timedelta(days=365)).isoformat()}
    await approved("56789012", demo_submission(0, actionPlan=plan))
    pending = await certification.create(ctx.session, SYSTEM, "12345678", demo_submission(3))
    await certification.submit(ctx.session, SYSTEM, pending.id)


async def load(session: AsyncSession, public_url: str, issuer: str) -> dict[str, str]:
    for name in STEP_MODULES:
        importlib.import_module(name)
    ctx = DemoContext(session=session, public_url=public_url, issuer=issuer)
    for _, step in sorted(_STEPS, key=lambda item: item[0]):
        await step(ctx)
    return ctx.tokens

"""Demo data for a new embedded database, so a new user sees a living service.

Capabilities add their own steps with @demo_step; steps run in order in one transaction.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from pso.auth import SYSTEM
from pso.services import organizations, users


@dataclass
class DemoContext:
    session: AsyncSession
    public_url: str
    tokens: dict[str, str] = field(default_factory=dict)


Step = Callable[[DemoContext], Awaitable[None]]
_STEPS: list[tuple[int, Step]] = []

# Modules whose import registers further steps (added by later capabilities).
STEP_MODULES: list[str] = []


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


async def load(session: AsyncSession, public_url: str) -> dict[str, str]:
    for name in STEP_MODULES:
        importlib.import_module(name)
    ctx = DemoContext(session=session, public_url=public_url)
    for _, step in sorted(_STEPS, key=lambda item: item[0]):
        await step(ctx)
    return ctx.tokens

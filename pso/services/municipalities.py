"""Municipality names for people: a `GM` code is shown as the municipality's name, taken
from its party (accounts, SPEC §7.1). A code without a party stays a code."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.db.models import Party


async def names(session: AsyncSession, codes: Iterable[str]) -> dict[str, str]:
    """Name per code, for every code asked (the code itself when no party has it)."""
    wanted = sorted({c for c in codes if c})
    found: dict[str, str] = {}
    if wanted:
        rows = await session.execute(
            select(Party.code, Party.name).where(Party.kind == "municipality",
                                                 Party.code.in_(wanted)))
        found = {code: name for code, name in rows if name}
    return {code: found.get(code, code) for code in wanted}


async def name(session: AsyncSession, code: str) -> str:
    return (await names(session, [code])).get(code, code)


def label(code: str, known: dict[str, str]) -> str:
    """"Utrecht (GM0344)" when the name is known, else the code."""
    found = known.get(code)
    return f"{found} ({code})" if found and found != code else code

"""Municipality names for people: a `GM` code is shown as the municipality's name, taken
from its party (accounts, SPEC §7.1). A code without a party stays a code, except in
`public_name` (mails), which falls back to the CBS list."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.db.models import Party
from pso.municipalities import name_of


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


async def public_name(session: AsyncSession, code: str) -> str:
    """The party's name, else the CBS name: for texts that must never show a code (a
    party made without a name is called "Gemeente GM0200")."""
    found = await name(session, code)
    return found if code not in found else name_of(code) or code


def issuer(municipality: str) -> str:
    """"Gemeente Apeldoorn", also when the name already says "Gemeente"."""
    return (municipality if municipality.lower().startswith("gemeente ")
            else f"Gemeente {municipality}")


def label(code: str, known: dict[str, str]) -> str:
    """"Utrecht (GM0344)" when the name is known, else the code."""
    found = known.get(code)
    return f"{found} ({code})" if found and found != code else code

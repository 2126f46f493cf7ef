"""Municipality names for people: a `GM` code is shown as the municipality's name, taken
from its party (accounts, SPEC §7.1), else from the CBS list (pso.text.municipalities): a scheme
may name municipalities that have no account here."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.db.models import Party
from pso.text.municipalities import name_of
from scoring.notation import dutch_decimal


async def names(session: AsyncSession, codes: Iterable[str]) -> dict[str, str]:
    """Name per code, for every code asked (the party's, else the CBS name)."""
    wanted = sorted({c for c in codes if c})
    found: dict[str, str] = {}
    if wanted:
        rows = await session.execute(
            select(Party.code, Party.name).where(Party.kind == "municipality",
                                                 Party.code.in_(wanted)))
        # A party made without a name is called "Gemeente GM0200": that is no name. A party
        # called "Gemeente Apeldoorn" is listed as "Apeldoorn" (issuer() says "Gemeente").
        found = {code: _bare(name) for code, name in rows if name and code not in name}
    return {code: found.get(code) or name_of(code) or code for code in wanted}


def _bare(name: str) -> str:
    return name[len("gemeente "):] if name.lower().startswith("gemeente ") else name


async def name(session: AsyncSession, code: str) -> str:
    return (await names(session, [code])).get(code, code)


async def public_name(session: AsyncSession, code: str) -> str:
    return await name(session, code)


def issuer(municipality: str) -> str:
    """"Gemeente Apeldoorn", also when the name already says "Gemeente"."""
    return (municipality if municipality.lower().startswith("gemeente ")
            else f"Gemeente {municipality}")



def size_limit(max_fte: Decimal) -> str:
    """A scheme's size rule as people say it. Sizes have two decimals and the maximum is
    inclusive, so a maximum of 249,99 fte is exactly "minder dan 250 fte"."""
    above = max_fte + Decimal("0.01")
    if above == above.to_integral_value():
        return f"minder dan {dutch_decimal(above, 0)} fte"
    text = dutch_decimal(max_fte).rstrip("0").rstrip(",")
    return f"ten hoogste {text} fte"

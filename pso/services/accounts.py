"""Accounts and parties (SPEC §7.1): who may sign in, for which party, in which role."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.db.models import Account, Party


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def emails_for_party(session: AsyncSession, kind: str, code: str) -> list[str]:
    """E-mail addresses of the party's active accounts (for reminders to a company or a
    buyer), in a stable order; empty when the party has no accounts."""
    rows = await session.scalars(
        select(Account.email).join(Party, Account.party_id == Party.id)
        .where(Party.kind == kind, Party.code == code, Account.revoked_at.is_(None))
        .order_by(Account.email))
    return list(rows)

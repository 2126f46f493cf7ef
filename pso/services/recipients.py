"""Who gets mail about an applying organisation: its party's active accounts
(pso.services.accounts.emails_for_party is the rule; this adds their names), for the
expiry reminders (pso.jobs) and the voucher mails (pso.services.voucher_mail)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.db.models import Account
from pso.services.accounts import emails_for_party


async def applicant_recipients(session: AsyncSession, kvk: str) -> list[tuple[str, str]]:
    """(e-mail, name) of the active accounts of the applying organisation with this KvK."""
    emails = await emails_for_party(session, "applicant", kvk)
    if not emails:
        return []
    names = dict((await session.execute(
        select(Account.email, Account.name).where(Account.email.in_(emails)))).all())
    return [(email, names.get(email, "")) for email in emails]


async def party_recipients(session: AsyncSession, party_id: int | None) -> list[tuple[str, str]]:
    """(e-mail, name) of the active accounts of a party (a buying organisation's, for the
    mails about its tenders)."""
    from pso.db.models import Party

    party = await session.get(Party, party_id) if party_id is not None else None
    if party is None:
        return []
    emails = await emails_for_party(session, party.kind, party.code)
    names = dict((await session.execute(
        select(Account.email, Account.name).where(Account.email.in_(emails)))).all())
    return [(e, names.get(e, "")) for e in emails]

"""Mails to an applying organisation about its application and certificates (SPEC §7.3,
§7.5): one mail per active account of the company, queued in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pso.mail import queue_mail
from pso.services.accounts import emails_for_party


async def mail_company(session: AsyncSession, kvk: str, template: str,
                       context: dict[str, Any]) -> int:
    """Queue `template` for every active account of the company `kvk`; returns how many."""
    addresses = await emails_for_party(session, "applicant", kvk)
    for address in addresses:
        await queue_mail(session, to=address, template=template, context=context)
    return len(addresses)

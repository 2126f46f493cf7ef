"""Mails to an applying organisation about its application and certificates (SPEC §7.3,
§7.5): one mail per active account of the company, addressed by the account's name,
queued in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pso.mail import queue_mail
from pso.services.recipients import applicant_recipients


async def mail_company(session: AsyncSession, kvk: str, template: str,
                       context: dict[str, Any]) -> int:
    """Queue `template` for every active account of the company `kvk`; returns how many."""
    recipients = await applicant_recipients(session, kvk)
    for address, name in recipients:
        await queue_mail(session, to=address, template=template,
                         context={**context, "name": name})
    return len(recipients)

"""Mails about a voucher to its holder: the active accounts of the applying organisation
(SPEC §7.5). Queued in the caller's transaction, so a mail exists only for a voucher
that does."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pso.db.models import Voucher
from pso.mail import public_url, queue_mail
from pso.services.municipalities import issuer, public_name
from pso.services.recipients import applicant_recipients
from pso.voucher_codes import display


def context(voucher: Voucher, base_url: str) -> dict[str, Any]:
    org, code = voucher.organization, display(voucher.code)
    return {"organization": org.name, "kvk": org.kvk, "code": code,
            "scheme": voucher.scheme.title, "amount": voucher.amount,
            "expires_on": voucher.expires_on, "voucher_link": f"{base_url}/vouchers/{code}"}


async def tell_holder(session: AsyncSession, voucher: Voucher, template: str,
                      base_url: str | None = None, **extra: Any) -> int:
    """Queue `template` (voucher_issued, voucher_expired, voucher_refused) to every holder
    account; returns how many mails were queued."""
    values = {**context(voucher, base_url or public_url()), **extra}
    people = await applicant_recipients(session, voucher.organization.kvk)
    for email, name in people:
        await queue_mail(session, to=email, template=template, context={**values, "name": name})
    return len(people)


async def tell_refused(session: AsyncSession, voucher: Voucher) -> int:
    """The refusal of a request, with the municipality's name and its reason (if any), and
    the way to the schemes still open to the organisation."""
    base = public_url()
    return await tell_holder(
        session, voucher, "voucher_refused", base,
        municipality=issuer(await public_name(session, voucher.scheme.municipality_code)),
        requested_on=voucher.requested_on, reason=(voucher.refusal_reason or "").strip(),
        schemes_link=f"{base}/mijn/vouchers")

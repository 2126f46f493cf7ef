"""The voucher PDF: a Dutch record of one voucher, with a QR code of its verification URL.

Rendered once at issue (or approval) and again at every status change (redemption,
cancellation, and once by the daily job when it expired), then stored with its SHA-256
and served as stored, like a certificate: a GET never renders. A cancelled or expired
voucher's PDF carries a stamp (INGETROKKEN, VERLOPEN). The QR code carries only this
voucher's own verification URL.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pso.db.models import Voucher, VoucherStatus
from pso.errors import Conflict
from pso.files import pdf_pool
from pso.services import municipalities
from pso.services.voucher_status import status_on
from pso.text.labels import VOUCHER_STATUS_LABELS
from pso.voucher_codes import display

TEMPLATE = "vouchers/voucher.html"
STAMPS = {VoucherStatus.CANCELLED: "INGETROKKEN", VoucherStatus.EXPIRED: "VERLOPEN",
          VoucherStatus.REDEEMED: "VERZILVERD"}
NOT_ISSUED = (VoucherStatus.REQUESTED, VoucherStatus.REFUSED)


def verification_url(public_url: str, code: str) -> str:
    parts = urlsplit(public_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"PSO_PUBLIC_URL must be an http(s) URL, got {public_url!r}")
    return f"{public_url.rstrip('/')}/vouchers/{quote(display(code))}"


def voucher_context(voucher: Voucher, public_url: str, today: date,
                    municipality_name: str | None = None) -> dict[str, Any]:
    """Plain data only (str, Decimal, date, Markup): no ORM objects, so the context pickles
    and can go to a PDF worker process (pso.files.pdf_pool)."""
    from certificates.qr import qr_svg

    url = verification_url(public_url, voucher.code)
    status = status_on(voucher, today)
    scheme, organization = voucher.scheme, voucher.organization
    municipality = municipality_name or scheme.municipality_code
    issuer = municipalities.issuer(municipality)
    return {
        "title": f"Subsidievoucher {display(voucher.code)}",
        "created": voucher.issued_on.isoformat(),
        "author": issuer,
        "voucher": {
            "amount": voucher.amount,
            "issued_on": voucher.issued_on,
            "expires_on": voucher.expires_on,
            "redeemed_on": voucher.redeemed_on,
            "redeemed_amount": voucher.redeemed_amount,
            "cancelled_on": voucher.cancelled_on,
        },
        "scheme": {"title": scheme.title, "municipality_code": scheme.municipality_code,
                   "municipality_name": municipality, "issuer": issuer,
                   "long_title": len(scheme.title) > 90},
        "organization": {"name": organization.name, "kvk": organization.kvk},
        "code": display(voucher.code),
        "status": status.value,
        "status_label": VOUCHER_STATUS_LABELS[status],
        "stamp": STAMPS.get(status),
        "today": today,
        "verification_url": url,
        # Built from our own URL only, so it may skip escaping.
        "qr_svg": Markup(qr_svg(url)),
    }


async def render_voucher(voucher: Voucher, public_url: str, today: date,
                         municipality_name: str | None = None) -> bytes:
    """Within the PDF time limit (503 `pdf-unavailable` beyond it), in a worker process
    when PSO_PDF_WORKERS > 0."""
    return await pdf_pool.render(
        TEMPLATE, voucher_context(voucher, public_url, today, municipality_name))


async def store(session: AsyncSession, voucher: Voucher, day: date) -> None:
    """Render the PDF for the voucher's status on `day` and store it with its SHA-256, in
    the caller's transaction (the change and its PDF commit together)."""
    from pso.mail import public_url
    from pso.services.municipalities import name

    municipality = await name(session, voucher.scheme.municipality_code)
    body = await render_voucher(voucher, public_url(), day, municipality)
    voucher.pdf = body
    voucher.pdf_sha256 = hashlib.sha256(body).hexdigest()
    voucher.pdf_status = status_on(voucher, day)
    await session.flush()


async def stored_pdf(session: AsyncSession, voucher: Voucher, day: date) -> bytes:
    """The stored PDF. Only when it shows another status than today's (a voucher that
    expired today, before the daily job re-stamped and stored it, or one from before PDFs
    were stored) it is rendered for this answer; GETs never write."""
    status = status_on(voucher, day)
    if status in NOT_ISSUED:
        raise Conflict("voucher-not-issued",
                       "Voor deze voucher is nog geen pdf: de aanvraag is (nog) niet goedgekeurd.")
    body = await session.scalar(select(Voucher.pdf).where(Voucher.id == voucher.id))
    if body is not None and voucher.pdf_status == status:
        return body
    from pso.mail import public_url
    from pso.services.municipalities import name

    municipality = await name(session, voucher.scheme.municipality_code)
    return await render_voucher(voucher, public_url(), day, municipality)


async def restamp_expired(session: AsyncSession, day: date, limit: int = 200) -> list[int]:
    """Ids of vouchers whose stored PDF does not show them expired yet (for the daily job)."""
    rows = await session.scalars(
        select(Voucher.id).where(Voucher.status == VoucherStatus.ISSUED, Voucher.expires_on < day,
                                 Voucher.pdf_status.is_(None)
                                 | (Voucher.pdf_status != VoucherStatus.EXPIRED))
        .order_by(Voucher.id).limit(limit))
    return list(rows)

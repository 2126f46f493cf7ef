"""The voucher PDF: a Dutch record of one voucher, with a QR code of its verification URL.

Rendered on request (not stored): it shows the voucher's status on the day it is printed.
The QR code carries only this voucher's own verification URL.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import Markup

from pso import pdf_pool
from pso.db.models import Voucher
from pso.services.voucher_export import STATUS_LABELS
from pso.services.vouchers import status_on
from pso.voucher_codes import display

TEMPLATE = "vouchers/voucher.html"


def verification_url(public_url: str, code: str) -> str:
    parts = urlsplit(public_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"PSO_PUBLIC_URL must be an http(s) URL, got {public_url!r}")
    return f"{public_url.rstrip('/')}/vouchers/{quote(display(code))}"


def voucher_context(voucher: Voucher, public_url: str, today: date) -> dict[str, Any]:
    """Plain data only (str, Decimal, date, Markup): no ORM objects, so the context pickles
    and can go to a PDF worker process (pso.pdf_pool)."""
    from certificates.qr import qr_svg

    url = verification_url(public_url, voucher.code)
    status = status_on(voucher, today)
    scheme, organization = voucher.scheme, voucher.organization
    return {
        "title": f"Subsidievoucher {display(voucher.code)}",
        "created": voucher.issued_on.isoformat(),
        "author": f"Gemeente {scheme.municipality_code}",
        "voucher": {
            "amount": voucher.amount,
            "issued_on": voucher.issued_on,
            "expires_on": voucher.expires_on,
            "redeemed_on": voucher.redeemed_on,
            "redeemed_amount": voucher.redeemed_amount,
            "cancelled_on": voucher.cancelled_on,
        },
        "scheme": {"title": scheme.title, "municipality_code": scheme.municipality_code},
        "organization": {"name": organization.name, "kvk": organization.kvk},
        "code": display(voucher.code),
        "status": status,
        "status_label": STATUS_LABELS[status],
        "today": today,
        "verification_url": url,
        # Built from our own URL only, so it may skip escaping.
        "qr_svg": Markup(qr_svg(url)),
    }


async def render_voucher(voucher: Voucher, public_url: str, today: date) -> bytes:
    """Within the PDF time limit (503 `pdf-unavailable` beyond it), in a worker process
    when PSO_PDF_WORKERS > 0."""
    return await pdf_pool.render(TEMPLATE, voucher_context(voucher, public_url, today))

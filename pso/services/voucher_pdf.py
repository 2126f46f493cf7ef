"""The voucher PDF: a Dutch record of one voucher, with a QR code of its verification URL.

Rendered on request (not stored): it shows the voucher's status on the day it is printed.
The QR code carries only this voucher's own verification URL.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlsplit

from markupsafe import Markup

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


def voucher_context(voucher: Voucher, public_url: str, today: date) -> dict:
    from certificates.qr import qr_svg

    url = verification_url(public_url, voucher.code)
    status = status_on(voucher, today)
    return {
        "title": f"Subsidievoucher {display(voucher.code)}",
        "created": voucher.issued_on.isoformat(),
        "author": f"Gemeente {voucher.scheme.municipality_code}",
        "voucher": voucher,
        "scheme": voucher.scheme,
        "organization": voucher.organization,
        "code": display(voucher.code),
        "status": status,
        "status_label": STATUS_LABELS[status],
        "today": today,
        "verification_url": url,
        # Built from our own URL only, so it may skip escaping.
        "qr_svg": Markup(qr_svg(url)),
    }


async def render_voucher(voucher: Voucher, public_url: str, today: date) -> bytes:
    # Imported on use: WeasyPrint is heavy and only PDF requests need it.
    from certificates.pdf import render_pdf_async

    return await render_pdf_async(TEMPLATE, voucher_context(voucher, public_url, today))

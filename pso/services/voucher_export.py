"""CSV export of a scheme's vouchers, for the municipality's own spreadsheet.

Dutch Excel conventions: semicolons between fields, decimal comma, UTF-8 with a BOM so
accents survive a double click. Text typed by others (names, reasons) cannot start a
formula: a leading = + - @ gets an apostrophe (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from pso.db.models import Voucher
from pso.services.vouchers import status_on
from pso.voucher_codes import display

STATUS_LABELS = {
    "requested": "aangevraagd",
    "issued": "uitgegeven",
    "redeemed": "verzilverd",
    "cancelled": "ingetrokken",
    "expired": "verlopen",
    "refused": "geweigerd",
}
HEADER = [
    "Vouchercode", "KvK-nummer", "Organisatie", "Gemeente organisatie", "Fte", "Bedrag",
    "Status", "Uitgegeven op", "Geldig tot en met", "Verzilverd op", "Factuurbedrag",
    "Uitbetaald", "Certificaatnummer", "Aanvraag", "Ingetrokken op", "Reden intrekking",
]


def number(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def text(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value[0] in "=+-@\t\r" else value


def vouchers_csv(vouchers: Iterable[Voucher], today: date) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for v in vouchers:
        writer.writerow([
            display(v.code), v.organization.kvk, text(v.organization.name),
            v.organization.municipality_code, number(v.fte), number(v.amount),
            STATUS_LABELS[status_on(v, today)], day(v.issued_on), day(v.expires_on),
            day(v.redeemed_on), number(v.invoice_amount), number(v.redeemed_amount),
            v.certificate_number or "", "" if v.assessment_id is None else str(v.assessment_id),
            day(v.cancelled_on), text(v.cancellation_reason),
        ])
    return ("\ufeff" + out.getvalue()).encode("utf-8")

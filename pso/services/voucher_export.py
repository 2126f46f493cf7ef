"""CSV export of a scheme's vouchers, for the municipality's own spreadsheet.

Dutch Excel conventions: semicolons between fields, decimal comma, UTF-8 with a BOM so
accents survive a double click. Written by pso.files.csv_export, which keeps text typed by
others (names, reasons) from starting a formula.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from pso.db.models import Voucher
from pso.files.csv_export import csv_document
from pso.services.voucher_status import status_on
from pso.text.labels import VOUCHER_STATUS_LABELS
from pso.voucher_codes import display

HEADER = [
    "Vouchercode", "KvK-nummer", "Organisatie", "Gemeente organisatie", "Fte", "Bedrag",
    "Status", "Uitgegeven op", "Geldig tot en met", "Verzilverd op", "Factuurbedrag",
    "Uitbetaald", "Certificaatnummer", "Aanvraag", "Ingetrokken op", "Reden intrekking",
]


def number(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def vouchers_csv(vouchers: Iterable[Voucher], today: date) -> bytes:
    return csv_document(HEADER, ([
            display(v.code), v.organization.kvk, v.organization.name,
            v.organization.municipality_code, number(v.fte), number(v.amount),
            VOUCHER_STATUS_LABELS[status_on(v, today)], day(v.issued_on), day(v.expires_on),
            day(v.redeemed_on), number(v.invoice_amount), number(v.redeemed_amount),
            v.certificate_number or "", "" if v.assessment_id is None else str(v.assessment_id),
            day(v.cancelled_on), v.cancellation_reason,
        ] for v in vouchers))

"""A voucher's status as its reader sees it, and the Dutch word for each (the voucher
service, its PDF and its CSV export all use these; kept apart so none imports another)."""

from __future__ import annotations

from datetime import date

from pso.db.models import Voucher

STATUS_LABELS = {
    "requested": "aangevraagd",
    "issued": "uitgegeven",
    "redeemed": "verzilverd",
    "cancelled": "ingetrokken",
    "expired": "verlopen",
    "refused": "geweigerd",
}


def status_on(voucher: Voucher, day: date) -> str:
    """The status a client sees: `expired` is derived from the date, never stored."""
    if voucher.status == "issued" and voucher.expires_on < day:
        return "expired"
    return voucher.status

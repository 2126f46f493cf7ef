"""A voucher's status as its reader sees it (the voucher service, its PDF and its CSV
export all use it; kept apart so none imports another). The Dutch words are
pso.text.labels.VOUCHER_STATUS_LABELS."""

from __future__ import annotations

from datetime import date

from pso.db.models import Voucher, VoucherStatus


def status_on(voucher: Voucher, day: date) -> VoucherStatus:
    """The status a client sees: `expired` is derived from the date, never stored."""
    if voucher.status == VoucherStatus.ISSUED and voucher.expires_on < day:
        return VoucherStatus.EXPIRED
    return VoucherStatus(voucher.status)

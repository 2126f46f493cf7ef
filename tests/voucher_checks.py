"""What must hold for vouchers whatever happened (kills, races, several servers)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from pso.clock import today
from pso.db.models import AuditEvent, Voucher, VoucherScheme
from pso.services.vouchers import figures
from pso.voucher_codes import display

ZERO = Decimal("0.00")


async def check_vouchers_consistent(session_maker, day: date | None = None) -> dict[str, int]:
    """Asserts: one voucher per organisation per scheme, exactly one audit entry for every
    issued (or requested, then approved or refused), redeemed and cancelled voucher and no
    audit entry without its voucher, every
    redemption complete (amount, date, invoice; min(amount, invoice) paid), and per scheme
    committed <= budget, with the SQL rule agreeing with the same rule summed here.
    Returns counts, so a test can also check that something happened."""
    day = day or today()
    async with session_maker() as session:
        schemes = list(await session.scalars(select(VoucherScheme)))
        vouchers = list(await session.execute(select(
            Voucher.code, Voucher.scheme_id, Voucher.organization_id, Voucher.status,
            Voucher.amount, Voucher.expires_on, Voucher.invoice_amount, Voucher.redeemed_amount,
            Voucher.redeemed_on, Voucher.redeemed_by, Voucher.cancelled_on)))
        events = list(await session.execute(
            select(AuditEvent.action, AuditEvent.entity_id)
            .where(AuditEvent.entity_type == "voucher")))
        sums = await figures(session, schemes, day)

    pairs = Counter((v.scheme_id, v.organization_id) for v in vouchers)
    assert all(n == 1 for n in pairs.values()), [p for p, n in pairs.items() if n > 1]
    codes = Counter(v.code for v in vouchers)
    assert all(n == 1 for n in codes.values()), codes

    audit = Counter((action, entity) for action, entity in events)
    assert all(n == 1 for n in audit.values()), [k for k, n in audit.items() if n > 1]

    def logged(action: str) -> set[str]:
        return {entity for act, entity in audit if act == action}

    requested = logged("voucher.requested")
    assert not logged("voucher.issued") & requested
    assert logged("voucher.issued") | requested == {display(v.code) for v in vouchers}
    assert logged("voucher.refused") == {display(v.code) for v in vouchers
                                         if v.status == "refused"}
    assert logged("voucher.approved") | logged("voucher.refused") == requested - {
        display(v.code) for v in vouchers if v.status == "requested"}
    assert logged("voucher.redeemed") == {display(v.code) for v in vouchers
                                          if v.status == "redeemed"}
    assert logged("voucher.cancelled") == {display(v.code) for v in vouchers
                                           if v.status == "cancelled"}

    committed: dict[int, Decimal] = dict.fromkeys(sums, ZERO)
    for v in vouchers:
        if v.status == "redeemed":
            assert v.redeemed_amount is not None and v.redeemed_on is not None, v
            assert v.invoice_amount is not None and v.redeemed_by, v
            assert v.redeemed_amount == min(v.amount, v.invoice_amount), v
            committed[v.scheme_id] += v.redeemed_amount
        else:
            assert v.redeemed_amount is None and v.redeemed_on is None, v
            if (v.status == "issued" and v.expires_on >= day) or v.status == "requested":
                committed[v.scheme_id] += v.amount
        assert (v.status == "cancelled") == (v.cancelled_on is not None), v

    for scheme in schemes:
        fig = sums[scheme.id]
        assert fig.committed == committed[scheme.id], (scheme.id, fig.committed)
        assert ZERO <= fig.committed <= scheme.budget, (scheme.id, fig.committed, scheme.budget)

    return {
        "vouchers": len(vouchers),
        "issued": sum(v.status == "issued" for v in vouchers),
        "requested": sum(v.status == "requested" for v in vouchers),
        "refused": sum(v.status == "refused" for v in vouchers),
        "redeemed": sum(v.status == "redeemed" for v in vouchers),
        "cancelled": sum(v.status == "cancelled" for v in vouchers),
    }

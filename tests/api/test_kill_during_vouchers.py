"""A process killed (SIGKILL) while issuing or redeeming vouchers leaves no half-written records.

A child process issues vouchers through the service layer in a loop and redeems every
other one, each in its own transaction. Right after a transaction has written its rows
(voucher and audit entry flushed, not committed) the child says so through shared memory
and lingers a few milliseconds; the parent kills it exactly then, once in an issuing and
once in a redeeming transaction, on SQLite and on PostgreSQL. Every time the database must
still satisfy every voucher rule (tests/voucher_checks.py), and a survivor must then be
able to fill the rest of the budget to the last voucher, not a euro beyond.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import random
import signal
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso import clock
from pso.auth import SYSTEM
from pso.db.engine import make_engine
from pso.errors import Conflict
from pso.services import certification, organizations
from pso.services import vouchers as service
from tests.factories import submission
from tests.voucher_checks import check_vouchers_consistent

pytestmark = pytest.mark.anyio

APPLICANTS, ROOM = 36, 20
AMOUNT, INVOICE = Decimal("1000.00"), Decimal("600.00")  # a redemption returns 400
IDLE, ISSUING, REDEEMING = 0, 1, 2
DEADLINE = 12  # seconds a child may take to reach the moment it is killed


def kvk(i: int) -> str:
    return f"4{i:07d}"


class Plain:
    def __init__(self, _typecode: str, value: int) -> None:
        self.value = value


class Shared:
    """The counters a child reports through (multiprocessing Values, or plain in-process)."""

    def __init__(self, context=None) -> None:
        make = context.Value if context else Plain
        self.phase, self.issued, self.redeemed = make("i", IDLE), make("i", 0), make("i", 0)


async def _issue_and_redeem(url: str, scheme_id: int, proofs: dict[str, int],
                            shared: Shared, linger: float) -> None:
    """For every applicant: issue (one transaction), then redeem every other one (another)."""
    engine = make_engine(url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    try:
        for i in range(APPLICANTS):
            try:
                async with maker() as session, session.begin():
                    voucher = await service.issue(session, SYSTEM, scheme_id, kvk(i),
                                                  Decimal(10))
                    shared.phase.value = ISSUING  # rows flushed, not committed
                    await asyncio.sleep(linger * random.uniform(0.5, 1.0))
            except Conflict:  # already holds one (an earlier run), or the budget is used up
                continue
            finally:
                shared.phase.value = IDLE
            shared.issued.value += 1
            if i % 2:
                continue
            try:
                async with maker() as session, session.begin():
                    await service.redeem(session, SYSTEM, voucher.code, INVOICE,
                                         assessment_id=proofs[kvk(i)])
                    shared.phase.value = REDEEMING
                    await asyncio.sleep(linger * random.uniform(0.5, 1.0))
            finally:
                shared.phase.value = IDLE
            shared.redeemed.value += 1
    finally:
        await engine.dispose()


def _worker(url: str, scheme_id: int, proofs: dict[str, int], shared: Shared) -> None:
    asyncio.run(_issue_and_redeem(url, scheme_id, proofs, shared, linger=0.02))


def _kill_inside(url: str, scheme_id: int, proofs: dict[str, int], phase: int,
                 after: int) -> Shared:
    """Run a child and SIGKILL it inside a transaction of `phase`, once it has issued
    `after` vouchers. Returns what the child reported before it died."""
    context = mp.get_context("spawn")
    shared = Shared(context)
    process = context.Process(target=_worker, args=(url, scheme_id, proofs, shared))
    process.start()
    try:
        deadline = time.monotonic() + DEADLINE
        while shared.issued.value < after or shared.phase.value != phase:
            assert process.is_alive(), "the child stopped by itself"
            assert time.monotonic() < deadline, "the child made no progress"
            time.sleep(0.0005)  # the child lingers 10-20 ms inside the transaction
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.join(10)
        if process.is_alive():
            process.kill()
    assert process.exitcode == -signal.SIGKILL
    return shared


async def _prepare(session_maker) -> tuple[int, dict[str, int]]:
    """Applicants in GM0200, a submitted assessment as proof for each one to be redeemed,
    and an open scheme with room for ROOM vouchers."""
    day = clock.today()
    proofs = {}
    async with session_maker() as session, session.begin():
        for i in range(APPLICANTS):
            await organizations.create(session, SYSTEM, {
                "kvk": kvk(i), "name": f"Aanvrager {i}", "municipality_code": "GM0200",
                "kind": "company"})
            if i % 2 == 0:
                assessment = await certification.create(session, SYSTEM, kvk(i), submission(2))
                await certification.submit(session, SYSTEM, assessment.id)
                proofs[kvk(i)] = assessment.id
        scheme = await service.create_scheme(session, SYSTEM, {
            "title": "Kill-test", "municipality_code": "GM0200", "voucher_amount": AMOUNT,
            "budget": AMOUNT * ROOM, "application_opens_on": day - timedelta(days=1),
            "application_closes_on": day + timedelta(days=1), "voucher_validity_days": 365,
            "max_fte": Decimal("249.99"), "eligible_municipality_codes": ["GM0200"]})
    return scheme.id, proofs


async def test_sigkill_while_issuing_and_redeeming_vouchers_leaves_no_half_records(
    database_url, session_maker
) -> None:
    scheme_id, proofs = await _prepare(session_maker)

    first = _kill_inside(database_url, scheme_id, proofs, ISSUING, random.randint(2, 5))
    after_first = await check_vouchers_consistent(session_maker)
    # Killed after its flush, before its commit: that voucher is gone (in the rare case
    # the commit won the race with the signal, it is there whole).
    assert after_first["vouchers"] - first.issued.value in (0, 1), (after_first,
                                                                    first.issued.value)
    assert after_first["vouchers"] >= 2

    second = _kill_inside(database_url, scheme_id, proofs, REDEEMING, 1)
    after_second = await check_vouchers_consistent(session_maker)
    assert after_second["vouchers"] >= after_first["vouchers"] + 1
    assert after_second["redeemed"] - (first.redeemed.value + second.redeemed.value) in (0, 1)

    # A survivor goes on: a killed PostgreSQL client's scheme lock must be gone, and the
    # budget fills to the last voucher that fits.
    await asyncio.wait_for(
        _issue_and_redeem(database_url, scheme_id, proofs, Shared(), linger=0), timeout=30)
    final = await check_vouchers_consistent(session_maker)
    async with session_maker() as session:
        scheme = await service.scheme_for(session, SYSTEM, scheme_id)
        fig = (await service.figures(session, [scheme], clock.today()))[scheme_id]
    assert fig.committed <= fig.budget and fig.available < AMOUNT, fig
    assert final["vouchers"] > ROOM  # redemptions gave money back for more vouchers
    # No wall-clock limit on the whole: each wait above ends on progress (DEADLINE per kill,
    # 30 s for the survivor), which a slow machine does not break.

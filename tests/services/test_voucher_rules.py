"""Rules of the voucher service (pso/services/vouchers.py) that protect a municipality's
budget, on the service itself, both databases. Each test names its rule and fails when that
rule is removed (found by `make mutate MODULES=pso/services/vouchers.py`)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select

from pso.auth import Actor
from pso.db.models import Organization, Voucher, VoucherScheme
from pso.errors import Conflict, NotFound
from pso.services import vouchers
from tests.jobs import data
from tests.services.concurrency import meanwhile, race

pytestmark = pytest.mark.anyio

DAY = date(2026, 6, 15)


def _company(kvk: str) -> Actor:
    return Actor(None, f"Bedrijf {kvk}", "company", kvk=kvk)


async def _scheme(session_maker, budget: str = "5000.00") -> int:
    """A scheme that requires approval: a company's application is a request (no PDF)."""
    async with session_maker() as session, session.begin():
        scheme = VoucherScheme(
            title="Voucher PSO-meting",
            municipality_code="GM0363",
            voucher_amount=Decimal("500.00"),
            budget=Decimal(budget),
            application_opens_on=date(2026, 1, 1),
            application_closes_on=date(2026, 12, 31),
            voucher_validity_days=90,
            max_fte=Decimal("250.00"),
            eligible_municipality_codes=["GM0363"],
            requires_approval=True,
            created_by="test",
        )
        session.add(scheme)
        await session.flush()
        return scheme.id


async def test_one_voucher_per_organisation_whatever_the_order_of_their_ids(session_maker) -> None:
    async with session_maker() as session, session.begin():
        first = await data.organization(session, "10000001", people=0)
        second = await data.organization(session, "10000002", people=0)
        assert first.id < second.id
    scheme_id = await _scheme(session_maker)
    # The later organisation applies first: the earlier one's application is still its first.
    for kvk in ("10000002", "10000001"):
        async with session_maker() as session, session.begin():
            await vouchers.issue(session, _company(kvk), scheme_id, kvk, Decimal(10), on=DAY)
    for kvk in ("10000002", "10000001"):
        async with session_maker() as session, session.begin():
            with pytest.raises(Conflict) as refused:
                await vouchers.issue(session, _company(kvk), scheme_id, kvk, Decimal(10), on=DAY)
            assert refused.value.slug == "voucher-already-issued"
    async with session_maker() as session:
        held = (await session.scalars(select(Voucher.status))).all()
        assert sorted(held) == ["requested", "requested"]


async def test_a_page_of_vouchers_starts_after_the_earlier_pages(session_maker) -> None:
    scheme_id = await _scheme(session_maker)
    kvks = [f"1000000{i}" for i in range(1, 6)]
    for kvk in kvks:
        async with session_maker() as session, session.begin():
            await data.organization(session, kvk, people=0)
            await vouchers.issue(session, _company(kvk), scheme_id, kvk, Decimal(10), on=DAY)
    async with session_maker() as session:
        scheme = await session.get(VoucherScheme, scheme_id)
        pages = [
            await vouchers.list_vouchers(session, scheme, DAY, page=n, page_size=2)
            for n in (1, 2, 3)
        ]
        ids = sorted((await session.scalars(select(Voucher.id))).all())
    assert [[v.id for v in items] for items, _ in pages] == [ids[0:2], ids[2:4], ids[4:]]
    assert {total for _, total in pages} == {5}
    async with session_maker() as session:  # none of that status: none counted either
        scheme = await session.get(VoucherScheme, scheme_id)
        assert await vouchers.list_vouchers(session, scheme, DAY, status="redeemed", page=1) == (
            [],
            0,
        )


async def test_the_last_voucher_of_a_budget_goes_to_one_of_two_concurrent_applications(
    session_maker, backend
) -> None:
    """Issuing locks the scheme row before it counts the budget (`scheme_for(lock=True)`),
    so of two applications at once for the last voucher one gets it and the other is told
    the budget is exhausted: the budget is never overspent. Without the lock, on PostgreSQL
    the second counts while the first has not committed, sees room and is issued too."""
    async with session_maker() as session, session.begin():
        for kvk in ("10000001", "10000002"):
            await data.organization(session, kvk, people=0)
    scheme_id = await _scheme(session_maker, budget="500.00")  # room for one voucher

    def apply(kvk: str):
        return lambda session: vouchers.issue(session, _company(kvk), scheme_id, kvk,
                                              Decimal(10), on=DAY)

    # The first holds the last voucher, uncommitted, while the second applies.
    refused = await meanwhile(session_maker, backend, apply("10000001"), apply("10000002"))
    assert isinstance(refused, Conflict) and refused.slug == "budget-exhausted"
    async with session_maker() as session:
        scheme = await session.get(VoucherScheme, scheme_id)
        held = (await session.scalars(select(Voucher))).all()
        fig = (await vouchers.figures(session, [scheme], DAY))[scheme_id]
    assert len(held) == 1
    assert (fig.committed, fig.available) == (Decimal("500.00"), Decimal("0.00"))


async def _vouchers(session_maker, scheme_id: int, rows: list[tuple[str, date, date]]) -> None:
    """(status, issued_on, expires_on) per voucher, each of an organisation of its own."""
    async with session_maker() as session, session.begin():
        start = await session.scalar(select(func.count()).select_from(Organization)) or 0
        orgs = [
            {"kvk": f"2{start + i:07d}", "name": f"Bedrijf {start + i}",
             "municipality_code": "GM0363", "kind": "company"}
            for i in range(len(rows))
        ]
        ids = (await session.scalars(insert(Organization).returning(Organization.id), orgs)).all()
        await session.execute(insert(Voucher), [
            {"code": f"T{scheme_id}X{org_id}", "scheme_id": scheme_id, "organization_id": org_id,
             "fte": Decimal(10), "amount": Decimal("500.00"), "status": status,
             "issued_on": issued_on, "expires_on": expires_on, "issued_by": "test"}
            for org_id, (status, issued_on, expires_on) in zip(ids, rows, strict=True)
        ])


async def test_uptake_counts_issued_vouchers_per_month_of_issue_across_the_year_end(
    session_maker,
) -> None:
    """Every month from the scheme's opening month to this one, over the turn of a year, with
    the vouchers of this scheme issued in it; requests and refusals are not issued; the last
    `months` months only."""
    other = await _scheme(session_maker)  # an earlier scheme: its vouchers are not counted
    scheme_id = await _scheme(session_maker)
    nov, jan = date(2025, 11, 20), date(2026, 1, 5)
    far = date(2027, 1, 1)
    await _vouchers(session_maker, other, [("issued", jan, far)])
    await _vouchers(session_maker, scheme_id, [
        ("issued", nov, far), ("issued", jan, far), ("redeemed", jan, far),
        ("requested", jan, far), ("refused", jan, far),
    ])
    async with session_maker() as session:
        scheme = await session.get(VoucherScheme, scheme_id)
        scheme.application_opens_on = date(2025, 10, 1)
        day = date(2026, 2, 15)
        assert await vouchers.uptake_by_month(session, scheme, day) == [
            (2025, 10, 0, Decimal(0)),
            (2025, 11, 1, Decimal("500.00")),
            (2025, 12, 0, Decimal(0)),
            (2026, 1, 2, Decimal("1000.00")),
            (2026, 2, 0, Decimal(0)),  # this month, nothing issued yet
        ]
        assert [m[:2] for m in await vouchers.uptake_by_month(session, scheme, day, 2)] == [
            (2026, 1), (2026, 2)]


async def test_expiring_vouchers_are_those_issued_within_the_window_soonest_first_at_most_200(
    session_maker,
) -> None:
    scheme_id = await _scheme(session_maker)
    day = date(2026, 6, 15)
    near = [("issued", date(2026, 1, 1), day + timedelta(days=i % 61)) for i in range(199)]
    await _vouchers(session_maker, scheme_id, [
        ("issued", date(2026, 1, 1), day - timedelta(days=60)),  # expired 60 days ago: in
        ("issued", date(2026, 1, 1), day - timedelta(days=61)),  # out
        ("issued", date(2026, 1, 1), day + timedelta(days=61)),  # out
        ("redeemed", date(2026, 1, 1), day),  # used: out
        *near,
        ("issued", date(2026, 1, 1), day + timedelta(days=60)),  # the 201st in the window
    ])
    municipality = Actor(None, "Gemeente", "municipality", municipality_code="GM0363")
    async with session_maker() as session:
        found = await vouchers.expiring(session, municipality, day)
    assert len(found) == 200
    assert found[0].expires_on == day - timedelta(days=60)
    assert [v.expires_on for v in found] == sorted(v.expires_on for v in found)
    assert {v.status for v in found} == {"issued"}
    assert max(v.expires_on for v in found) == day + timedelta(days=60)


@pytest.mark.parametrize("backend", ["postgres"])  # SQLite has no row locks
async def test_reading_a_scheme_does_not_wait_for_an_application_in_progress(
    session_maker,
) -> None:
    """Only issuing and editing lock the scheme's row (`scheme_for(lock=True)`): its pages
    read it while an application holds the lock."""
    async with session_maker() as session, session.begin():
        await data.organization(session, "10000001", people=0)
    scheme_id = await _scheme(session_maker)
    municipality = Actor(None, "Gemeente", "municipality", municipality_code="GM0363")

    async def apply(session):
        return await vouchers.issue(session, _company("10000001"), scheme_id, "10000001",
                                    Decimal(10), on=DAY)

    async def read(session):
        return (await vouchers.scheme_for(session, municipality, scheme_id)).id

    seen, waited = await race(session_maker, "postgres", apply, read)
    assert not waited and seen == scheme_id


async def test_a_scheme_number_is_looked_up_up_to_the_largest_database_id(session_maker) -> None:
    """Numbers from 1 to 2**31 - 1 are looked up (the largest id PostgreSQL stores); others
    are not found without asking the database (PostgreSQL refuses them as out of range)."""
    largest = 2**31 - 1
    async with session_maker() as session, session.begin():
        scheme = await session.get(VoucherScheme, await _scheme(session_maker))
    async with session_maker() as session, session.begin():
        session.add(VoucherScheme(**{
            c.key: getattr(scheme, c.key) for c in VoucherScheme.__table__.columns
            if c.key != "id"
        }, id=largest))
    municipality = Actor(None, "Gemeente", "municipality", municipality_code="GM0363")
    async with session_maker() as session:
        assert (await vouchers.scheme_for(session, municipality, largest)).id == largest
        for number in (0, largest + 1, 2**63):
            with pytest.raises(NotFound):
                await vouchers.scheme_for(session, municipality, number)


async def test_a_scheme_is_open_for_applications_on_its_first_and_last_day(session_maker) -> None:
    scheme_id = await _scheme(session_maker)  # open 1 January to 31 December 2026
    company = _company("10000001")
    async with session_maker() as session:
        for day, open_ids in ((date(2025, 12, 31), []), (date(2026, 1, 1), [scheme_id]),
                              (date(2026, 12, 31), [scheme_id]), (date(2027, 1, 1), [])):
            assert [s.id for s in await vouchers.open_schemes(session, company, day)] == open_ids


async def test_a_cancelled_voucher_stays_cancelled_past_its_expiry_and_holds_nothing(
    session_maker,
) -> None:
    """Only an issued voucher expires: a cancelled one is counted and filtered as cancelled
    after its last day too, and a cancelled or expired one holds none of the budget."""
    scheme_id = await _scheme(session_maker)
    day = date(2026, 6, 15)
    await _vouchers(session_maker, scheme_id, [
        ("cancelled", date(2026, 1, 5), day - timedelta(days=1)),  # past its last day
        ("cancelled", date(2026, 5, 5), day + timedelta(days=30)),
        ("issued", date(2026, 1, 5), day - timedelta(days=1)),  # expired
        ("issued", date(2026, 5, 5), day),  # its last day: still holds its amount
    ])
    async with session_maker() as session:
        scheme = await session.get(VoucherScheme, scheme_id)
        fig = (await vouchers.figures(session, [scheme], day))[scheme_id]
        cancelled, total = await vouchers.list_vouchers(session, scheme, day, status="cancelled")
    assert {k: n for k, n in fig.counts.items() if n} == {"cancelled": 2, "expired": 1,
                                                          "issued": 1}
    assert (total, fig.committed, fig.available) == (2, Decimal("500.00"), Decimal("4500.00"))
    assert {v.status for v in cancelled} == {"cancelled"}

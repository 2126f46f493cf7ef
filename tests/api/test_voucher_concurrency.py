"""The budget holds under real concurrency: many requests at once against real servers.

50 organisations apply at the same moment for a scheme with room for 5 vouchers. Exactly
5 get one and 45 are told the budget is exhausted, on SQLite and on PostgreSQL, with one
server process and with two processes sharing the database.

The servers of a backend are shared by the module's tests (`servers`, tests/servers.py
`SharedServers`): the tests are about requests racing each other, not about a fresh process.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from pso import clock
from pso.auth import SYSTEM
from pso.services import certification, organizations
from pso.services import vouchers as service
from tests.conftest import count_rows
from tests.factories import submission
from tests.servers import running_servers_fixture, servers_fixture  # noqa: F401
from tests.voucher_checks import check_vouchers_consistent

pytestmark = pytest.mark.anyio

APPLICANTS, ROOM = 50, 5
AMOUNT = Decimal("1000.00")
DEADLINE = 120  # seconds for the whole burst; far above what it takes


def kvk(i: int) -> str:
    return f"3{i:07d}"


async def prepare(session_maker, applicants: int, room: int, *,
                  requires_approval: bool = False) -> int:
    """Registered organisations in GM0200 and an open scheme with room for `room` vouchers."""
    day = clock.today()
    async with session_maker() as session, session.begin():
        for i in range(applicants):
            await organizations.create(session, SYSTEM, {
                "kvk": kvk(i), "name": f"Aanvrager {i}", "municipality_code": "GM0200",
                "kind": "company"})
        scheme = await service.create_scheme(session, SYSTEM, {
            "title": "Drukte-test", "municipality_code": "GM0200", "voucher_amount": AMOUNT,
            "budget": AMOUNT * room, "application_opens_on": day - timedelta(days=1),
            "application_closes_on": day + timedelta(days=1), "voucher_validity_days": 365,
            "max_fte": Decimal("249.99"), "eligible_municipality_codes": ["GM0200"],
            "requires_approval": requires_approval})
        return scheme.id


async def burst(requests: list[tuple[str, dict]] | list[tuple[str, dict, dict]],
                headers: dict[str, str] | None = None) -> list[httpx.Response]:
    """POST all at once: one connection per request, released together by gather. A request
    may carry its own headers as a third item."""
    limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=DEADLINE, limits=limits) as http:
        return await asyncio.wait_for(
            asyncio.gather(*(http.post(r[0], json=r[1], headers=r[2] if len(r) > 2 else headers)
                             for r in requests)),
            DEADLINE,
        )


async def read_scheme(url: str, sid: int, headers: dict[str, str]) -> dict:
    async with httpx.AsyncClient(timeout=30) as http:
        return (await http.get(f"{url}/api/v1/voucher-schemes/{sid}", headers=headers)).json()


def slugs(responses: list[httpx.Response]) -> Counter:
    return Counter(
        r.status_code if r.status_code < 400 else r.json()["type"].rsplit(":", 1)[1]
        for r in responses
    )


@pytest.mark.parametrize("count", [1, 2], ids=["one-server", "two-servers"])
async def test_fifty_applications_room_for_five(
    backend, session_maker, make_token, servers, count
) -> None:
    sid = await prepare(session_maker, APPLICANTS, ROOM)
    municipality = await make_token("municipality", municipality_code="GM0200")
    urls = servers(count)
    requests = [(f"{urls[i % count]}/api/v1/voucher-schemes/{sid}/vouchers",
                 {"kvk": kvk(i), "fte": "10"}) for i in range(APPLICANTS)]
    started = time.monotonic()
    responses = await burst(requests, municipality)
    elapsed = time.monotonic() - started
    scheme = await read_scheme(urls[-1], sid, municipality)

    print(f"{backend}, {count} server(s): {APPLICANTS} requests in {elapsed:.2f} s")
    assert slugs(responses) == {201: ROOM, "budget-exhausted": APPLICANTS - ROOM}
    winners = {r.json()["kvk"] for r in responses if r.status_code == 201}
    assert len(winners) == ROOM
    assert scheme["committed"] == scheme["budget"] == str(AMOUNT * ROOM)
    assert scheme["available"] == "0.00"
    assert scheme["counts"] == {"issued": ROOM, "redeemed": 0, "cancelled": 0, "expired": 0,
                                "requested": 0, "refused": 0}
    assert await count_rows(session_maker, "vouchers") == ROOM
    async with session_maker() as session:
        from sqlalchemy import func, select

        from pso.db.models import AuditEvent

        issued_events = await session.scalar(
            select(func.count()).where(AuditEvent.action == "voucher.issued"))
    assert issued_events == ROOM


async def test_same_organisation_and_same_voucher_at_once(
    session_maker, make_token, servers
) -> None:
    """Ten applications of one organisation: one voucher. Ten redemptions of it: one payment."""
    sid = await prepare(session_maker, 1, ROOM)
    async with session_maker() as session, session.begin():
        assessment = await certification.create(session, SYSTEM, kvk(0), submission(2))
        await certification.submit(session, SYSTEM, assessment.id)
    municipality = await make_token("municipality", municipality_code="GM0200")
    auditor = await make_token("auditor")
    [url] = servers(1)
    responses = await burst(
        [(f"{url}/api/v1/voucher-schemes/{sid}/vouchers", {"kvk": kvk(0), "fte": "1"})] * 10,
        municipality,
    )
    assert slugs(responses) == {201: 1, "voucher-already-issued": 9}
    code = next(r.json()["code"] for r in responses if r.status_code == 201)
    redemption = {"invoiceAmount": "750", "assessmentId": assessment.id}
    responses = await burst([(f"{url}/api/v1/vouchers/{code}/redemption", redemption)] * 10,
                            auditor)
    assert slugs(responses) == {200: 1, "voucher-already-redeemed": 9}
    scheme = await read_scheme(url, sid, municipality)
    assert scheme["committed"] == scheme["redeemed"] == "750.00"
    assert await count_rows(session_maker, "vouchers") == 1


@pytest.mark.parametrize("count", [1, 2], ids=["one-server", "two-servers"])
async def test_requests_approvals_and_refusals_at_once(
    session_maker, make_token, servers, count
) -> None:
    """Approval in the flow (issue 14): 50 companies ask at once on a scheme that requires
    approval: exactly 5 requests reserve the budget. Then, all at once, the municipality
    approves three, refuses two and issues directly, while the 45 ask again: never more
    committed than the budget, and every reservation is accounted for."""
    sid = await prepare(session_maker, APPLICANTS, ROOM, requires_approval=True)
    municipality = await make_token("municipality", municipality_code="GM0200")
    companies = [await make_token("company", kvk=kvk(i)) for i in range(APPLICANTS)]
    urls = servers(count)

    def at(i: int, path: str) -> str:
        return f"{urls[i % count]}/api/v1/{path}"

    asked = await burst([(at(i, f"voucher-schemes/{sid}/vouchers"),
                          {"kvk": kvk(i), "fte": "10"}, companies[i])
                         for i in range(APPLICANTS)])
    assert slugs(asked) == {201: ROOM, "budget-exhausted": APPLICANTS - ROOM}
    assert {r.json()["status"] for r in asked if r.status_code == 201} == {"requested"}
    requested = [r.json()["code"] for r in asked if r.status_code == 201]
    losers = [i for i, r in enumerate(asked) if r.status_code != 201]
    scheme = await read_scheme(urls[0], sid, municipality)
    assert scheme["committed"] == scheme["budget"] and scheme["available"] == "0.00"

    mixed = (
        [(at(i, f"vouchers/{code}/approval"), {}, municipality)
         for i, code in enumerate(requested[:3])]
        + [(at(i, f"vouchers/{code}/refusal"), {"reason": "Test"}, municipality)
           for i, code in enumerate(requested[3:])]
        + [(at(i, f"voucher-schemes/{sid}/vouchers"), {"kvk": kvk(i), "fte": "10"},
            companies[i]) for i in losers]
    )
    responses = await burst(mixed)
    decisions, again = responses[:ROOM], responses[ROOM:]
    assert slugs(decisions) == {200: ROOM}
    outcome = slugs(again)
    assert set(outcome) <= {201, "budget-exhausted"}
    assert outcome[201] <= 2  # only what the two refusals gave back
    scheme = await read_scheme(urls[-1], sid, municipality)

    counts = scheme["counts"]
    assert (counts["issued"], counts["refused"]) == (3, 2)
    assert counts["requested"] == outcome[201]
    assert Decimal(scheme["committed"]) == AMOUNT * (3 + outcome[201]) <= Decimal(scheme["budget"])
    found = await check_vouchers_consistent(session_maker)
    assert found["vouchers"] == ROOM + outcome[201]

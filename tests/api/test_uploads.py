"""POST /api/v1/submissions/employees: multipart in, submission JSON or a 400 naming rows."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from tests.api.test_foundation import assert_problem

pytestmark = pytest.mark.anyio

URL = "/api/v1/submissions/employees"
HEADER = "referentie;uitgangspositie;contractvorm;uren per week;in dienst\n"


async def test_csv_becomes_submission_employees_that_score(client) -> None:
    data = HEADER + "mw-1;wajong;regulier;40;01-01-2024\nmw-2;wajong;regulier;20,5;2024-01-01\n"
    response = await client.post(URL, files={"file": ("lijst.csv", data.encode(), "text/csv")})
    assert response.status_code == 200, response.text
    employees = response.json()["employees"]
    assert [e["hoursPerWeek"] for e in employees] == ["40", "20.5"]
    submission = {"period": {"start": "2024-01-01", "end": "2024-12-31"}, "totalFte": "20",
                  "employees": employees,
                  "quality": dict.fromkeys(("suitableWork", "integration", "development",
                                            "guidance"), True)}
    scored = await client.post("/api/v1/score", json=submission)
    assert scored.status_code == 200, scored.text
    result = scored.json()
    # By hand: a 40-hour week is full time, so 40 h = 1 FTE and 20,5 h = 0,5125 FTE, both
    # weight 1 the whole year: 1,5125 FTE of 20 = 7,5625 %, above trede 2's 7,30 %.
    assert [e["fte"] for e in result["employees"]] == [1.0, 0.5125]
    assert result["directFte"] == 1.5125 and result["directPct"] == 7.5625
    assert result["rung"] == "trede2"


async def test_xlsx_upload(client) -> None:
    book = Workbook()
    book.active.append(["reference", "startingPosition", "contractType", "hoursPerWeek",
                        "employmentStart"])
    book.active.append(["mw-1", "wajong", "regular", 36, "2024-01-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = await client.post(URL, files={"file": ("lijst.xlsx", buffer.getvalue())})
    assert response.status_code == 200
    assert response.json()["format"] == "xlsx"


async def test_bad_row_named_in_invalid_params(client) -> None:
    data = HEADER + "mw-1;wajong;regulier;40;2024-01-01\nmw-2;wajong;regulier;0;2024-01-01\n"
    response = await client.post(URL, files={"file": ("lijst.csv", data.encode())})
    body = assert_problem(response, 400)
    assert body["invalidParams"] == [{"name": "rij 3, kolom uren per week", "row": 3,
                                      "column": "uren per week",
                                      "reason": "Moet groter dan 0 en hoogstens 80 zijn."}]


async def test_hostile_input(client) -> None:
    garbage = bytes(range(256)) * 64
    body = assert_problem(await client.post(URL, files={"file": ("x.csv", garbage)}), 400)
    assert body["invalidParams"][0]["name"] == "bestand"
    assert_problem(await client.post(URL, content=b"a;b\n1;2\n",
                                     headers={"Content-Type": "text/csv"}), 415)
    assert_problem(await client.post(URL, json={"employees": []}), 415)
    assert_problem(await client.post(URL, content=b"\x00\xff not multipart",
                                     headers={"Content-Type": "multipart/form-data; boundary=x"}),
                   400)
    body = assert_problem(await client.post(URL, files={"other": ("x.csv", b"a")}), 400)
    assert body["invalidParams"][0]["name"] == "file"
    huge = b"a" * (6 * 1024 * 1024)
    assert_problem(await client.post(URL, files={"file": ("x.csv", huge)}), 413)

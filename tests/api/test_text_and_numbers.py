"""Texts that reach a page, PDF or CSV refuse control, bidi and separator characters;
numbers as text follow the documented pattern `^-?\\d+(\\.\\d+)?$` (ASCII digits)."""

from __future__ import annotations

import copy

import pytest

from scoring.text import is_decimal_text, unsafe_text
from tests.api.test_foundation import assert_problem
from tests.conftest import count_rows
from tests.factories import issue_certificate, organization, submission

pytestmark = pytest.mark.anyio

# Each of these makes a name print or read differently from what the register stores.
UNSAFE = ["\u202e", "\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068",
          "\u2069", "\u200e", "\u200f", "\u061c", "\x7f", "\u2028", "\u2029", "\x00", "\x1b",
          "\x85", "\ufeff", "\n", "\t"]
SPOOF = "Evil\u202eVB kciR\u202c B.V."
BAD_NUMBERS = ["1_000", "\u0661\u0660", "\u06f1\u06f0", "1e3", " 10", "10 ", "+10", ".5", "5.",
               "１０", "0x10", "10,5"]


def test_the_shared_rules() -> None:
    for char in UNSAFE:
        assert unsafe_text(f"Bakkerij{char}B.V."), repr(char)
    assert unsafe_text("a\ud800b")  # a lone surrogate cannot be printed or encoded
    for fine in ("Coöperatie De Ploeg U.A.", "Groen & \"Schoon\" <B.V.> 🌱", "Ĳsselmonde",
                 "שלום B.V.", "مخبز", "👩\u200d🔧 Techniek"):
        assert not unsafe_text(fine), fine
    assert not unsafe_text("regel 1\nregel 2\tmet tab", multiline=True)
    assert unsafe_text("regel 1\u202eregel 2", multiline=True)
    for number in BAD_NUMBERS:
        assert not is_decimal_text(number), number
    for number in ("10", "-1", "12.5", "0.001", "1000000"):
        assert is_decimal_text(number)


async def test_organisation_names_refuse_unsafe_characters(client, make_token,
                                                            session_maker) -> None:
    admin = await make_token("admin")
    for char in UNSAFE:
        body = organization("12345678", f"Bakkerij{char}Jansen B.V.")
        problem = assert_problem(await client.post("/api/v1/organizations", json=body,
                                                   headers=admin), 400)
        assert [p["name"] for p in problem["invalidParams"]] == ["name"], repr(char)
        assert "schrijfrichting" in problem["invalidParams"][0]["reason"]
    problem = assert_problem(await client.post(
        "/api/v1/organizations", json=organization("12345678", SPOOF), headers=admin), 400)
    assert await count_rows(session_maker, "organizations") == 0
    fine = await client.post("/api/v1/organizations",
                             json=organization("12345678", "Coöperatie De Ploeg U.A."),
                             headers=admin)
    assert fine.status_code == 201, fine.text


async def test_submission_reference_and_supplier_name_refuse_unsafe_characters(client) -> None:
    base = submission(1)
    base["purchases"] = [{"supplierName": "SW Noord", "supplierKvk": "12345678",
                          "supplierKind": "sw_company", "invoiceAmount": "100",
                          "supplierTurnover": "1000", "supplierFte": "10",
                          "supplierDirectPct": "50"}]
    assert (await client.post("/api/v1/score", json=base)).status_code == 200
    for char in ("\x00", "\u202e", "\u2066", "\x7f", "\u2028"):
        body = copy.deepcopy(base)
        body["employees"][0]["reference"] = f"mw{char}1"
        body["purchases"][0]["supplierName"] = f"SW{char}Noord"
        problem = assert_problem(await client.post("/api/v1/score", json=body), 400)
        assert {p["name"] for p in problem["invalidParams"]} == {
            "employees[0].reference", "purchases[0].supplierName"}, repr(char)


async def test_bidder_names_refuse_isolates_too(client) -> None:
    body = {"deadline": "2026-03-01",
            "policy": {"mode": "percentage", "values": {"trede1": "5"}},
            "bids": [{"bidder": f"Bouw{char}bedrijf", "kvk": f"1000000{i}", "price": "100"}
                     for i, char in enumerate(("\u2066", "\u2069", "\u200f", "\u202e"))]}
    problem = assert_problem(await client.post("/api/v1/tender-evaluations", json=body), 400)
    assert {p["name"] for p in problem["invalidParams"]} == {
        f"bids[{i}].bidder" for i in range(4)}


async def test_reasons_refuse_bidi_but_keep_line_breaks(client, make_token) -> None:
    number = await issue_certificate(client, make_token)
    auditor = await make_token("auditor")
    url = f"/api/v1/certificates/{number}"
    for path in ("revocation", "suspension"):
        problem = assert_problem(await client.post(f"{url}/{path}", headers=auditor,
                                                   json={"reason": "Fraude\u202e ydnarg"}), 400)
        assert [p["name"] for p in problem["invalidParams"]] == ["reason"]
    response = await client.post(f"{url}/revocation", headers=auditor,
                                 json={"reason": "Fraude vastgesteld.\nZie dossier 12."})
    assert response.status_code == 200, response.text


async def test_numbers_follow_the_documented_pattern(client) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    assert '"pattern": "^-?\\\\d+(\\\\.\\\\d+)?$"' in str(document).replace("'", '"') or \
        r"^-?\d+(\.\d+)?$" in str(document)
    for bad in BAD_NUMBERS:
        body = submission(1)
        body["totalFte"] = bad
        body["employees"][0]["hoursPerWeek"] = bad
        problem = assert_problem(await client.post("/api/v1/score", json=body), 400)
        assert {p["name"] for p in problem["invalidParams"]} == {
            "totalFte", "employees[0].hoursPerWeek"}, bad


async def test_money_fields_refuse_other_digits_too(client, make_token) -> None:
    for bad in ("1_000", "\u0661\u0660\u0660", "1e3"):
        body = {"deadline": "2026-03-01",
                "policy": {"mode": "amount", "values": {"trede1": bad}},
                "bids": [{"bidder": "Bouw", "kvk": "10000001", "price": bad}]}
        problem = assert_problem(await client.post("/api/v1/tender-evaluations", json=body), 400)
        assert {"bids[0].price", "policy.values.trede1"} <= {
            p["name"] for p in problem["invalidParams"]}, bad
    municipality = await make_token("municipality", municipality_code="GM0200")
    scheme = {"title": "Voucher", "municipalityCode": "GM0200", "voucherAmount": "1_500",
              "budget": "\u0664\u0665\u0660\u0660", "applicationOpensOn": "2026-01-01",
              "applicationClosesOn": "2026-12-31", "voucherValidityDays": 90,
              "maxFte": "2.5e2", "eligibleMunicipalityCodes": ["GM0200"]}
    problem = assert_problem(await client.post("/api/v1/voucher-schemes", json=scheme,
                                               headers=municipality), 400)
    assert {p["name"] for p in problem["invalidParams"]} == {"voucherAmount", "budget", "maxFte"}


async def test_null_full_time_week_means_the_default(client) -> None:
    body = submission(1, total_fte=10)
    body["employees"][0]["hoursPerWeek"] = 20
    omitted = (await client.post("/api/v1/score", json=body)).json()
    body["fullTimeHoursPerWeek"] = None
    with_null = await client.post("/api/v1/score", json=body)
    assert with_null.status_code == 200, with_null.text
    assert with_null.json()["employees"][0]["fte"] == omitted["employees"][0]["fte"] == 0.5
    assert with_null.json()["totalPct"] == omitted["totalPct"]

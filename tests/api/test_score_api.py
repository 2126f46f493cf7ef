"""POST /api/v1/score: the public calculator over HTTP (spec §2.5, §6.1).

Scoring is stateless, so one database backend is enough.
"""

from __future__ import annotations

import json

import pytest

from pso.api.score import EXAMPLE, INLINE_BODY_BYTES

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("backend", ["sqlite"])]

URL = "/api/v1/score"
ALL_GOOD = {"suitableWork": True, "integration": True, "development": True, "guidance": True}


def wajong(ref: str, hours="40") -> dict:
    return {"reference": ref, "startingPosition": "wajong", "contractType": "regular",
            "hoursPerWeek": hours, "employmentStart": "2020-01-01"}


def body(employees=(), total="10", **extra) -> dict:
    return {"period": {"start": "2024-01-01", "end": "2024-12-31"}, "totalFte": total,
            "employees": list(employees), "quality": dict(ALL_GOOD), "asOf": "2025-02-01",
            **extra}


def assert_problem(response, status: int = 400) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert {"type", "status", "title", "detail"} <= problem.keys()
    assert problem["status"] == status
    return problem


def names(problem: dict) -> set[str]:
    return {p["name"] for p in problem["invalidParams"]}


async def test_scores_the_documented_example(client) -> None:
    response = await client.post(URL, json=EXAMPLE)
    assert response.status_code == 200, response.text
    result = response.json()
    for key in ("rulebook", "indicative", "eligible", "ineligibleReasons", "sizeFte",
                "directFte", "directPct", "indirectFte", "indirectPct", "indirectPctCapped",
                "totalPct", "thresholds", "quantitativeRung", "qualityPassed",
                "failedQualityCriteria", "rung", "pso30Plus", "targetGroupRegisterPct",
                "nextRung", "employees", "purchases", "explanation"):
        assert key in result, key
    assert result["rulebook"] == "pso-2.1"
    assert [e["reference"] for e in result["employees"]] == ["MW-001", "MW-002"]


async def test_hand_computed_result(client) -> None:
    # T 10, one wajong 36 h: 0.9 FTE = 9.0 % = trede2 norm exactly; trede3 needs 0.73 FTE more
    response = await client.post(URL, json=body([wajong("A", "36")]))
    result = response.json()
    assert (result["directPct"], result["rung"]) == (9.0, "trede2")
    assert result["nextRung"] == {"rung": "trede3", "thresholdPct": 15.5, "additionalFte": 0.73}
    assert isinstance(result["explanation"], list) and "trede 3" in " ".join(result["explanation"])


async def test_public_and_nothing_stored(client, session_maker) -> None:
    from pso.db.models import Base
    from tests.conftest import count_rows

    # no Authorization header needed; two identical requests give identical answers
    first = await client.post(URL, json=body([wajong("A")]))
    second = await client.post(URL, json=body([wajong("A")]))
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["employees"][0]["reference"] == "A" and first.json()["rung"] != "none"
    assert "set-cookie" not in first.headers
    # Nothing stored: every table is as empty as before (the audit log included).
    for table in Base.metadata.sorted_tables:
        assert await count_rows(session_maker, table.name) == 0, table.name


async def test_every_violation_in_one_problem(client) -> None:
    bad = body([
        {**wajong("111222333", "81"), "startingPosition": "vso_pro",
         "employmentEnd": "2010-01-01"},
        {**wajong("B"), "contractType": "freelance"},
    ], total="0", fullTimeHoursPerWeek=50)
    bad["period"] = {"start": "2024-12-31", "end": "2024-01-01"}
    problem = assert_problem(await client.post(URL, json=bad))
    assert problem["type"] == "urn:pso:problem:invalid-input"
    assert {"period.end", "totalFte", "fullTimeHoursPerWeek", "employees[0].reference",
            "employees[0].hoursPerWeek", "employees[0].employmentEnd",
            "employees[0].schoolLeftOn", "employees[1].contractType"} <= names(problem)
    assert all(p["reason"] for p in problem["invalidParams"])


@pytest.mark.parametrize("what,payload,name", [
    ("target-group FTE above total", body([wajong("A"), wajong("B")], total="1.5"),
     "employees"),
    ("invoice above turnover", body(purchases=[{
        "supplierName": "X", "supplierKvk": "12345678", "supplierKind": "sw_company",
        "invoiceAmount": "2000", "supplierTurnover": "1000", "supplierFte": "5",
        "supplierDirectPct": "50"}]), "purchases[0].invoiceAmount"),
    ("period over 366 days", body(period={"start": "2023-01-01", "end": "2024-01-02"}),
     "period.end"),
    ("unknown rulebook", body(rulebook="pso-0.1"), "rulebook"),
    ("no rulebook in force", body(period={"start": "2017-01-01", "end": "2017-12-31"}),
     "period.end"),
    ("too many employees", body([wajong(f"E{i}", "0.01") for i in range(10_001)],
                                total="10000"), "employees"),
])
async def test_rule_violations(client, what, payload, name) -> None:
    problem = assert_problem(await client.post(URL, json=payload))
    assert name in names(problem), what


@pytest.mark.parametrize("raw", [
    b'{"totalFte": NaN}',
    b'{"totalFte": Infinity}',
    b'{"totalFte": 1e308}',
    b'{"totalFte": 1' + b"0" * 400 + b"}",
    b"[" * 50_000 + b"]" * 50_000,
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    json.dumps(body([{**wajong("A"), "reference": "x" * 1_000_000}])).encode(),
    b"not json",
    b"",
    b"[]",
    b'"text"',
    b"\xff\xfe\x00",
    json.dumps({"period": [], "totalFte": {}, "employees": "x", "quality": 1}).encode(),
], ids=["nan", "infinity", "1e308", "10**400", "deep-arrays", "deep-objects", "megabyte-string",
        "not-json", "empty", "array", "string", "bad-utf8", "wrong-types"])
async def test_hostile_bodies_get_a_400(client, raw: bytes) -> None:
    response = await client.post(URL, content=raw, headers={"content-type": "application/json"})
    problem = assert_problem(response)
    assert problem["invalidParams"]


async def test_body_over_the_size_limit_is_413(client) -> None:
    raw = b'{"x": "' + b"a" * (6 * 1024 * 1024) + b'"}'
    assert_problem(await client.post(URL, content=raw, headers={"content-type": "application/json"}), 413)


async def test_large_submission_is_scored_off_the_event_loop(client) -> None:
    payload = body([wajong(f"E{i}", "8") for i in range(1_500)], total="2000")
    assert len(json.dumps(payload)) > INLINE_BODY_BYTES
    response = await client.post(URL, json=payload)
    assert response.status_code == 200, response.text
    # 1500 × 8/40 = 300 FTE of 2000 = 15 %
    assert response.json()["directPct"] == 15.0
    bad = body([wajong(f"E{i}", "81") for i in range(1_500)], total="2000")
    assert len(names(assert_problem(await client.post(URL, json=bad)))) == 1_500


async def test_openapi_documents_body_and_responses(client) -> None:
    doc = (await client.get("/api/v1/openapi.json")).json()
    op = doc["paths"]["/score"]["post"]
    assert "security" not in op or op["security"] == []
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    assert {"period", "totalFte", "employees", "purchases", "quality"} <= set(schema["properties"])
    employee = schema["properties"]["employees"]["items"]
    assert "wajong" in employee["properties"]["startingPosition"]["enum"]
    assert op["description"] and "trede" in op["description"]
    ok = op["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/ScoreOut")
    out = doc["components"]["schemas"]["ScoreOut"]["properties"]
    assert {"pso30Plus", "nextRung", "explanation", "indirectPctCapped"} <= out.keys()
    assert "400" in op["responses"]

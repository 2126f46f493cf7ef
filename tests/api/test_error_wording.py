"""Error texts are Dutch sentences in one style (issue 15): a capital first, a full stop
last, numbers in Dutch notation, no English from the libraries that found the fault and no
Python names of parameters. Covers our own rules, pydantic bodies, Litestar's msgspec
parameters and bodies that cannot be read."""

from __future__ import annotations

import pytest

from tests.api.test_foundation import assert_problem
from tests.factories import organization, submission
from tests.wording import is_sentence, unstyled

pytestmark = pytest.mark.anyio


def reasons(body: dict) -> dict[str, str]:
    return {p["name"]: p["reason"] for p in body["invalidParams"]}


async def test_parameters_are_explained_in_dutch(client) -> None:
    body = assert_problem(await client.get("/api/v1/certificates", params={
        "rung": "trede9", "status": "fine", "page": "x", "pageSize": "0", "kvk": "12",
        "municipality": "GM1"}), 400)
    assert reasons(body) == {
        "rung": "Onbekende waarde; kies uit: aspirant, basistrede, trede1, trede2, trede3.",
        "status": "Onbekende waarde; kies uit: valid, expired, suspended, revoked, superseded, "
                  "not_yet_valid.",
        "page": "Moet een geheel getal zijn.",
        "pageSize": "Moet minstens 1 zijn.",
        "kvk": "Een KvK-nummer bestaat uit precies 8 cijfers.",
        "municipality": "Een gemeentecode is 'GM' gevolgd door 4 cijfers, zoals GM0200.",
    }
    assert body["detail"] == "6 velden ongeldig."
    # The name the caller used (`format`), not the handler's Python name (`fmt`).
    body = assert_problem(await client.get("/api/v1/certificates/export",
                                           params={"format": "xml"}), 400)
    assert reasons(body) == {"format": "Onbekende waarde; kies uit: csv, json."}
    body = assert_problem(await client.get("/api/v1/certificates",
                                           params={"pageSize": "100000"}), 400)
    assert reasons(body) == {"pageSize": "Mag hoogstens 200 zijn."}
    body = assert_problem(await client.get("/api/v1/certificates", params={"after": "zz"}), 400)
    assert unstyled(body) == []


async def test_a_day_that_does_not_exist_says_so(client) -> None:
    for day, reason in (("2026-02-31", "Deze datum bestaat niet."),
                        ("31-01-2026", "Geen geldige datum (JJJJ-MM-DD).")):
        body = assert_problem(await client.get("/api/v1/certificates/PSO-2026-000001",
                                               params={"on": day}), 400)
        assert reasons(body) == {"on": reason}, day


@pytest.mark.parametrize("url", ["/api/v1/score", "/api/v1/tender-evaluations",
                                 "/api/v1/sroi-calculations"])
async def test_unreadable_bodies_get_a_dutch_sentence(client, url) -> None:
    for raw in (b'{"a":', b"\x00{", b"{'a': 1}", b"[1, 2"):
        response = await client.post(url, content=raw,
                                     headers={"Content-Type": "application/json"})
        body = assert_problem(response, 400)
        assert unstyled(body) == [], (url, raw, body)
        text = " ".join(reasons(body).values())
        assert "JSON" in text and not any(word in text for word in (
            "Expecting", "malformed", "truncated", "invalid character")), text


async def test_our_own_rules_and_the_libraries_share_the_style(client, make_token) -> None:
    admin = await make_token("admin")
    municipality = await make_token("municipality", municipality_code="GM0200")
    auditor = await make_token("auditor")
    bad_submission = submission(1)
    bad_submission.update(totalFte="20000000", period={"start": "2024-12-31",
                                                       "end": "2024-01-01"},
                          rulebook="pso-9", fullTimeHoursPerWeek="1_0")
    bad_submission["employees"][0].update(hoursPerWeek=0, startingPosition="vso_pro",
                                          employmentEnd="1999-01-01", reference=None)
    answers = [
        await client.post("/api/v1/score", json=bad_submission),
        await client.post("/api/v1/score", json=[1]),
        await client.post("/api/v1/organizations", headers=admin, json={
            "kvk": "1", "name": "\u202eX", "municipalityCode": "GM", "kind": "bank", "x": 1}),
        await client.post("/api/v1/voucher-schemes", headers=municipality, json={
            "title": "Regeling", "municipalityCode": "GM0200", "voucherAmount": "1500.001",
            "budget": "-1", "applicationOpensOn": "2026-12-31",
            "applicationClosesOn": "2026-01-01", "voucherValidityDays": 0, "maxFte": "x",
            "eligibleMunicipalityCodes": ["GM0200"] * 600}),
        await client.post("/api/v1/voucher-schemes", headers=municipality, json={
            "title": "Regeling", "municipalityCode": "GM0200", "voucherAmount": "1500",
            "budget": "100", "applicationOpensOn": "2026-12-31",
            "applicationClosesOn": "2026-01-01", "voucherValidityDays": 90,
            "maxFte": "10", "eligibleMunicipalityCodes": []}),
        await client.post("/api/v1/assessments/1/decision", headers=auditor,
                          json={"outcome": "rejected"}),
        await client.post("/api/v1/tender-evaluations", json={
            "deadline": "2026-13-01", "policy": {"mode": "pct", "values": {"trede9": "x"}},
            "bids": [{"bidder": "", "kvk": "1", "price": "1.001",
                      "certificateNumber": "X"}] * 3}),
        await client.post("/api/v1/sroi-calculations", json={
            "contractValue": "-1", "ratePct": "101", "reductions": [], "kvk": 1}),
        await client.post("/api/v1/submissions/employees", files={
            "file": ("lijst.csv", b"referentie;uren per week\nmw-1;negentig\n")}),
        await client.post("/api/v1/organizations", headers=admin,
                          json=organization("12345678", "Bakkerij")),
    ]
    answers.append(await client.post("/api/v1/organizations", headers=admin,
                                     json=organization("12345678", "Bakkerij")))
    checked = 0
    for response in answers:
        if response.status_code < 400:
            continue
        body = response.json()
        texts = [body["detail"], *reasons(body).values()] if "invalidParams" in body \
            else [body["detail"]]
        for text in texts:
            assert is_sentence(text), (response.request.url, text)
            checked += 1
    assert checked >= 40  # the battery really produced errors

"""Settlement (SPEC §8.2, §8.3): at the contract end, or earlier with a reason, realised,
shortfall and penalty are frozen once; the PDF and CSV show the engine's figures."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date
from decimal import Decimal

import pikepdf
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from certificates.formatting import euro
from pso.db.models import AuditEvent
from sroi.engine import Placement, value_line
from sroi.model import packaged_model
from tests.api.test_foundation import assert_problem
from tests.api.test_social_return_lines import PLACEMENT, TERMS
from tests.api.test_social_return_terms import DECLARED, awarded_tender, headers  # noqa: F401
from tests.conftest import count_rows
from tests.wording import unstyled

pytestmark = pytest.mark.anyio
END = date(2028, 12, 31)
APPRENTICE = {"kind": "apprenticeship", "block": "bbl-1-2", "pseudonym": "L-3",
              "start": "2027-09-01", "end": "2027-12-31"}


async def contract_with(client, headers, make_token, terms=TERMS) -> str:  # noqa: F811
    tid = await awarded_tender(client, headers, DECLARED)
    put = await client.put(f"/api/v1/tenders/{tid}/social-return", json=terms,
                           headers=headers["buyer"])
    assert put.status_code == 200, put.text
    headers["contractor"] = await make_token("company", kvk=DECLARED["kvk"])
    return f"/api/v1/tenders/{tid}/social-return"


async def line(client, headers, url, body, decision=None) -> dict:  # noqa: F811
    made = await client.post(f"{url}/lines", json=body, headers=headers["contractor"])
    assert made.status_code == 201, made.text
    if decision:
        review = {"decision": decision, **({"reason": "Geen bewijs."}
                                           if decision == "rejected" else {})}
        done = await client.post(f"{url}/lines/{made.json()['id']}/review", json=review,
                                 headers=headers["buyer"])
        assert done.status_code == 200, done.text
    return made.json()


def engine_value(body: dict) -> Decimal:
    model = packaged_model("oost-nederland-v05")
    return value_line(model, Placement(body["block"], date.fromisoformat(body["start"]),
                                       date.fromisoformat(body["end"]),
                                       Decimal(body["hoursPerWeek"])),
                      (date(2027, 1, 1), END)).amount


async def test_settlement_at_the_end_is_frozen_once_with_the_engines_figures(
    client, headers, make_token, session_maker, fixed_today  # noqa: F811
) -> None:
    url = await contract_with(client, headers, make_token)
    await line(client, headers, url, PLACEMENT, "accepted")
    await line(client, headers, url, APPRENTICE, "rejected")
    waiting = await line(client, headers, url, {**PLACEMENT, "pseudonym": "K-18"})

    running = await client.post(f"{url}/settlement", json={}, headers=headers["buyer"])
    assert "31-12-2028" in assert_problem(running, 409, "contract-running")["detail"]
    fixed_today(END)
    assert_problem(await client.post(f"{url}/settlement", json={}, headers=headers["buyer"]),
                   409, "lines-waiting")
    assert await count_rows(session_maker, "social_return_settlements") == 0
    await client.post(f"{url}/lines/{waiting['id']}/review", headers=headers["buyer"],
                      json={"decision": "rejected", "reason": "Dubbel gemeld."})

    settled = await client.post(f"{url}/settlement", json={}, headers=headers["buyer"])
    assert settled.status_code == 201, settled.text
    body = settled.json()
    realised = engine_value(PLACEMENT)  # 30.000 × 24/36 × 90/365 = 4.931,51
    assert realised == Decimal("4931.51")
    # remaining 5 % × 250.000 = 12.500, 50 % PSO reduction: 6.250; factor 1
    assert (body["remainingObligation"], body["realised"], body["shortfall"],
            body["penalty"], body["early"], body["lines"]) == (
        "6250.00", "4931.51", "1318.49", "1318.49", False, 3)
    assert body["blocks"] == [{"block": "pw-kort", "label": "Participatiewet < 2 jaar",
                               "lines": 1, "people": 1, "value": "4931.51"}]
    again = await client.post(f"{url}/settlement", json={}, headers=headers["buyer"])
    assert_problem(again, 409, "contract-settled")
    assert await count_rows(session_maker, "social_return_settlements") == 1

    seen = await client.get(f"{url}/settlement", headers=headers["contractor"])
    assert seen.status_code == 200 and seen.json()["penalty"] == "1318.49"

    pdf = await client.get(f"{url}/settlement.pdf", headers=headers["buyer"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    text = " ".join(text.split())
    for figure in (Decimal("12500.00"), Decimal("6250.00"), Decimal("6250.00"), realised,
                   Decimal("6250.00") - realised):
        assert euro(figure) in text, (figure, text)
    assert "Eindverantwoording social return" in text and "Boete" in text
    assert "Participatiewet < 2 jaar" in text and "Dubbel gemeld." in text
    tagged = pikepdf.open(io.BytesIO(pdf.content))  # PDF/A-3b and PDF/UA-1 like the others
    with tagged.open_metadata() as xmp:
        assert (xmp["pdfaid:part"], xmp["pdfuaid:part"]) == ("3", "1")
        assert xmp["dc:title"] == "Eindverantwoording social return SR-2026-001"
    assert str(tagged.Root.Lang) == "nl" and "/StructTreeRoot" in tagged.Root

    got = await client.get(f"{url}/settlement.csv", headers=headers["contractor"])
    assert got.status_code == 200
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig")), delimiter=";"))
    assert [(r[0] != "", r[16], r[19]) for r in rows[1:]] == [
        (True, "geaccepteerd", "4931,51"), (True, "afgewezen", "6684,93"),
        (True, "afgewezen", "4931,51")]

    # Later changes to the terms cannot reopen the settled figures.
    assert_problem(await client.put(url, json=TERMS, headers=headers["buyer"]), 409,
                   "contract-settled")
    async with session_maker() as session:
        audit = list(await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "social_return.settled")))
    assert len(audit) == 1 and audit[0].summary["penalty"] == "1318.49"


async def test_early_settlement_needs_a_reason_and_a_buyout_is_a_percentage(
    client, headers, make_token, session_maker  # noqa: F811
) -> None:
    terms = {**TERMS, "settlement": {"rule": "buyout", "percentage": "80"}}
    url = await contract_with(client, headers, make_token, terms)
    for body in ({"early": True}, {"early": True, "reason": "  "}):
        problem = assert_problem(await client.post(f"{url}/settlement", json=body,
                                                   headers=headers["buyer"]), 400)
        assert [p["name"] for p in problem["invalidParams"]] == ["reason"]
        assert not unstyled(problem)
    assert_problem(await client.post(f"{url}/settlement", json={"early": "ja"},
                                     headers=headers["buyer"]), 400)
    assert await count_rows(session_maker, "social_return_settlements") == 0
    settled = await client.post(f"{url}/settlement", headers=headers["buyer"],
                                json={"early": True, "reason": "Opdracht eerder beëindigd."})
    assert settled.status_code == 201, settled.text
    body = settled.json()
    # nothing realised: shortfall 6.250, buyout 80 % = 5.000
    assert (body["early"], body["reason"], body["shortfall"], body["penalty"]) == (
        True, "Opdracht eerder beëindigd.", "6250.00", "5000.00")
    pdf = await client.get(f"{url}/settlement.pdf", headers=headers["buyer"])
    text = " ".join(" ".join(p.extract_text() for p in
                             PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "Afkoopsom € 5.000,00" in text and "Opdracht eerder beëindigd." in text


async def test_roles(client, headers, make_token, session_maker, fixed_today) -> None:  # noqa: F811
    url = await contract_with(client, headers, make_token)
    assert_problem(await client.get(f"{url}/settlement", headers=headers["buyer"]), 404)
    fixed_today(END)
    stranger = await make_token("company", kvk="10000001")
    assert_problem(await client.post(f"{url}/settlement", json={},
                                     headers=headers["contractor"]), 403)
    assert_problem(await client.post(f"{url}/settlement", json={},
                                     headers=headers["other_buyer"]), 404)
    assert await count_rows(session_maker, "social_return_settlements") == 0
    assert (await client.post(f"{url}/settlement", json={},
                              headers=headers["buyer"])).status_code == 201
    for who in (stranger, headers["other_buyer"]):
        for suffix in ("", ".pdf", ".csv"):
            assert_problem(await client.get(f"{url}/settlement{suffix}", headers=who), 404)


async def test_two_settlements_at_once_give_one(client, headers, make_token,  # noqa: F811
                                                session_maker) -> None:
    url = await contract_with(client, headers, make_token)
    body = {"early": True, "reason": "Opdracht eerder beëindigd."}
    answers = await asyncio.gather(*(client.post(f"{url}/settlement", json=body,
                                                 headers=headers["buyer"]) for _ in range(2)))
    assert sorted(a.status_code for a in answers) == [201, 409]
    assert await count_rows(session_maker, "social_return_settlements") == 1


async def test_no_line_is_reported_reviewed_or_imported_after_the_settlement(
    client, headers, make_token, session_maker, fixed_today  # noqa: F811
) -> None:
    """The settlement froze the figures: the lines behind them cannot change any more."""
    url = await contract_with(client, headers, make_token)
    accepted = await line(client, headers, url, PLACEMENT, "accepted")
    fixed_today(END)
    settled = await client.post(f"{url}/settlement", json={}, headers=headers["buyer"])
    assert settled.status_code == 201, settled.text
    before = await count_rows(session_maker, "social_return_lines")

    late = await client.post(f"{url}/lines", json={**PLACEMENT, "pseudonym": "K-19"},
                             headers=headers["contractor"])
    assert "afgerekend" in assert_problem(late, 409, "contract-settled")["detail"]
    csv_file = (b"Soort;Bouwblok;Pseudoniem;Begin;Einde;Uren per week\n"
                b"plaatsing;pw-kort;K-20;01-01-2027;31-03-2027;24\n")
    imported = await client.post(f"{url}/lines/import", headers=headers["contractor"],
                                 files={"file": ("regels.csv", csv_file)})
    assert_problem(imported, 409, "contract-settled")
    reviewed = await client.post(f"{url}/lines/{accepted['id']}/review",
                                 json={"decision": "rejected", "reason": "Te laat."},
                                 headers=headers["buyer"])
    assert_problem(reviewed, 409, "contract-settled")
    assert await count_rows(session_maker, "social_return_lines") == before
    items = (await client.get(f"{url}/lines", headers=headers["buyer"])).json()["items"]
    assert [i["status"] for i in items] == ["accepted"]

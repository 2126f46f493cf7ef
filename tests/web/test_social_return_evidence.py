"""Issue 28 items 2, 3 and 8 over HTTP: evidence on the pages (the contractor uploads on
/mijn/social-return, the buyer downloads on the review page), the contractor's settlement
downloads once settled, and the municipality's overview over its buyers' contracts."""

from __future__ import annotations

import re

import pytest

from pso.auth import SYSTEM
from pso.services import accounts
from tests.conftest import count_rows
from tests.web.test_accounts import csrf_of, make_account, sign_in
from tests.web.test_inkoop import post
from tests.web.test_mijn_social_return import contract, contractor, flat

pytestmark = pytest.mark.anyio
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ACTIVITY = {"kind": "activity", "block": "maatschappelijk", "description": "Gastles",
            "hours": "2"}


async def signed_in_again(client, email: str, page: str) -> str:
    client.cookies.clear()
    await sign_in(client, email)
    return csrf_of((await client.get(page)).text)


async def test_evidence_up_on_mijn_and_down_on_the_review_page(client, session_maker) -> None:
    tid = await contract(client, session_maker)
    csrf = await contractor(client, session_maker, "hr@schoon.example.nl", "20000002")
    assert (await post(client, f"/mijn/social-return/{tid}/regels",
                       {"csrf": csrf, **ACTIVITY})).status_code == 303
    page = (await client.get("/mijn/social-return")).text
    [line_id] = {int(x) for x in re.findall(r'id="regel-(\d+)"', page)}
    url = f"/mijn/social-return/{tid}/regels/{line_id}/bewijs"
    assert f'action="{url}"' in page and "Bewijsstuk bij regel" in page

    wrong = await post(client, url, {"csrf": csrf},
                       files={"file": ("uren.txt", b"MZ\x90\x00 not a document")})
    assert wrong.status_code == 400 and f'id="f-evidence-{line_id}-error"' in wrong.text
    assert "bestandstype" in flat(wrong.text)
    empty = await post(client, url, {"csrf": csrf})
    assert empty.status_code == 400 and "Kies een bestand." in flat(empty.text)
    stale = await post(client, url, {"csrf": "oud"}, files={"file": ("a.pdf", PDF)})
    assert stale.status_code == 303
    assert await count_rows(session_maker, "social_return_documents") == 0

    sent = await post(client, url, {"csrf": csrf},
                      files={"file": ("urenstaat.pdf", PDF, "application/pdf")})
    assert sent.status_code == 303, sent.text
    page = flat((await client.get(sent.headers["location"])).text)
    assert f"Bewijsstuk urenstaat.pdf toegevoegd aan regel {line_id}." in page
    own = await client.get(f"{url}/1")
    assert own.status_code == 200 and own.content == PDF
    assert own.headers["content-disposition"].startswith("attachment;")

    # The buyer sees the link on the review page and downloads the same bytes.
    await signed_in_again(client, "procurement@example.nl", "/inkoop")
    review = (await client.get(f"/inkoop/aanbestedingen/{tid}/social-return")).text
    link = f"/inkoop/aanbestedingen/{tid}/social-return/regels/{line_id}/bewijs/1"
    assert f'href="{link}"' in review and "urenstaat.pdf" in review
    got = await client.get(link)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["x-content-type-options"] == "nosniff"
    missing = await client.get(link.replace("/bewijs/1", "/bewijs/99"), follow_redirects=False)
    assert missing.status_code == 303

    # Another company reaches neither the file nor the form.
    client.cookies.clear()
    other = await contractor(client, session_maker, "iemand@anders.example.nl", "10000001")
    assert (await client.get(f"{url}/1", follow_redirects=False)).status_code == 303
    refused = await post(client, url, {"csrf": other}, files={"file": ("a.pdf", PDF)})
    assert refused.status_code == 303
    assert await count_rows(session_maker, "social_return_documents") == 1


async def test_the_contractor_downloads_the_settlement(client, session_maker) -> None:
    tid = await contract(client, session_maker)
    csrf = await contractor(client, session_maker, "hr@schoon.example.nl", "20000002")
    pdf = f"/mijn/social-return/{tid}/eindverantwoording.pdf"
    page = (await client.get("/mijn/social-return")).text
    assert pdf not in page and "Regel melden" in page
    assert (await client.get(pdf, follow_redirects=False)).status_code == 303  # not yet

    csrf = await signed_in_again(client, "procurement@example.nl", "/inkoop")
    settled = await post(client, f"/inkoop/aanbestedingen/{tid}/social-return/afrekenen", {
        "csrf": csrf, "settle.reason": "Opdracht vervallen.", "settle.confirm": "ja"})
    assert settled.status_code == 303, settled.text

    await signed_in_again(client, "hr@schoon.example.nl", "/mijn/social-return")
    page = (await client.get("/mijn/social-return")).text
    shown = flat(page)
    assert f'href="{pdf}"' in page and "Afgerekend" in shown
    assert "Tekort € 6.250,00 Boete € 6.250,00" in shown
    assert "Regel melden" not in page and "Bestand inlezen" not in page
    got = await client.get(pdf)
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    lines = await client.get(pdf.replace(".pdf", ".csv"))
    assert lines.status_code == 200 and lines.headers["content-type"].startswith("text/csv")
    client.cookies.clear()
    await contractor(client, session_maker, "iemand@anders.example.nl", "10000001")
    assert (await client.get(pdf, follow_redirects=False)).status_code == 303


async def test_the_municipality_sees_its_buyers_summed(client, session_maker) -> None:
    tid = await contract(client, session_maker)
    csrf = await contractor(client, session_maker, "hr@schoon.example.nl", "20000002")
    assert (await post(client, f"/mijn/social-return/{tid}/regels",
                       {"csrf": csrf, **ACTIVITY})).status_code == 303
    csrf = await signed_in_again(client, "procurement@example.nl", "/inkoop")
    accepted = await post(client, f"/inkoop/aanbestedingen/{tid}/social-return/regels/1",
                          {"csrf": csrf, "decision": "accepted"})
    assert accepted.status_code == 303

    await make_account(session_maker, "municipality", "ria@utrecht.nl", party="GM0344")
    await signed_in_again(client, "ria@utrecht.nl", "/gemeente")
    assert "Social return" in (await client.get("/gemeente")).text
    empty = flat((await client.get("/gemeente/social-return")).text)
    assert "nog geen contracten" in empty

    async with session_maker() as session, session.begin():
        party = await accounts.ensure_party(session, "buyer", "30280353")
        await accounts.set_municipality(session, SYSTEM, party, "GM0344")
    page = flat((await client.get("/gemeente/social-return")).text)
    assert "gemeente Utrecht" in page
    # one contract, 6.250 to realise, an activity of 2 hours at 100 accepted
    assert "1 0 € 6.250,00 € 200,00" in page
    assert "Schoonmaak stadhuis" not in page and "Gastles" not in page
    got = await client.get("/gemeente/social-return.csv")
    rows = [r.split(";") for r in got.content.decode("utf-8-sig").splitlines()]
    assert got.status_code == 200 and rows[1][2:] == ["maatschappelijk", "", "2,00", "200,00"]

    client.cookies.clear()
    await contractor(client, session_maker, "iemand@anders.example.nl", "10000001")
    assert (await client.get("/gemeente/social-return")).status_code == 403

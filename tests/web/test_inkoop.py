"""/inkoop over HTTP (no browser): tenders of the buying organisation, bids by form and by
CSV (errors per row, all or nothing), evaluation downloads, award and monitoring, SROI,
CSRF and who may see what."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from pso.clock import today
from pso.services import monitoring
from tests.api.procurement_support import number, tokens
from tests.conftest import count_rows
from tests.web.prg import answered
from tests.web.test_accounts import csrf_of, make_account, sign_in

pytestmark = pytest.mark.anyio


async def signed_in_buyer(client, session_maker, email: str = "procurement@example.nl",
                          party: str = "30280353") -> str:
    await make_account(session_maker, "procurement", email, party=party)
    landed = await sign_in(client, email)
    assert landed.status_code == 303 and landed.headers["location"] == "/inkoop"
    return csrf_of((await client.get("/inkoop")).text)


async def post(client, url: str, data: dict, **kw):
    return await answered(client, await client.post(url, data=data, follow_redirects=False,
                                                    **kw))


async def new_tender(client, csrf: str, **changes) -> str:
    data = {"csrf": csrf, "title": "Schoonmaak stadhuis", "reference": "INK-2026-9",
            "deadline": today().strftime("%d-%m-%Y"), "policy.mode": "percentage",
            "policy.values.trede1": "3", "policy.values.trede3": "7",
            "policy.penaltyFactor": "1,5", **changes}
    created = await post(client, "/inkoop/aanbestedingen", data)
    assert created.status_code == 303, created.text
    return created.headers["location"]


async def test_tender_bids_csv_award_and_monitoring(client, session_maker, make_token) -> None:
    headers = await tokens(make_token)
    alfa = await number(client, headers, "10000001", "trede1", name="Alfa Bouw B.V.")
    csrf = await signed_in_buyer(client, session_maker)
    url = await new_tender(client, csrf)
    page = await client.get(url)
    assert page.status_code == 200 and "Nog geen inschrijvingen" in page.text

    # One bid by form; a bad one shows its errors next to the fields.
    bad = await post(client, f"{url}/inschrijvingen", {"csrf": csrf, "bidder": "", "kvk": "12",
                                                       "price": "-5"})
    assert bad.status_code == 400 and 'id="f-kvk-error"' in bad.text
    added = await post(client, f"{url}/inschrijvingen", {
        "csrf": csrf, "bidder": "Alfa Bouw B.V.", "kvk": "10000001", "price": "100.000,00",
        "certificateNumber": alfa.lower()})
    assert added.status_code == 303, added.text

    # A CSV with errors: every row's error at once, nothing added.
    broken = (b"naam;kvk;prijs;certificaat;trede\n"
              b"Bravo;10000002;98.500;;\n"
              b"Charlie;123;veel;;\n"
              b"Delta;10000004;99.999,99;;trede 9\n"
              b"Bravo twee;10000002;1;;\n")
    refused = await post(client, f"{url}/import", {"csrf": csrf},
                         files={"bestand": ("bids.csv", broken, "text/csv")})
    assert refused.status_code == 400
    text = re.sub(r"\s+", " ", refused.text)
    for row in ("Regel 3, KvK-nummer", "Regel 3, prijs", "Regel 4, trede", "Regel 5, KvK-nummer"):
        assert row in text, row
    assert await count_rows(session_maker, "tender_bids") == 1
    # A row the service refuses (the bidder already bid): nothing of the file is added.
    duplicate = "naam;kvk;prijs\nBravo;10000002;98.500\nAlfa;10000001;1\n".encode("cp1252")
    refused = await post(client, f"{url}/import", {"csrf": csrf},
                         files={"bestand": ("bids.csv", duplicate, "text/csv")})
    assert refused.status_code == 409 and "Regel 3" in refused.text
    assert await count_rows(session_maker, "tender_bids") == 1
    good = ("Naam;KvK;Prijs;Certificaat;Trede\r\n"
            "Bravo Wegen;10000002;98.500;;\r\n"
            "Delta Schoon;10000004;99.999,99;;Trede 2\r\n").encode("utf-8-sig")
    imported = await post(client, f"{url}/import", {"csrf": csrf},
                          files={"bestand": ("bids.csv", good, "text/csv")})
    assert imported.status_code == 303, imported.text
    page = await client.get(url)
    assert "2 inschrijvingen uit het bestand toegevoegd" in page.text
    assert page.text.count("Bravo Wegen") >= 2 and "niet geverifieerd" in page.text

    pdf = await client.get(f"{url}/beoordeling.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "Alfa Bouw" in PdfReader(__import__("io").BytesIO(pdf.content)).pages[0].extract_text()
    csv = await client.get(f"{url}/beoordeling.csv")
    assert csv.status_code == 200 and "Bravo Wegen" in csv.content.decode("utf-8-sig")

    # The award: the winner by KvK; the monitoring page follows.
    awarded = await post(client, f"{url}/gunning", {
        "csrf": csrf, "bidder": "10000001", "contractStart": today().isoformat(),
        "contractEnd": "31-12-2030"})
    assert awarded.status_code == 303 and awarded.headers["location"].endswith("/bewaking")
    watch = await client.get(awarded.headers["location"])
    assert "Alfa Bouw B.V." in watch.text and alfa in watch.text
    assert "Geen meldingen" in watch.text
    revoked = await client.post(f"/api/v1/certificates/{alfa}/revocation",
                                json={"reason": "Fraude"}, headers=headers["auditor"])
    assert revoked.status_code == 200
    await monitoring.run_checks(session_maker, today())
    watch = await client.get(awarded.headers["location"])
    assert "Ingetrokken" in watch.text and "€ 4.500,00" in watch.text
    again = await post(client, f"{url}/gunning", {
        "csrf": csrf, "bidder": "10000002", "contractStart": today().isoformat(),
        "contractEnd": "31-12-2030"})
    assert again.status_code == 409 and "al gegund" in again.text
    assert await count_rows(session_maker, "tender_awards") == 1


async def test_tender_form_errors_and_csrf(client, session_maker) -> None:
    csrf = await signed_in_buyer(client, session_maker)
    bad = await post(client, "/inkoop/aanbestedingen", {
        "csrf": csrf, "title": "", "reference": "X", "deadline": "01-01-2020",
        "policy.mode": "percentage", "policy.values.trede1": "300"})
    assert bad.status_code == 400
    assert 'id="f-title-error"' in bad.text and 'id="f-deadline-error"' in bad.text
    forged = await post(client, "/inkoop/aanbestedingen", {"title": "X", "reference": "Y",
                                                          "deadline": today().isoformat()})
    assert forged.status_code == 303 and await count_rows(session_maker, "tenders") == 0


async def test_only_the_buying_organisation_sees_its_tenders(client, session_maker) -> None:
    csrf = await signed_in_buyer(client, session_maker)
    url = await new_tender(client, csrf)
    client.cookies.clear()
    await signed_in_buyer(client, session_maker, "ander@example.nl", "30280354")
    away = await client.get(url, follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/inkoop"
    assert (await client.get(f"{url}/beoordeling.csv", follow_redirects=False)).status_code == 303
    client.cookies.clear()
    await make_account(session_maker, "company", "bedrijf@example.nl")
    await sign_in(client, "bedrijf@example.nl")
    assert (await client.get("/inkoop")).status_code == 403
    client.cookies.clear()
    assert (await client.get("/inkoop", follow_redirects=False)).headers["location"].startswith(
        "/inloggen")


async def test_sroi_calculator(client, session_maker) -> None:
    csrf = await signed_in_buyer(client, session_maker)
    page = await client.get("/inkoop/sroi")
    assert page.status_code == 200
    done = await client.post("/inkoop/sroi", data={
        "csrf": csrf, "contractValue": "1.000.000", "ratePct": "5", "kvk": "10000001",
        "declaredRung": "trede2", "tenderDate": today().isoformat(),
        "contractEnd": "31-12-2028", "reductions.trede2": "100"})
    assert done.status_code == 200
    assert "€ 50.000,00" in done.text and "Resterende verplichting" in done.text
    bad = await client.post("/inkoop/sroi", data={"csrf": csrf, "contractValue": "x",
                                                  "kvk": "1"})
    assert bad.status_code == 400 and 'id="f-contractValue-error"' in bad.text


async def test_bids_from_excel_and_unreadable_files(client, session_maker) -> None:
    """An .xlsx is read like a CSV; garbage, an old .xls or a binary file is a form error on
    the tender page (400, the page itself), never a 500; nothing is added."""
    from io import BytesIO

    from openpyxl import Workbook

    csrf = await signed_in_buyer(client, session_maker)
    url = await new_tender(client, csrf)
    page = await client.get(url)
    assert "combinatie" in page.text and "12345678 PSO-2026-000001 | 87654321" in page.text
    assert "trede 3" in page.text and ".xlsx" in page.text
    for name, data in (("bids.xlsx", b"PK\x03\x04 broken zip"), ("bids.xls", b"\xd0\xcf\x11\xe0x"),
                       ("bids.csv", b"\x00\x01\x02\xff binary"), ("bids.pdf", b"%PDF-1.4\x00\x00")):
        refused = await post(client, f"{url}/import", {"csrf": csrf},
                             files={"bestand": (name, data, "application/octet-stream")})
        assert refused.status_code == 400, (name, refused.text[:300])
        assert "text/html" in refused.headers["content-type"]
        assert "Het bestand is niet ingelezen" in refused.text and "Inlezen" in refused.text
    assert await count_rows(session_maker, "tender_bids") == 0

    book = Workbook()
    book.active.append(["Naam", "KvK", "Prijs", "Certificaat", "Trede", "Combinatie"])
    book.active.append(["Bravo Wegen", "10000002", 98500, None, None, None])
    book.active.append(["Delta Schoon", 10000004, 99999.99, None, "Trede 2", None])
    buffer = BytesIO()
    book.save(buffer)
    imported = await post(client, f"{url}/import", {"csrf": csrf}, files={"bestand": (
        "bids.xlsx", buffer.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
    assert imported.status_code == 303, imported.text
    page = await client.get(url)
    assert "2 inschrijvingen uit het bestand toegevoegd" in page.text
    assert "Bravo Wegen" in page.text and "Delta Schoon" in page.text
    assert await count_rows(session_maker, "tender_bids") == 2

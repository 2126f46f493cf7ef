"""/mijn/social-return: lines from a CSV file on the contractor's page (issue 28 item 4), with
the errors per row and column like the employee list, and nothing stored on an error."""

from __future__ import annotations

import pytest

from tests.conftest import count_rows
from tests.web.test_mijn_social_return import contract, contractor, flat

pytestmark = pytest.mark.anyio


async def test_contractor_imports_lines_from_a_file(client, session_maker) -> None:
    tid = await contract(client, session_maker)
    csrf = await contractor(client, session_maker, "hr@schoon.example.nl", "20000002")
    page = flat((await client.get("/mijn/social-return")).text)
    assert "Regels uit een bestand" in page and "soort, bouwblok, pseudoniem" in page
    url = f"/mijn/social-return/{tid}/bestand"

    bad = b"Soort;Bouwblok;Pseudoniem;Begin;Einde;Uren per week\n" \
          b"plaatsing;banenafspraak;Piet;01-01-2027;31-03-2027;36\n"
    refused = await client.post(url, data={"csrf": csrf}, files={"file": ("r.csv", bad)})
    assert refused.status_code == 400
    shown = flat(refused.text)
    assert "Het bestand is niet ingelezen" in shown
    assert "Rij 2, kolom Pseudoniem: Een pseudoniem is een code" in shown
    assert await count_rows(session_maker, "social_return_lines") == 0

    good = b"Soort;Bouwblok;Pseudoniem;Begin;Einde;Uren per week\n" \
           b"plaatsing;banenafspraak;K-1;01-01-2027;31-03-2027;36\n"
    done = await client.post(url, data={"csrf": csrf}, files={"file": ("r.csv", good)},
                             follow_redirects=False)
    assert done.status_code == 303, done.text
    page = flat((await client.get(done.headers["location"])).text)
    assert "1 regel(s) ingelezen; de inkoper beoordeelt ze." in page
    # 35.000 × 90/365 = 8.630,136… → 8.630,14
    assert "K-1, 1 januari 2027 tot en met 31 maart 2027, 36 uur per week € 8.630,14" in page
    no_file = await client.post(url, data={"csrf": csrf})
    assert no_file.status_code == 400 and "Kies een CSV- of Excel-bestand." in no_file.text

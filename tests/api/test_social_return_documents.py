"""Evidence documents on social-return lines (issue 28 item 4): the application evidence's
rules (type from the bytes, 10 MB, a safe file name), the contract's access, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pso.db.models import AuditEvent
from tests.api.test_foundation import assert_problem
from tests.api.test_social_return_lines import PLACEMENT, contract  # noqa: F401
from tests.api.test_social_return_terms import DECLARED, awarded_tender, headers  # noqa: F401
from tests.conftest import count_rows

pytestmark = pytest.mark.anyio
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def test_contractor_attaches_buyer_downloads(client, headers, contract, make_token,  # noqa: F811
                                                   session_maker) -> None:
    line = (await client.post(contract, json=PLACEMENT, headers=headers["contractor"])).json()
    url = f"{contract}/{line['id']}/documents"
    # A right-to-left override (U+202E) would make the name read as something else.
    bidi = await client.post(url, headers=headers["contractor"], files={
        "file": ("arbeids\u202econtract.pdf", PDF, "application/pdf")})
    assert "schrijfrichting" in str(assert_problem(bidi, 400))
    sent = await client.post(url, headers=headers["contractor"], files={
        "file": ("C:\\stukken\\arbeidscontract.exe", PDF, "application/x-msdownload")})
    assert sent.status_code == 201, sent.text
    doc = sent.json()
    assert (doc["fileName"], doc["contentType"], doc["size"]) == (
        "arbeidscontract.pdf", "application/pdf", len(PDF))
    listed = await client.get(url, headers=headers["buyer"])
    assert [d["id"] for d in listed.json()] == [doc["id"]]
    got = await client.get(f"{url}/{doc['id']}", headers=headers["buyer"])
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"

    html = await client.post(url, headers=headers["contractor"],
                             files={"file": ("lijst.csv", b"<html><body>x</body></html>")})
    assert "Dit bestandstype wordt niet geaccepteerd" in str(assert_problem(html, 400))
    big = await client.post(url, headers=headers["contractor"],
                            files={"file": ("groot.pdf", PDF + b"0" * (10 * 1024 * 1024))})
    assert big.status_code == 413
    by_buyer = await client.post(url, headers=headers["buyer"], files={"file": ("a.pdf", PDF)})
    assert_problem(by_buyer, 409, "not-the-contractor")
    stranger = await make_token("company", kvk="30000003")
    assert_problem(await client.get(url, headers=stranger), 404)
    assert_problem(await client.get(f"{contract}/999/documents", headers=headers["buyer"]), 404)

    await client.post(f"{contract}/{line['id']}/review", json={"decision": "accepted"},
                      headers=headers["buyer"])
    late = await client.post(url, headers=headers["contractor"], files={"file": ("b.pdf", PDF)})
    assert_problem(late, 409, "line-reviewed")
    assert await count_rows(session_maker, "social_return_documents") == 1
    async with session_maker() as session:
        audited = list(await session.scalars(select(AuditEvent.summary).where(
            AuditEvent.action == "social_return.document_added")))
    assert [a["fileName"] for a in audited] == ["arbeidscontract.pdf"]

"""A purchase line's supplier marked PSO-certified from the register (issue 28 item 4): by its
KvK number or as a subsidiary frozen on a certificate, valid on the invoice date."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from pso.db.models import AuditEvent, CertificateSubsidiary
from tests.api.test_social_return_lines import TERMS
from tests.api.test_social_return_terms import DECLARED, awarded_tender, headers  # noqa: F401
from tests.jobs import data

pytestmark = pytest.mark.anyio


@pytest.fixture
async def contract(client, headers, make_token):  # noqa: F811
    tid = await awarded_tender(client, headers, DECLARED)
    put = await client.put(f"/api/v1/tenders/{tid}/social-return", headers=headers["buyer"],
                           json={**TERMS, "modelId": "utrecht-a"})
    assert put.status_code == 200, put.text
    headers["contractor"] = await make_token("company", kvk=DECLARED["kvk"])
    return f"/api/v1/tenders/{tid}/social-return/lines"


async def test_certified_supplier_by_kvk_and_frozen_subsidiary(
    client, headers, contract, session_maker  # noqa: F811
) -> None:
    async with session_maker() as session, session.begin():
        org = await data.organization(session, "40000004", people=0)
        cert = await data.certificate(session, org, "PSO-2026-000404", date(2027, 6, 30))
        cert.subsidiaries = [{"kvk": "40000005", "name": "Vestiging Noord"}]
        # as issued: the frozen list's rows are written with the certificate
        session.add(CertificateSubsidiary(kvk="40000005", certificate_id=cert.id))
        revoked = await data.organization(session, "40000006", people=0)
        await data.certificate(session, revoked, "PSO-2026-000406", date(2028, 6, 30),
                               revoked_on=date(2027, 2, 1))

    async def buy(kvk: str, invoice_date: str) -> dict:
        made = await client.post(contract, headers=headers["contractor"], json={
            "kind": "purchase", "block": "sociale-onderneming", "supplierName": "Werkbedrijf",
            "supplierKvk": kvk, "invoiceNumber": f"F-{kvk}-{invoice_date}",
            "invoiceDate": invoice_date, "amount": "1000"})
        assert made.status_code == 201, made.text
        return made.json()

    assert (await buy("40000004", "2027-03-01"))["supplierCertificate"] == "PSO-2026-000404"
    assert (await buy("40000005", "2027-03-01"))["supplierCertificate"] == "PSO-2026-000404"
    # After the certificate's last day, and for a certificate revoked before the invoice: none.
    assert (await buy("40000004", "2027-07-01"))["supplierCertificate"] is None
    assert (await buy("40000006", "2027-03-01"))["supplierCertificate"] is None
    assert (await buy("40000006", "2027-01-15"))["supplierCertificate"] == "PSO-2026-000406"
    listed = (await client.get(contract, headers=headers["buyer"])).json()["items"]
    assert [i["supplierCertificate"] for i in listed] == [
        "PSO-2026-000404", "PSO-2026-000404", None, None, "PSO-2026-000406"]
    async with session_maker() as session:
        details = list(await session.scalars(select(AuditEvent.summary).where(
            AuditEvent.action == "social_return.line_reported").order_by(AuditEvent.id)))
    assert details[0]["supplier_certificate"] == "PSO-2026-000404"

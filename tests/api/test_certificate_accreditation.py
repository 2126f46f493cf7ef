"""The certificate names its body's accreditation, as /beheer/instellingen promises."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.factories import organization, submission

pytestmark = pytest.mark.anyio

KVK = "12345678"


async def test_certificate_pdf_shows_the_bodys_accreditation(client, make_token) -> None:
    admin = await make_token("admin")
    made = await client.post("/api/v1/certifying-bodies", headers=admin, json={
        "code": "PSOCERT", "name": "PSO Certificering B.V.",
        "accreditation": "RvA C 456 (ISO/IEC 17065)"})
    assert made.status_code == 201, made.text
    assert (await client.post("/api/v1/organizations", json=organization(KVK, "Groen"),
                              headers=admin)).status_code == 201
    company = await make_token("company", kvk=KVK)
    reviewer = await make_token("auditor", body="PSOCERT", name="Rita")
    decider = await make_token("auditor", body="PSOCERT", name="Dirk")
    draft = await client.post(f"/api/v1/organizations/{KVK}/assessments", headers=company,
                              json={"submission": submission(7), "certifyingBody": "PSOCERT"})
    aid = draft.json()["id"]
    assert (await client.post(f"/api/v1/assessments/{aid}/submit",
                              headers=company)).status_code == 200
    for step in ("review", "review-completed"):
        assert (await client.post(f"/api/v1/assessments/{aid}/{step}",
                                  headers=reviewer)).status_code == 200
    decided = await client.post(f"/api/v1/assessments/{aid}/decision", headers=decider,
                                json={"outcome": "approved"})
    assert decided.status_code == 200, decided.text
    number = decided.json()["certificates"][0]["number"]
    pdf = await client.get(f"/api/v1/certificates/{number}/pdf")
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "PSO Certificering B.V." in text
    assert "Accreditatie RvA C 456 (ISO/IEC 17065)" in text

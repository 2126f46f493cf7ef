"""Pure fixtures for certificate tests (no database)."""

from __future__ import annotations

import io
from datetime import date

import pypdf
import pytest

from certificates.certificate import CertificateData


def make_data(**changes) -> CertificateData:
    values = {
        "number": "PSO-2026-000123",
        "kind": "ladder",
        "rung": "trede2",
        "organization_name": "Bakkerij De Zon B.V.",
        "kvk": "12345678",
        "valid_from": date(2026, 1, 15),
        "valid_until": date(2028, 1, 14),
        "rulebook": "pso-2.1",
        "issuer": "Certificerende Instelling Voorbeeld B.V.",
        "issued_on": date(2026, 1, 15),
        "public_url": "https://pso.example.nl",
    }
    values.update(changes)
    return CertificateData(**values)


def read_pdf(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def squash(text: str) -> str:
    """Text without any whitespace, so line wrapping in the PDF does not matter."""
    return "".join(text.split())


def link_uris(reader: pypdf.PdfReader) -> list[str]:
    uris = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action and action.get("/S") == "/URI":
                uris.append(str(action["/URI"]))
    return uris


@pytest.fixture
def anyio_backend():
    return "asyncio"

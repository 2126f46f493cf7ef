"""The four documents the service prints are tagged (PDF/UA-1) and stay PDF/A-3b: a structure
tree with headings and tables, alternative text for the QR code and the ladder graphic, the
title shown by viewers (DisplayDocTitle), language nl, and both identifications in the XMP
metadata. Read back with pikepdf, as a PDF reader or validator sees them."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pikepdf
import pytest

from certificates.certificate import render_certificate
from certificates.pdf import render_pdf
from pso.db.models import Assessment, Organization, Voucher, VoucherScheme
from pso.services import provisional_pdf, tender_exports, voucher_pdf
from pso.services.certification import evaluate
from tests.factories import submission
from tests.test_pdf_memory import evaluation

from .conftest import make_data

DAY = date(2026, 12, 5)


def _certificate() -> bytes:
    return render_certificate(make_data())


def _voucher() -> bytes:
    scheme = VoucherScheme(title="Voucher PSO-meting MKB", municipality_code="GM0200")
    voucher = Voucher(code="6SEFJFHD58W55RTX6TF4", amount=Decimal("1500.00"), status="issued",
                      issued_on=date(2026, 11, 25), expires_on=date(2027, 11, 24),
                      scheme=scheme, organization=Organization(name="Bakkerij De Zon B.V.",
                                                               kvk="12345678"))
    context = voucher_pdf.voucher_context(voucher, "https://pso.example.nl", DAY,
                                          "Gemeente Apeldoorn")
    return render_pdf(voucher_pdf.TEMPLATE, context)


def _provisional() -> bytes:
    data, score = evaluate(submission(2))
    assessment = Assessment(id=17, status="submitted", submission=data, score=score,
                            organization=Organization(name="Bakkerij De Zon B.V.",
                                                      kvk="12345678", subsidiaries=[]))
    context = provisional_pdf.provisional_context(assessment, DAY)
    return render_pdf(provisional_pdf.TEMPLATE, context)


def _tender() -> bytes:
    context = tender_exports.pdf_context(evaluation(), datetime(2026, 12, 5, 10, tzinfo=UTC))
    return render_pdf(tender_exports.TEMPLATE, context)


# document -> (render, title, alternative texts it must carry)
DOCUMENTS = {
    "certificate": (_certificate, "Certificaat PSO-2026-000123",
                    ["Prestatieladder: Trede 2",
                     "QR-code met de link https://pso.example.nl/register/PSO-2026-000123"]),
    "voucher": (_voucher, "Subsidievoucher 6SEF-JFHD-58W5-5RTX-6TF4",
                ["QR-code met de link https://pso.example.nl/vouchers/6SEF-JFHD-58W5-5RTX-6TF4"]),
    "provisional": (_provisional, "Voorlopige uitkomst aanvraag 17",
                    ["Prestatieladder: Trede 2"]),
    "tender": (_tender, None, []),
}


def _elements(node, found: list) -> list:
    """(structure type, /Alt or None) of every structure element below `node`."""
    if isinstance(node, pikepdf.Dictionary) and "/S" in node:
        found.append((str(node.S), str(node.Alt) if "/Alt" in node else None))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            _elements(kid, found)
    return found


@pytest.mark.parametrize("name", DOCUMENTS)
def test_tagged_and_pdfa(name: str) -> None:
    render, title, alts = DOCUMENTS[name]
    pdf = pikepdf.open(io.BytesIO(render()))
    root = pdf.Root
    assert str(root.Lang) == "nl"
    assert bool(root.MarkInfo.Marked) is True
    assert bool(root.ViewerPreferences.DisplayDocTitle) is True
    with pdf.open_metadata() as xmp:
        assert xmp["pdfaid:part"] == "3" and xmp["pdfaid:conformance"] == "B"
        assert xmp["pdfuaid:part"] == "1"
        shown = xmp["dc:title"]
    assert shown and shown == str(pdf.docinfo.Title)
    if title:
        assert shown == title
    elements = _elements(root.StructTreeRoot.K[0], [])
    kinds = {kind for kind, _ in elements}
    assert "/Document" in kinds and "/P" in kinds
    assert kinds & {"/H1", "/H2"}, kinds
    figures = [alt for kind, alt in elements if kind == "/Figure"]
    assert all(figures), f"a figure without alternative text in the {name}: {figures}"
    assert sorted(figures) == sorted(alts)
    # Every page's content is tied to the tree (the parent tree has an entry per page).
    assert all("/StructParents" in page.obj for page in pdf.pages)

"""The tender evaluation PDF keeps a bid's note with its row (issue 22 item 4): a note that
does not fit below its row at the foot of a page moves to the next page together with the
row, never alone. Checked on the text of each page (pypdf), for every position of a long
note across the first page break."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from pso.services import tender_exports

pytestmark = pytest.mark.anyio


def _bid(i: int, note: str) -> dict:
    return {"position": i, "submissionOrder": i, "bidder": f"Inschrijver {i:02d}",
            "kvk": f"{10_000_000 + i}", "price": "100000.00", "certificateNumber": None,
            "rung": "none", "pso30Plus": False, "verified": True, "appliedFrom": "none",
            "appliedValue": "0.00", "advantage": "0.00", "fictitiousPrice": "100000.00",
            "penaltyIfNotMaintained": "0.00", "notes": [note], "members": []}


def evaluation(long_at: int, bids: int = 24) -> dict:
    long_note = (f"Toelichting{long_at:02d} begint hier. "
                 + "Een lange toelichting die over vele regels doorloopt. " * 40
                 + f"Einde{long_at:02d}.")
    return {"tenderId": 1, "title": "Schoonmaak stadskantoor", "reference": "SK-1",
            "deadline": "2026-06-01", "provisional": False, "evaluatedBy": "Ina Inkoper",
            "evaluatedAt": "2026-06-02T10:00:00Z",
            "policy": {"mode": "percentage", "values": {"trede3": "7.00"},
                       "penaltyFactor": "1.5"},
            "ranking": [_bid(i, long_note if i == long_at else "Geen certificaatnummer opgegeven.")
                        for i in range(1, bids + 1)],
            "registerFacts": []}


async def test_a_long_note_stays_with_its_row_across_a_page_break() -> None:
    crossed = False
    for long_at in range(6, 16):
        pdf = await tender_exports.pdf_bytes(evaluation(long_at), datetime.now(UTC))
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
        row_page = next(n for n, text in enumerate(pages) if f"Inschrijver {long_at:02d}" in text)
        start = next(n for n, text in enumerate(pages) if f"Toelichting{long_at:02d}" in text)
        assert start == row_page, (long_at, row_page, start)
        end = next(n for n, text in enumerate(pages) if f"Einde{long_at:02d}" in text)
        crossed = crossed or row_page > 0
        assert end == row_page, (long_at, row_page, end)  # fits on one page: not split
    assert crossed  # some long note met the first page break

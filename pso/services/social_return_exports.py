"""The settled contract as a PDF *eindverantwoording* and a CSV of its lines (SPEC §8.2).

Both are made from the frozen settlement row only. The PDF context is plain data (it
pickles for a PDF worker, pso.files.pdf_pool); the CSV goes through the one CSV writer
(pso.files.csv_export: Dutch Excel, no cell runs as a formula)."""

from __future__ import annotations

from datetime import UTC, date
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from certificates.formatting import dutch_date, euro
from pso.auth import Actor
from pso.clock import AMSTERDAM
from pso.db.models import SocialReturnSettlement, SocialReturnTerms, Tender, TenderAward
from pso.files import pdf_pool
from pso.files.csv_export import csv_document
from pso.services.social_return import model_of
from pso.services.social_return_settlement import KIND_LABELS, STATUS_LABELS, find
from pso.services.tender_exports import comma
from scoring.notation import dutch_decimal

TEMPLATE = "social_return/settlement.html"
MAX_PDF_LINES = 500
CSV_HEADER = ["Regel", "Soort", "Bouwblok", "Code bouwblok", "Pseudoniem", "Begin", "Einde",
              "Uren per week", "Bonussen", "Uren", "Omschrijving", "Leverancier",
              "KvK leverancier", "Factuurnummer", "Factuurdatum", "Bedrag excl. btw",
              "Status", "Reden afwijzing", "Getelde dagen", "Waarde"]


def _day(iso: str | None) -> str:
    return dutch_date(date.fromisoformat(iso)) if iso else ""


def rule_text(rule: dict[str, str]) -> tuple[str, str]:
    """(label of the amount due, the sentence explaining it)."""
    if rule["rule"] == "buyout":
        pct = dutch_decimal(Decimal(rule["percentage"]), 2)
        return "Afkoopsom", f"Afkoopsom: {pct} % van het tekort."
    factor = dutch_decimal(Decimal(rule.get("factor") or 1), 2)
    return "Boete", f"Boete: het tekort maal {factor}."


def _what(line: dict[str, Any]) -> str:
    if line["kind"] == "purchase":
        return f"{line['supplierName']}, factuur {line['invoiceNumber']}, {euro(line['amount'])}"
    if line["kind"] == "activity":
        return f"{line['description']}, {dutch_decimal(Decimal(line['hours']), 2)} uur"
    hours = (f", {dutch_decimal(Decimal(line['hoursPerWeek']), 2)} uur per week"
             if line["hoursPerWeek"] else "")
    return f"{line['pseudonym']}{hours}"


def _when(line: dict[str, Any]) -> str:
    if line["kind"] == "purchase":
        return _day(line["invoiceDate"])
    if line["start"]:
        return f"{_day(line['start'])} t/m {_day(line['end'])}"
    return ""


def pdf_context(row: SocialReturnSettlement, tender: Tender, award: TenderAward,
                terms: SocialReturnTerms) -> dict[str, Any]:
    settled = row.settled_on.astimezone(AMSTERDAM)
    penalty_label, sentence = rule_text(row.rule)
    shown = row.lines[:MAX_PDF_LINES]
    return {
        "title": f"Eindverantwoording social return {tender.reference}",
        "created": row.settled_on.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "author": "PSO-dienst",
        "settled_on": dutch_date(settled.date()), "settled_by": row.settled_by,
        "tender_title": tender.title, "reference": tender.reference,
        "contractor": award.bidder, "kvk": award.kvk,
        "period_start": dutch_date(terms.period_start), "period_end": dutch_date(terms.period_end),
        "model_name": model_of(terms).name, "early": row.early, "reason": row.reason,
        "figures": [("Verplichting", euro(row.obligation)), ("PSO-korting", euro(row.reduction)),
                    ("Te realiseren", euro(row.remaining)),
                    ("Gerealiseerd (geaccepteerd)", euro(row.realised)),
                    ("Tekort", euro(row.shortfall))],
        "penalty_label": penalty_label, "penalty": euro(row.penalty), "rule_text": sentence,
        "blocks": [{**b, "value": euro(b["value"])} for b in row.blocks],
        "lines": [{"id": ln["id"], "kind": KIND_LABELS[ln["kind"]], "label": ln["label"],
                   "what": _what(ln), "when": _when(ln), "status": STATUS_LABELS[ln["status"]],
                   "reason": ln["reason"], "value": euro(ln["value"])} for ln in shown],
        "more": len(row.lines) - len(shown),
    }


async def pdf_bytes(row: SocialReturnSettlement, tender: Tender, award: TenderAward,
                    terms: SocialReturnTerms) -> bytes:
    return await pdf_pool.render(TEMPLATE, pdf_context(row, tender, award, terms))


def csv_bytes(row: SocialReturnSettlement) -> bytes:
    def num(v: Any) -> str:
        return comma(v) if v else ""

    return csv_document(CSV_HEADER, ([
        ln["id"], KIND_LABELS[ln["kind"]], ln["label"], ln["block"], ln["pseudonym"],
        ln["start"], ln["end"], num(ln["hoursPerWeek"]), " ".join(ln["bonuses"]),
        num(ln["hours"]), ln["description"], ln["supplierName"], ln["supplierKvk"],
        ln["invoiceNumber"], ln["invoiceDate"], num(ln["amount"]), STATUS_LABELS[ln["status"]],
        ln["reason"], ln["countedDays"], comma(ln["value"])] for ln in row.lines))


def file_name(tender: Tender, extension: str) -> str:
    return f"eindverantwoording-social-return-{tender.id}.{extension}"


async def settlement_file(session: AsyncSession, actor: Actor, tender_id: int,
                          fmt: Literal["pdf", "csv"]) -> tuple[bytes, str, str]:
    """(body, media type, file name) of the eindverantwoording (PDF) or its lines (CSV), for
    the buyer or the contractor: the API's downloads and both portals' links."""
    contract, row = await find(session, actor, tender_id)
    if fmt == "pdf":
        body = await pdf_bytes(row, contract.tender, contract.award, contract.terms)
        return body, "application/pdf", file_name(contract.tender, fmt)
    return csv_bytes(row), "text/csv", file_name(contract.tender, fmt)

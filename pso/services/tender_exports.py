"""CSV and PDF exports of a tender evaluation (the JSON shape of pso.services.tenders).

CSV for Dutch Excel: UTF-8 with BOM (else Excel guesses the encoding), semicolons, decimal
comma without thousands dots (so every spreadsheet reads the cell as a number), one row
per bid in ranking order.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from certificates.formatting import RUNG_LABELS, dutch_date
from pso import clock
from pso.clock import AMSTERDAM
from pso.errors import Conflict
from pso.files import pdf_pool
from pso.files.csv_export import csv_document
from scoring.notation import dutch_decimal

# A PDF page holds about 15 bids and WeasyPrint needs ~15 ms per bid, holding the one PDF
# engine (certificates wait for it). Larger tenders get the CSV.
MAX_PDF_BIDS = 500
TEMPLATE = "procurement/evaluation.html"
STYLESHEETS = ["base.css", "procurement.css"]
POLICY_LABELS = {"aspirant": "Aspirant", "basistrede": "Basistrede", "trede1": "Trede 1",
                 "trede2": "Trede 2", "trede3": "Trede 3", "pso30plus": "PSO 30+"}
STATUS_LABELS = {"valid": "geldig", "expired": "verlopen", "suspended": "geschorst",
                 "revoked": "ingetrokken", "superseded": "vervangen",
                 "not_yet_valid": "nog niet geldig"}
COLUMNS = ["Positie", "Inschrijver", "KvK-nummer", "Inschrijfprijs", "Trede", "PSO 30+",
           "Geverifieerd", "Certificaat", "Voordeel", "Fictieve prijs",
           "Boete bij niet handhaven", "Volgorde van inschrijving", "Toelichting"]


def comma(value: str) -> str:
    """"1234.50" -> "1234,50": the decimal comma Dutch Excel expects, no thousands dots."""
    return value.replace(".", ",")


def yes_no(value: bool) -> str:
    return "ja" if value else "nee"


def certificate_text(row: dict[str, Any]) -> str:
    if row["members"]:
        return ", ".join(f"{m['kvk']}: {m['certificateNumber'] or '-'}" for m in row["members"])
    return row["certificateNumber"] or ""


def verified_text(row: dict[str, Any]) -> str:
    """Without a rung there is nothing to verify: blank, not "ja" (CSV and PDF)."""
    if row["rung"] == "none":
        return ""
    return "ja" if row["verified"] else "nee, opgegeven"


def csv_bytes(evaluation: dict[str, Any]) -> bytes:
    return csv_document(COLUMNS, ([
            row["position"], row["bidder"], row["kvk"], comma(row["price"]),
            RUNG_LABELS[row["rung"]], yes_no(row["pso30Plus"]),
            "" if row["rung"] == "none" else yes_no(row["verified"]),
            certificate_text(row), comma(row["advantage"]), comma(row["fictitiousPrice"]),
            comma(row["penaltyIfNotMaintained"]), row["submissionOrder"],
            " ".join(row["notes"]),
        ] for row in evaluation["ranking"]))


def filename(evaluation: dict[str, Any], extension: str) -> str:
    """ASCII-only, so the Content-Disposition header needs no encoding."""
    state = "voorlopig" if evaluation["provisional"] else "definitief"
    return f"beoordeling-aanbesteding-{evaluation['tenderId']}-{state}.{extension}"


def _value(mode: str, value: str) -> str:
    return (f"{dutch_decimal(Decimal(value))} %" if mode == "percentage"
            else f"€ {dutch_decimal(Decimal(value))}")


def pdf_context(evaluation: dict[str, Any], printed: datetime) -> dict[str, Any]:
    """Plain data only (no functions, no ORM objects): the context pickles, so the PDF can
    be rendered in a worker process (pso.files.pdf_pool). Texts the template needs per value
    are looked up in dicts computed here."""
    policy = evaluation["policy"]
    facts = evaluation.get("registerFacts") or []
    evaluated = evaluation.get("evaluatedAt")
    evaluated_at = datetime.fromisoformat(evaluated).astimezone(AMSTERDAM) if evaluated else None
    return {
        "title": f"Beoordeling aanbesteding {evaluation['reference']}",
        # W3C date-time for the PDF/A metadata; a decided evaluation always gets the same.
        "created": (evaluated_at or printed).astimezone(UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"),
        "author": "PSO-dienst",
        "e": evaluation,
        "deadline": date.fromisoformat(evaluation["deadline"]),
        "evaluated_at": evaluated_at,
        "printed": printed.astimezone(AMSTERDAM),
        "mode_label": "percentage van de inschrijfprijs" if policy["mode"] == "percentage"
        else "vast bedrag",
        "policy_rows": [(POLICY_LABELS[k], _value(policy["mode"], v))
                        for k, v in policy["values"].items()],
        "penalty_factor": dutch_decimal(Decimal(policy["penaltyFactor"]), 2),
        "rung_labels": RUNG_LABELS,
        "policy_labels": {**POLICY_LABELS, "none": "Geen"},
        "status_labels": STATUS_LABELS,
        "verified_texts": [verified_text(r) or "–" for r in evaluation["ranking"]],
        # appliedValue -> "5,00 %" or "€ 1.000,00"
        "value_texts": {r["appliedValue"]: _value(policy["mode"], r["appliedValue"])
                        for r in evaluation["ranking"] if r["appliedFrom"] != "none"},
        # ISO date of a register fact -> "31 december 2026"
        "fact_dates": {iso: dutch_date(date.fromisoformat(iso))
                       for f in facts for iso in (f["validFrom"], f["validUntil"])},
    }


async def pdf_bytes(evaluation: dict[str, Any], printed: datetime) -> bytes:
    if len(evaluation["ranking"]) > MAX_PDF_BIDS:
        raise Conflict("report-too-large", f"Het PDF-rapport is er voor aanbestedingen tot "
                       f"{MAX_PDF_BIDS} inschrijvingen; gebruik de CSV-export (?format=csv).")
    # Within the PDF time limit (503 `pdf-unavailable` beyond it), in a worker process
    # when PSO_PDF_WORKERS > 0.
    return await pdf_pool.render(TEMPLATE, pdf_context(evaluation, printed),
                                 stylesheets=STYLESHEETS)


async def export_file(evaluation: dict[str, Any], fmt: str) -> tuple[bytes, str, str]:
    """The evaluation as a "csv" or "pdf" download: its bytes, media type and file name."""
    if fmt == "csv":
        return csv_bytes(evaluation), "text/csv", filename(evaluation, "csv")
    return (await pdf_bytes(evaluation, clock.utcnow()), "application/pdf",
            filename(evaluation, "pdf"))

"""Bids from a CSV or Excel (.xlsx) file (the buyer's spreadsheet) for a stored tender: in a
CSV `;` (or `,`) between fields; decimal commas, a header row naming the columns in Dutch or as the API does. Every
row is checked by the API's own model (`BidCreateIn`), and every error is reported with
its row (the header is row 1), so the buyer can fix the file in one go.

Columns: naam (bidder), kvk, prijs (price), certificaat (certificateNumber), trede
(declaredRung) and combinatie (consortium: members separated by `|`, each "KvK
certificaatnummer").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pso.errors import InvalidInput
from pso.files.upload import (
    Deadline,
    UploadInvalid,
    csv_rows,
    decode_text,
    off_loop,
    text_of,
    xlsx_rows,
)
from pso.schemas.base import parse
from pso.schemas.procurement import BidCreateIn
from pso.text.dutch_input import number_text
from scoring.text import dutch_number

MAX_BYTES = 2_000_000
MAX_ROWS = 2_000
HEADERS = {
    "bidder": ("naam", "inschrijver", "bidder", "naam inschrijver"),
    "kvk": ("kvk", "kvk-nummer", "kvknummer", "kvk nummer"),
    "price": ("prijs", "inschrijfprijs", "price", "bedrag"),
    "certificateNumber": ("certificaat", "certificaatnummer", "certificatenumber",
                          "certificate number"),
    "declaredRung": ("trede", "opgegeven trede", "declaredrung", "declared rung"),
    "consortium": ("combinatie", "consortium", "leden"),
}
LABELS = {"bidder": "naam", "kvk": "KvK-nummer", "price": "prijs",
          "certificateNumber": "certificaat", "declaredRung": "trede",
          "consortium": "combinatie"}
RUNG_WORDS = {"aspirant": "aspirant", "basistrede": "basistrede", "trede 1": "trede1",
              "trede 2": "trede2", "trede 3": "trede3"}


@dataclass
class ImportResult:
    bids: list[tuple[int, BidCreateIn]] = field(default_factory=list)  # (row, bid)
    errors: list[str] = field(default_factory=list)  # "Regel 3, prijs: ..."


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    found: dict[str, int] = {}
    unknown: list[str] = []
    for index, name in enumerate(header):
        key = name.strip().lower()
        for field_name, names in HEADERS.items():
            if key in names:
                found.setdefault(field_name, index)
                break
        else:
            if key:
                unknown.append(name.strip())
    return found, unknown


def _body(row: list[Any], columns: dict[str, int]) -> dict[str, Any]:
    def cell(name: str) -> str:
        index = columns.get(name)
        return text_of(row[index]) if index is not None and index < len(row) else ""

    body: dict[str, Any] = {"bidder": cell("bidder"), "kvk": cell("kvk"),
                            "price": number_text(cell("price"), money=True)}
    if cell("certificateNumber"):
        body["certificateNumber"] = cell("certificateNumber").upper()
    if rung := cell("declaredRung"):
        body["declaredRung"] = RUNG_WORDS.get(rung.lower(), rung.lower())
    if members := cell("consortium"):
        body["consortium"] = []
        for part in members.split("|"):
            words = part.replace(",", " ").split()
            if words:
                member = {"kvk": words[0]}
                if len(words) > 1:
                    member["certificateNumber"] = words[1].upper()
                body["consortium"].append(member)
    return body


async def read_bids_async(raw: bytes) -> ImportResult:
    """`read_bids` in a worker thread within the upload time limit (pso.files.upload.off_loop)."""
    try:
        return await off_loop(read_bids, raw)
    except UploadInvalid as exc:
        return ImportResult(errors=[e.reason for e in exc.errors])


TOO_LONG = f"Hoogstens {dutch_number(MAX_ROWS)} inschrijvingen per bestand."


def _rows(raw: bytes, deadline: Deadline) -> list[list[Any]]:
    """The file's rows; UploadInvalid for a file that is no CSV or .xlsx."""
    limit = MAX_ROWS + 1  # and the header
    if raw.startswith(b"PK\x03\x04"):
        return xlsx_rows(raw, deadline, limit, TOO_LONG)
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise UploadInvalid.of("Dit is het oude Excel-formaat (.xls); sla het op als .xlsx of "
                               "als CSV.")
    if b"\x00" in raw:
        raise UploadInvalid.of("Dit is geen CSV- of Excel-bestand; kies een .csv of .xlsx.")
    text = decode_text(raw)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return csv_rows(text, delimiter, deadline, limit, TOO_LONG)


def read_bids(raw: bytes, deadline: Deadline | None = None) -> ImportResult:
    result = ImportResult()
    if len(raw) > MAX_BYTES:
        result.errors.append("Het bestand is te groot (hoogstens 2 MB).")
        return result
    if not raw.strip():
        result.errors.append("Het bestand is leeg.")
        return result
    try:
        rows = [[text_of(c) for c in r] for r in _rows(raw, deadline or Deadline())]
    except UploadInvalid as exc:
        result.errors.extend(e.reason for e in exc.errors)
        return result
    while rows and not any(rows[0]):
        rows = rows[1:]
    if not rows:
        result.errors.append("Het bestand is leeg.")
        return result
    columns, unknown = _columns(rows[0])
    missing = [LABELS[n] for n in ("bidder", "kvk", "price") if n not in columns]
    if missing:
        result.errors.append(
            "Regel 1: de kolomkoppen " + ", ".join(missing) + " ontbreken; gebruik bijvoorbeeld "
            "de kolommen naam, kvk, prijs, certificaat, trede en combinatie.")
        return result
    if unknown:
        result.errors.append("Regel 1: Onbekende kolommen: " + ", ".join(unknown) + ".")
    data_rows = [(n, r) for n, r in enumerate(rows[1:], start=2) if any(r)]
    if not data_rows:
        result.errors.append("Het bestand bevat geen inschrijvingen.")
    if len(data_rows) > MAX_ROWS:
        result.errors.append(TOO_LONG)
        return result
    seen: dict[str, int] = {}
    for number, row in data_rows:
        try:
            bid: BidCreateIn = parse(BidCreateIn, _body(row, columns))
        except InvalidInput as exc:
            for p in exc.invalid_params or []:
                name = p["name"].split(".")[0].split("[")[0]
                result.errors.append(f"Regel {number}, {LABELS.get(name, name)}: {p['reason']}")
            continue
        if bid.kvk in seen:
            result.errors.append(f"Regel {number}, KvK-nummer: {bid.kvk} staat ook op regel "
                                 f"{seen[bid.kvk]}; één inschrijving per inschrijver.")
            continue
        seen[bid.kvk] = number
        result.bids.append((number, bid))
    return result

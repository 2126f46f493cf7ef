"""Bids from a CSV file (the buyer's spreadsheet) for a stored tender: `;` (or `,`) between
fields, decimal commas, a header row naming the columns in Dutch or as the API does. Every
row is checked by the API's own model (`BidCreateIn`), and every error is reported with
its row (the header is row 1), so the buyer can fix the file in one go.

Columns: naam (bidder), kvk, prijs (price), certificaat (certificateNumber), trede
(declaredRung) and combinatie (consortium: members separated by `|`, each "KvK
certificaatnummer").
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from pso.api.base import parse
from pso.api.procurement_models import BidCreateIn
from pso.dutch_input import number_text
from pso.errors import InvalidInput

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


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


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


def _body(row: list[str], columns: dict[str, int]) -> dict[str, Any]:
    def cell(name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

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


def read_bids(raw: bytes) -> ImportResult:
    result = ImportResult()
    if len(raw) > MAX_BYTES:
        result.errors.append("Het bestand is te groot (hoogstens 2 MB).")
        return result
    text = _decode(raw)
    if not text.strip():
        result.errors.append("Het bestand is leeg.")
        return result
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    columns, unknown = _columns(rows[0])
    missing = [LABELS[n] for n in ("bidder", "kvk", "price") if n not in columns]
    if missing:
        result.errors.append(
            "Regel 1: de kolomkoppen " + ", ".join(missing) + " ontbreken. Gebruik bijvoorbeeld "
            "naam;kvk;prijs;certificaat;trede;combinatie.")
        return result
    if unknown:
        result.errors.append("Regel 1: Onbekende kolommen: " + ", ".join(unknown) + ".")
    data_rows = [(n, r) for n, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]
    if not data_rows:
        result.errors.append("Het bestand bevat geen inschrijvingen.")
    if len(data_rows) > MAX_ROWS:
        result.errors.append(f"Hoogstens {MAX_ROWS} inschrijvingen per bestand.")
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

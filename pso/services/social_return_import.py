"""Realisation lines from a CSV or Excel (.xlsx) file (SPEC §8.2, issue 28 item 4).

A thin column mapping over the employee upload's reading (`pso.files.upload`'s public readers:
`csv_rows`/`xlsx_rows` with their row, line and zip-bomb limits, run off the event loop by
`off_loop` within its deadline; `RowError`/`UploadInvalid`, so the errors read the same:
spreadsheet row, column as the user wrote it). Each row then goes through the same checks as a line reported
by the API (`LineIn`, then `social_return_lines.report`): all rows or none are stored.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pso.auth import Actor
from pso.db.models import SocialReturnLine
from pso.errors import Conflict, InvalidInput
from pso.files.upload import (
    MAX_REPORTED,
    MAX_UPLOAD_BYTES,
    Deadline,
    RowError,
    UploadInvalid,
    csv_rows,
    decode_text,
    off_loop,
    text_of,
    xlsx_rows,
)
from pso.schemas.base import parse
from pso.schemas.social_return import LineIn
from pso.services import social_return_lines as lines
from pso.text.dutch_input import date_text, number_text
from scoring.text import dutch_number

# API field -> (the Dutch header shown to users, other accepted headers)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "kind": ("soort", ("soort regel", "kind")),
    "block": ("bouwblok", ("blok", "block")),
    "pseudonym": ("pseudoniem", ("referentie", "pseudonym")),
    "start": ("begin", ("begindatum", "van", "start")),
    "end": ("einde", ("einddatum", "tot en met", "end")),
    "hoursPerWeek": ("uren per week", ("hoursperweek",)),
    "bonuses": ("bonussen", ("bonus", "bonuses")),
    "hours": ("uren", ("hours",)),
    "description": ("omschrijving", ("description",)),
    "supplierName": ("leverancier", ("suppliername",)),
    "supplierKvk": ("kvk leverancier", ("kvk", "supplierkvk")),
    "invoiceNumber": ("factuurnummer", ("invoicenumber",)),
    "invoiceDate": ("factuurdatum", ("invoicedate",)),
    "amount": ("bedrag", ("factuurbedrag", "amount")),
}
DATES = ("start", "end", "invoiceDate")
NUMBERS = {"hoursPerWeek": False, "hours": False, "amount": True}
MAX_LINES = 5_000  # per file; a contract reports a quarter at a time
MAX_ROWS = MAX_LINES + 1_000  # with the header and empty rows
TOO_LONG = (f"Het bestand heeft meer dan {dutch_number(MAX_ROWS)} rijen; er passen hoogstens "
            f"{dutch_number(MAX_LINES)} regels in één bestand.")
KINDS = {"plaatsing": "placement", "leerwerktraject": "apprenticeship",
         "leerwerkplek": "apprenticeship", "werkervaringsplek": "work_experience",
         "werkervaringsplaats": "work_experience", "inkoop": "purchase",
         "activiteit": "activity"}


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.strip().lower())


HEADERS = {_key(h): f for f, (main, more) in COLUMNS.items() for h in (main, *more)}


def read_lines(data: bytes,
               deadline: Deadline | None = None) -> list[tuple[int, dict[str, Any], dict[str, str]]]:
    """(spreadsheet row, API body, field -> column header) per filled row; UploadInvalid for
    a file that cannot be read or has no "soort" column. Run it with `off_loop`."""
    deadline = deadline or Deadline()
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadInvalid.of(f"Het bestand is groter dan "
                               f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    if not data.strip():
        raise UploadInvalid.of("Het bestand is leeg.")
    if data.startswith(b"PK\x03\x04"):
        rows = xlsx_rows(data, deadline, MAX_ROWS, TOO_LONG)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UploadInvalid.of("Dit is het oude Excel-formaat (.xls); sla het op als .xlsx of "
                               "als CSV.")
    elif b"\x00" in data:
        raise UploadInvalid.of("Dit is geen CSV- of Excel-bestand (binaire inhoud).")
    else:
        text = decode_text(data)
        first = next((line for line in text.splitlines() if line.strip()), "")
        rows = csv_rows(text, max(";,\t", key=first.count), deadline, MAX_ROWS, TOO_LONG)
    start = next((i for i, r in enumerate(rows) if any(text_of(c) for c in r)), None)
    if start is None:
        raise UploadInvalid.of("Het bestand bevat geen kopregel en geen regels.")
    columns = {i: HEADERS.get(_key(text_of(c))) for i, c in enumerate(rows[start])}
    shown = {f: text_of(rows[start][i]) for i, f in columns.items() if f}
    if "kind" not in shown:
        raise UploadInvalid([RowError(1 + start, None, "De kolom 'soort' ontbreekt "
                                      "(plaatsing, leerwerktraject, werkervaringsplek, "
                                      "inkoop of activiteit).")])
    out = []
    for number, row in enumerate(rows[start + 1:], start=start + 2):
        cells = {f: text_of(row[i]) for i, f in columns.items() if f and i < len(row)}
        if not any(cells.values()):
            continue
        body: dict[str, Any] = {}
        for name, text in cells.items():
            if not text:
                continue
            if name == "kind":
                body[name] = KINDS.get(text.strip().lower(), text.strip())
            elif name in DATES:
                body[name] = date_text(text)
            elif name in NUMBERS:
                body[name] = number_text(text, money=NUMBERS[name])
            elif name == "bonuses":
                body[name] = [b.strip() for b in re.split(r"[,;]", text) if b.strip()]
            else:
                body[name] = text
        out.append((number, body, shown))
    if not out:
        raise UploadInvalid.of("Het bestand bevat geen regels.")
    return out


def _row_errors(number: int, shown: dict[str, str], exc: InvalidInput) -> list[RowError]:
    return [RowError(number, shown.get(p.get("name", "").split(".")[0]), p["reason"])
            for p in exc.invalid_params or ()]


async def import_lines(session: AsyncSession, actor: Actor, tender_id: int,
                       data: bytes) -> list[SocialReturnLine]:
    """Every row checked first (shape by `LineIn`, sense by the contract); any error: nothing
    stored and UploadInvalid naming each row and column. Otherwise every row is reported."""
    contract = await lines.contract_for(session, actor, tender_id)
    if contract.role != "contractor":
        raise Conflict("not-the-contractor", "Alleen de opdrachtnemer meldt realisaties.")
    await lines.still_open(session, contract)
    read = await off_loop(read_lines, data)
    errors: list[RowError] = []
    bodies = []
    for number, body, shown in read:
        try:
            line = parse(LineIn, body).model_dump(by_alias=False)
            lines.check(contract, line)
            bodies.append(line)
        except InvalidInput as exc:
            errors += _row_errors(number, shown, exc)
    if errors:
        raise UploadInvalid(errors[:MAX_REPORTED], total=len(errors))
    return [await lines.report(session, actor, tender_id, body) for body in bodies]

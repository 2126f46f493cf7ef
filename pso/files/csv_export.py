"""The one CSV writer of every download (register, tender evaluation, vouchers).

Dutch Excel conventions: semicolons, CRLF, UTF-8 with a byte-order mark (else Excel guesses
the encoding). A cell a spreadsheet would run as a formula, one starting with = + - @, tab
or carriage return (CSV injection, OWASP), gets a leading apostrophe, whoever typed it;
a plain number such as -12,50 stays a number.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def cell(value: Any) -> str:
    """A value as a harmless CSV cell."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


class CsvWriter:
    """Rows in, text out; `take()` returns what was written since the last call, so a
    streamed export sends it batch by batch."""

    def __init__(self) -> None:
        self._out = io.StringIO()
        self._writer = csv.writer(self._out, delimiter=";", lineterminator="\r\n")

    def row(self, cells: Iterable[Any]) -> None:
        self._writer.writerow([cell(c) for c in cells])

    def rows(self, rows: Iterable[Iterable[Any]]) -> None:
        for cells in rows:
            self.row(cells)

    def take(self) -> str:
        text = self._out.getvalue()
        self._out.seek(0)
        self._out.truncate()
        return text


def csv_document(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> bytes:
    """A whole CSV file: BOM, header, rows, UTF-8."""
    writer = CsvWriter()
    writer.row(header)
    writer.rows(rows)
    return (BOM + writer.take()).encode("utf-8")

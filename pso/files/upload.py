"""The employee list of a submission, read from a CSV or Excel (.xlsx) file.

One parser for the web page, the API and the CLI. Pure apart from reading the bytes it is
given: it returns employees in submission format (camelCase, decimal strings, ISO dates).
Every value is checked by the scoring engine itself (see `_engine_errors`), so the rules
live in one place; this module only knows file formats, headers and Dutch notation.
Errors name the spreadsheet row (the header is row 1) and the column as the user wrote it.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NoReturn, TypeVar

from pso.text.dutch_input import date_text, number_text, yes_no
from pso.text.labels import CONTRACT_TYPE_LABELS, STARTING_POSITION_LABELS
from scoring import SubmissionInvalid, parse_submission
from scoring.model import MAX_EMPLOYEES
from scoring.text import dutch_number

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_XLSX_UNPACKED = 60 * 1024 * 1024  # a zip bomb is refused before openpyxl unpacks it
MAX_COLUMNS = 200
# Rows read at most (header and blank lines included): reading stops here, and a sheet that
# declares more is refused before it is read. A CSV line longer than MAX_LINE_CHARS is refused
# before the csv module splits it (one line of a million separators would hold the process).
MAX_ROWS = MAX_EMPLOYEES + 1_000
MAX_LINE_CHARS = 64 * 1024
PARSE_SECONDS = 20.0  # a file that takes longer is refused; the service keeps answering
MAX_REPORTED = 200  # errors listed; a file that is wrong everywhere needs no 10,000 lines

# field -> (the Dutch header shown to users, other accepted headers)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "reference": ("referentie", ("ref", "pseudoniem", "medewerker", "reference")),
    "startingPosition": ("uitgangspositie", ("doelgroep", "startingposition")),
    "contractType": ("contractvorm", ("contract", "soort contract", "contracttype")),
    "hoursPerWeek": ("uren per week", ("uren", "contracturen", "hoursperweek")),
    "employmentStart": ("in dienst", ("datum in dienst", "startdatum", "employmentstart")),
    "employmentEnd": ("uit dienst", ("datum uit dienst", "einddatum", "employmentend")),
    "wageSubsidyUntil": ("loonkostensubsidie tot", ("loonkostensubsidie", "wagesubsidyuntil")),
    "wswIndicationUntil": ("wsw-indicatie tot", ("wsw indicatie tot", "wswindicationuntil")),
    "schoolLeftOn": ("school verlaten op", ("school verlaten", "schoolleftop")),
    "inTargetGroupRegister": ("doelgroepregister", ("in doelgroepregister",
                                                    "intargetgroupregister")),
}
REQUIRED = ("reference", "startingPosition", "contractType", "hoursPerWeek", "employmentStart")
DATES = ("employmentStart", "employmentEnd", "wageSubsidyUntil", "wswIndicationUntil",
         "schoolLeftOn")

# Words a payroll export uses for the engine's codes. Unknown words go to the engine as
# they are, and its message lists the codes it accepts.
CONTRACT_WORDS = {
    "regulier": "regular", "vast": "regular", "tijdelijk": "regular",
    "begeleid_werken": "supported", "begeleid": "supported",
    "detachering": "secondment", "gedetacheerd": "secondment", "flex": "secondment",
    "uitzendkracht": "secondment",
    "stage": "internship", "werkervaringsplaats": "internship", "re_integratie": "internship",
    "reintegratie": "internship",
    "proefplaatsing": "trial",
}
POSITION_WORDS = {
    "doelgroepregister": "target_group_register", "wia": "wia_wao_waz", "wao": "wia_wao_waz",
    "waz": "wia_wao_waz", "vso": "vso_pro", "pro": "vso_pro", "oekraine": "ukraine_protection",
    "oekraïne": "ukraine_protection",
}


def _label_words(labels: dict[str, str]) -> dict[str, str]:
    """The web form's Dutch labels ("Regulier dienstverband", "Wsw-indicatie") as words the
    file may use, in the same normal form as `_code` gives them."""
    return {re.sub(r"[\s/-]+", "_", label.strip().lower()): code for code, label in labels.items()}


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.strip().lower())


HEADER_FIELDS = {_key(h): f for f, (main, more) in COLUMNS.items() for h in (main, *more)}


@dataclass
class RowError:
    row: int | None  # spreadsheet row, header = 1; None for the file as a whole
    column: str | None
    reason: str

    @property
    def name(self) -> str:
        where = [f"rij {self.row}"] if self.row else []
        if self.column:
            where.append(f"kolom {self.column}")
        return ", ".join(where) or "bestand"

    def as_param(self) -> dict[str, Any]:
        """An invalidParams entry of a 400 problem."""
        return {"name": self.name, "reason": self.reason, "row": self.row,
                "column": self.column}


class UploadInvalid(ValueError):
    def __init__(self, errors: list[RowError], total: int | None = None) -> None:
        self.errors = errors
        self.total = total if total is not None else len(errors)
        super().__init__("; ".join(f"{e.name}: {e.reason}" for e in errors[:5]))

    def __reduce__(self) -> tuple[Any, ...]:  # raised in a worker process, read in ours
        return (type(self), (self.errors, self.total))

    @classmethod
    def of(cls, reason: str) -> UploadInvalid:
        """The file as a whole is refused."""
        return cls([RowError(None, None, reason)])


@dataclass
class EmployeeList:
    employees: list[dict[str, Any]]
    rows: list[int]  # the spreadsheet row of each employee
    format: str
    ignored_columns: list[str] = field(default_factory=list)


T = TypeVar("T")


class Deadline:
    """A parse's time limit, checked between rows: a worker thread cannot be stopped from
    outside, so the parser stops itself."""

    def __init__(self, seconds: float = PARSE_SECONDS) -> None:
        self.ends = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.ends:
            _refuse(TOO_SLOW)


TOO_SLOW = ("Het bestand kon niet binnen de tijd worden gelezen; maak het kleiner of sla het "
            "op als CSV.")
TOO_LONG = (f"Het bestand heeft meer dan {dutch_number(MAX_ROWS)} regels; er passen hoogstens "
            f"{dutch_number(MAX_EMPLOYEES)} medewerkers in één bestand.")


async def off_loop(parse: Callable[..., T], *args: Any, seconds: float = PARSE_SECONDS) -> T:
    """Run a file parser outside the event loop with a time limit (pso.files.parse_pool), so
    every other request keeps being answered while a large upload is read. `parse` gets a
    Deadline as keyword `deadline` and stops itself when it passes; the pool's limit (a
    killed worker process) is the safety net."""
    from pso.files import parse_pool

    call = functools.partial(parse, deadline=Deadline(seconds))
    try:
        return await parse_pool.run(call, *args, seconds=seconds + 5)
    except parse_pool.TooSlow:
        raise UploadInvalid.of(TOO_SLOW) from None


async def read_employees_async(data: bytes) -> EmployeeList:
    """`read_employees` off the event loop, within PARSE_SECONDS."""
    return await off_loop(read_employees, data)


def read_employees(data: bytes, deadline: Deadline | None = None) -> EmployeeList:
    """Parse a CSV or .xlsx file; raises UploadInvalid naming every bad row and column."""
    deadline = deadline or Deadline()
    if len(data) > MAX_UPLOAD_BYTES:
        _refuse(f"Het bestand is groter dan {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    if not data.strip():
        _refuse("Het bestand is leeg.")
    if data.startswith(b"PK\x03\x04"):
        kind, rows = "xlsx", xlsx_rows(data, deadline)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        _refuse("Dit is het oude Excel-formaat (.xls); sla het op als .xlsx of als CSV.")
    else:
        kind, rows = "csv", _csv_rows(data, deadline)
    return _employees(rows, kind, deadline)


def _refuse(reason: str) -> NoReturn:
    raise UploadInvalid.of(reason)


# --- reading the two formats ---------------------------------------------------------------


def _csv_rows(data: bytes, deadline: Deadline) -> list[list[Any]]:
    if b"\x00" in data:
        _refuse("Dit is geen CSV- of Excel-bestand (binaire inhoud).")
    text = decode_text(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(";,\t", key=first.count)
    return csv_rows(text, delimiter, deadline)


def decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel on Windows saves CSV so


def csv_rows(text: str, delimiter: str, deadline: Deadline, max_rows: int = MAX_ROWS,
             too_long: str = TOO_LONG) -> list[list[Any]]:
    """The rows of a CSV text, at most `max_rows` of MAX_COLUMNS cells; more rows, a line
    over MAX_LINE_CHARS or a passed deadline refuse the file (UploadInvalid)."""
    try:
        rows: list[list[Any]] = []
        for row in csv.reader(_lines(text), delimiter=delimiter):
            if len(rows) >= max_rows:
                _refuse(too_long)
            if len(rows) % 256 == 0:
                deadline.check()
            rows.append(row[:MAX_COLUMNS])
        return rows
    except csv.Error:
        _refuse("Het CSV-bestand kan niet worden gelezen (controleer de aanhalingstekens).")
    return []


def _lines(text: str) -> Iterator[str]:
    for line in io.StringIO(text, newline=""):
        if len(line) > MAX_LINE_CHARS:
            _refuse("Een regel van het bestand is te lang; is dit wel een lijst met één regel "
                    "per rij?")
        yield line


def xlsx_rows(data: bytes, deadline: Deadline, max_rows: int = MAX_ROWS,
               too_long: str = TOO_LONG) -> list[list[Any]]:
    """The first sheet's rows (at most `max_rows` of MAX_COLUMNS cells). The unpacked size
    and the sheet's declared size are checked before a cell is read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(i.file_size for i in archive.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        _refuse("Dit is geen geldig Excel-bestand (.xlsx).")
    if unpacked > MAX_XLSX_UNPACKED:
        _refuse("Het Excel-bestand is uitgepakt te groot.")
    from openpyxl import load_workbook  # only needed for spreadsheets

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any malformed workbook is the user's file, not our bug
        _refuse("Dit is geen geldig Excel-bestand (.xlsx).")
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            _refuse("Dit is geen geldig Excel-bestand (.xlsx).")
        if (sheet.max_row or 0) > max_rows:  # the sheet's declared <dimension>
            _refuse(too_long)
        rows: list[list[Any]] = []
        try:
            for row in sheet.iter_rows(max_row=max_rows + 1, max_col=MAX_COLUMNS,
                                       values_only=True):
                if len(rows) >= max_rows:
                    _refuse(too_long)
                if len(rows) % 256 == 0:
                    deadline.check()
                rows.append(list(row))
        except UploadInvalid:
            raise
        except Exception:  # noqa: BLE001 - a malformed sheet is the user's file
            _refuse("Dit is geen geldig Excel-bestand (.xlsx).")
        return rows
    finally:
        book.close()


def text_of(value: Any) -> str:
    """A cell as text; spreadsheet numbers and dates in the engine's notation."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


# --- rows to employees ---------------------------------------------------------------------


def _employees(rows: list[list[Any]], kind: str, deadline: Deadline) -> EmployeeList:
    while rows and not any(text_of(c) for c in rows[0]):
        rows = rows[1:]
    if not rows:
        _refuse("Het bestand bevat geen kopregel en geen medewerkers.")
    header_row = rows[0]
    columns: dict[str, int] = {}
    shown: dict[str, str] = {}
    ignored: list[str] = []
    errors: list[RowError] = []
    for i, cell in enumerate(header_row):
        header = text_of(cell)
        name = HEADER_FIELDS.get(_key(header))
        if name is None:
            if header:
                ignored.append(header)
        elif name in columns:
            errors.append(RowError(1, header, "Deze kolom komt twee keer voor."))
        else:
            columns[name], shown[name] = i, header
    for name in REQUIRED:
        if name not in columns:
            errors.append(RowError(1, COLUMNS[name][0], "Deze kolom ontbreekt."))
    if errors:
        raise UploadInvalid(errors)

    employees: list[dict[str, Any]] = []
    source_rows: list[int] = []
    for number, cells in enumerate(rows[1:], start=2):
        if number % 256 == 0:
            deadline.check()
        values = {name: text_of(cells[i]) if i < len(cells) else "" for name, i in columns.items()}
        if not any(values.values()):
            continue  # blank lines in a spreadsheet are not employees
        employee, problems = _employee(values)
        errors.extend(RowError(number, shown[f], reason) for f, reason in problems)
        employees.append(employee)
        source_rows.append(number)
    if not employees and not errors:
        _refuse("Het bestand bevat geen medewerkers onder de kopregel.")
    errors.extend(_engine_errors(employees, source_rows, shown))
    if errors:
        order = list(COLUMNS)
        errors.sort(key=lambda e: (e.row or 0, _column_order(e.column, shown, order)))
        raise UploadInvalid(errors[:MAX_REPORTED], total=len(errors))
    return EmployeeList(employees, source_rows, kind, ignored)


def _column_order(column: str | None, shown: dict[str, str], order: list[str]) -> int:
    for name in order:
        if column in (shown.get(name), COLUMNS[name][0]):
            return order.index(name)
    return -1


def _code(text: str, words: dict[str, str]) -> str:
    key = re.sub(r"[\s/-]+", "_", text.strip().lower())
    return words.get(key, key if key else text)


def _words() -> tuple[dict[str, str], dict[str, str]]:
    # A file may use the words the web form shows.
    return ({**_label_words(STARTING_POSITION_LABELS), **POSITION_WORDS},
            {**_label_words(CONTRACT_TYPE_LABELS), **CONTRACT_WORDS})


def _employee(values: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    positions, contracts = _words()
    employee: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name, value in values.items():
        if name == "inTargetGroupRegister":
            flag = yes_no(value)
            if flag is None:
                problems.append((name, "Vul ja of nee in."))
            employee[name] = bool(flag)
        elif name == "startingPosition":
            employee[name] = _code(value, positions)
        elif name == "contractType":
            employee[name] = _code(value, contracts)
        elif name == "hoursPerWeek":
            employee[name] = number_text(value)
        elif name in DATES:
            if value:
                employee[name] = date_text(value)
        else:
            employee[name] = value
    for name in REQUIRED:
        if not employee.get(name):
            employee.pop(name, None)  # the engine reports it as required
    return employee, problems


# The engine checks employees as part of a submission; a neutral one around them (huge
# organisation, fixed rulebook) makes it report only what is wrong with the rows themselves.
_NEUTRAL = {
    "period": {"start": "2024-01-01", "end": "2024-12-31"},
    "totalFte": "10000000",
    "rulebook": "pso-2.1",
    "quality": {"suitableWork": True, "integration": True, "development": True,
                "guidance": True},
}
_ENGINE_NAME = re.compile(r"^employees\[(\d+)\](?:\.(\w+))?")


def _readable(name: str, reason: str) -> str:
    """An unknown code is explained with the Dutch labels the web form shows, not codes."""
    if name not in ("startingPosition", "contractType") or "toegestaan" not in reason:
        return reason
    labels = STARTING_POSITION_LABELS if name == "startingPosition" else CONTRACT_TYPE_LABELS
    return "Onbekende waarde; gebruik een van: " + "; ".join(labels.values()) + "."


def _engine_errors(employees: list[dict[str, Any]], rows: list[int],
                   shown: dict[str, str]) -> list[RowError]:
    try:
        parse_submission({**_NEUTRAL, "employees": employees})
    except SubmissionInvalid as exc:
        out = []
        for err in exc.errors:
            m = _ENGINE_NAME.match(err["name"])
            if m is None:
                out.append(RowError(None, None, err["reason"]))
                continue
            name = m.group(2) or ""
            column = shown.get(name) or (COLUMNS[name][0] if name in COLUMNS else None)
            out.append(RowError(rows[int(m.group(1))], column, _readable(name, err["reason"])))
        return out
    return []

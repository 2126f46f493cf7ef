"""The employee list parser (pso.files.upload): CSV and .xlsx, Dutch notation, errors per row."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from pso.cli import main
from pso.files.upload import MAX_UPLOAD_BYTES, UploadInvalid, read_employees
from pso.text.dutch_input import date_text, number_text, yes_no
from tests.wording import is_sentence

DUTCH = (
    "Referentie;Uitgangspositie;Contractvorm;Uren per week;In dienst;Uit dienst;"
    "Loonkostensubsidie tot;Wsw-indicatie tot;School verlaten op;Doelgroepregister\n"
    "mw-001;Wajong;regulier;32,5;01-02-2024;;;;;ja\n"
    "mw-002;WIA/WAO/WAZ;Begeleid werken;40;2023-01-01;31-12-2024;;;;nee\n"
    "mw-003;participatiewet;detachering;24;2022-06-01;;2028-01-01;;;\n"
    "\n"
    "mw-004;vso_pro;stage;16,25;1-9-2024;;;;30-06-2024;\n"
)


def errors_of(data: bytes) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(UploadInvalid) as caught:
        read_employees(data)
    assert all(is_sentence(e.reason) for e in caught.value.errors), caught.value.errors
    return [(e.row, e.column, e.reason) for e in caught.value.errors]


def test_dutch_notation_helpers() -> None:
    assert number_text("12,5") == "12.5"
    assert number_text("€ 1.234,56", money=True) == "1234.56"
    assert number_text("1,234.56") == "1234.56"
    assert number_text("1.500", money=True) == "1500"
    assert number_text("1.5") == "1.5"
    assert number_text("35 %") == "35"
    assert number_text("abc") == "abc"  # passed on: the engine names the error
    assert date_text("31-01-2025") == date_text("31/1/2025") == "2025-01-31"
    assert date_text("2025-1-31") == "2025-01-31"
    assert date_text("gisteren") == "gisteren"
    assert (yes_no("Ja"), yes_no(""), yes_no("x"), yes_no("misschien")) == (True, False, True,
                                                                             None)


def test_csv_semicolons_dutch_headers_and_decimal_commas() -> None:
    result = read_employees(DUTCH.encode("utf-8-sig"))
    assert result.format == "csv" and result.rows == [2, 3, 4, 6]
    first, second, third, fourth = result.employees
    assert first == {"reference": "mw-001", "startingPosition": "wajong",
                     "contractType": "regular", "hoursPerWeek": "32.5",
                     "employmentStart": "2024-02-01", "inTargetGroupRegister": True}
    assert second["startingPosition"] == "wia_wao_waz" and second["contractType"] == "supported"
    assert second["employmentEnd"] == "2024-12-31"
    assert third["wageSubsidyUntil"] == "2028-01-01" and third["contractType"] == "secondment"
    assert fourth["hoursPerWeek"] == "16.25" and fourth["schoolLeftOn"] == "2024-06-30"


def test_csv_commas_camelcase_headers_and_windows_encoding() -> None:
    text = ("reference,startingPosition,contractType,hoursPerWeek,employmentStart,"
            "inTargetGroupRegister,Naam\n"
            'mw-1,wajong,regular,"32,5",2024-01-31,true,Zoë\n')
    result = read_employees(text.encode("cp1252"))
    assert result.employees[0]["hoursPerWeek"] == "32.5"
    assert result.employees[0]["inTargetGroupRegister"] is True
    assert result.ignored_columns == ["Naam"]  # never copied into the submission


def test_bad_rows_are_named_by_row_and_column() -> None:
    text = DUTCH + "mw-005;wajong;regulier;negentig;2024-13-01;;;;;misschien\n"
    assert errors_of(text.encode()) == [
        (7, "Uren per week", "Moet een getal zijn, zoals 40."),
        (7, "In dienst", "Deze datum bestaat niet."),  # 2024-13-01
        (7, "Doelgroepregister", "Vul ja of nee in."),
    ]


def test_engine_rules_apply_to_rows() -> None:
    text = ("referentie;uitgangspositie;contractvorm;uren per week;in dienst;uit dienst\n"
            "111222333;wajong;regulier;81;2024-01-01;2023-01-01\n"
            "mw-2;piloot;vast;8;2024-01-01;\n"
            ";vso_pro;regulier;8;2024-01-01;\n")
    found = errors_of(text.encode())
    bsn = "Lijkt op een geldig BSN; gebruik een pseudoniem, geen persoonsgegevens."
    assert (2, "referentie", bsn) in found
    assert (2, "uren per week", "Moet groter dan 0 en hoogstens 80 zijn.") in found
    assert (2, "uit dienst", "Het einde van het dienstverband ligt vóór het begin.") in found
    assert any(r == 3 and c == "uitgangspositie" and "Onbekende waarde" in why
               for r, c, why in found)
    assert (4, "referentie", "Dit veld is verplicht.") in found
    assert (4, "school verlaten op",
            "Bij de uitgangspositie VSO/PrO hoort de datum waarop de school is verlaten.") in found


def test_missing_and_duplicate_columns() -> None:
    found = errors_of(b"referentie;uren;uren per week\nx;1;2\n")
    assert (1, "uren per week", "Deze kolom komt twee keer voor.") in found
    assert (1, "uitgangspositie", "Deze kolom ontbreekt.") in found


def test_xlsx_with_typed_cells() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Referentie", "Uitgangspositie", "Contractvorm", "Uren per week", "In dienst",
                  "Uit dienst", "Doelgroepregister"])
    sheet.append(["mw-1", "wajong", "regulier", 32.5, datetime(2024, 2, 1), None, True])
    sheet.append(["mw-2", "ww", "Stage", "20,5", "15-03-2024", date(2024, 12, 31), "nee"])
    sheet.append([1003, "wajong", "regulier", 40, datetime(2024, 1, 1), None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    result = read_employees(buffer.getvalue())
    assert result.format == "xlsx"
    one, two, three = result.employees
    assert one["hoursPerWeek"] == "32.5" and one["employmentStart"] == "2024-02-01"
    assert one["inTargetGroupRegister"] is True
    assert two["hoursPerWeek"] == "20.5" and two["employmentStart"] == "2024-03-15"
    assert two["employmentEnd"] == "2024-12-31" and two["contractType"] == "internship"
    assert three["reference"] == "1003" and three["hoursPerWeek"] == "40"


def test_xlsx_bad_row_named() -> None:
    book = Workbook()
    book.active.append(["referentie", "uitgangspositie", "contractvorm", "uren per week",
                        "in dienst"])
    book.active.append(["mw-1", "wajong", "regulier", 32, "2024-01-01"])
    book.active.append(["mw-2", "wajong", "regulier", -4, "2024-01-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert errors_of(buffer.getvalue()) == [(3, "uren per week",
                                             "Moet groter dan 0 en hoogstens 80 zijn.")]


@pytest.mark.parametrize("data, reason", [
    (b"", "Het bestand is leeg."),
    (b"\x00\x01\x02binary\xff\xfe", "Dit is geen CSV- of Excel-bestand (binaire inhoud)."),
    (b"PK\x03\x04 this is no zip at all", "Dit is geen geldig Excel-bestand (.xlsx)."),
    (b"\xd0\xcf\x11\xe0old",
     "Dit is het oude Excel-formaat (.xls); sla het op als .xlsx of als CSV."),
    (b"referentie;uitgangspositie;contractvorm;uren per week;in dienst\n",
     "Het bestand bevat geen medewerkers onder de kopregel."),
    (b"a" * (MAX_UPLOAD_BYTES + 1), "Het bestand is groter dan 5 MB."),
])
def test_hostile_files(data: bytes, reason: str) -> None:
    assert errors_of(data) == [(None, None, reason)]


def test_zip_that_is_no_workbook_and_zip_bomb() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("hello.txt", "hi")
    assert errors_of(buffer.getvalue()) == [(None, None, "Dit is geen geldig Excel-bestand (.xlsx).")]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (70 * 1024 * 1024))
    assert len(bomb.getvalue()) < 200_000
    assert errors_of(bomb.getvalue()) == [(None, None, "Het Excel-bestand is uitgepakt te groot.")]


def test_many_errors_are_capped() -> None:
    lines = ["referentie;uitgangspositie;contractvorm;uren per week;in dienst"]
    lines += [f"mw-{i};wajong;regulier;0;2024-01-01" for i in range(500)]
    with pytest.raises(UploadInvalid) as caught:
        read_employees("\n".join(lines).encode())
    assert len(caught.value.errors) == 200 and caught.value.total == 500


def test_cli_prints_employees_or_problem(tmp_path) -> None:
    good = tmp_path / "lijst.csv"
    good.write_text(DUTCH, encoding="utf-8")
    result = CliRunner().invoke(main, ["employees", str(good)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)["employees"]) == 4
    bad = tmp_path / "fout.csv"
    bad.write_text(DUTCH + "mw-9;wajong;regulier;0;2024-01-01;;;;;\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["employees", str(bad)])
    assert result.exit_code == 2
    problem = json.loads(result.output)
    assert problem["status"] == 400
    assert problem["invalidParams"][0]["name"] == "rij 7, kolom Uren per week"

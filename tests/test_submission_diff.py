"""A correction's changes as people read them (issue 21 items 1-2): matched by reference and
supplier, in the form's Dutch labels and notation."""
from __future__ import annotations

import copy

from pso.services.certification import submission_changes


def employee(ref: str, **extra) -> dict:
    return {"reference": ref, "startingPosition": "wajong", "contractType": "regular",
            "hoursPerWeek": "40", "employmentStart": "2024-01-01", **extra}


BEFORE = {
    "period": {"start": "2025-01-01", "end": "2025-12-31"}, "totalFte": "30.4",
    "employees": [employee(f"MW-{100 + i}") for i in range(1, 14)],
    "purchases": [{"supplierName": "SW Amsterdam", "supplierKvk": "11223344",
                   "supplierKind": "sw_company", "invoiceAmount": "50000",
                   "supplierTurnover": "2000000", "supplierFte": "400",
                   "supplierDirectPct": "60"}],
    "quality": {"suitableWork": False, "integration": True, "development": True,
                "guidance": True},
    "asOf": "2026-01-15",
}


def test_removing_one_employee_and_changing_one_number_is_two_changes():
    after = copy.deepcopy(BEFORE)
    del after["employees"][4]  # MW-105
    after["employees"][8]["hoursPerWeek"] = "30.5"  # MW-110
    changes = submission_changes(BEFORE, after)
    assert changes == [
        {"field": "employees[MW-105]", "label": "MW-105 (medewerker)",
         "before": "Wajong, Regulier dienstverband, 40 uur per week, in dienst sinds "
                   "1 januari 2024", "after": "(verwijderd)"},
        {"field": "employees[MW-110].hoursPerWeek", "label": "MW-110: uren per week",
         "before": "40", "after": "30,5"},
    ]


ADDED = ("BBL/BOL niveau 2, Regulier dienstverband, 40 uur per week, in dienst sinds "
         "1 september 2024")


def test_values_in_the_forms_notation():
    after = copy.deepcopy(BEFORE)
    after["totalFte"] = "31"
    after["period"]["start"] = "2024-09-01"
    after["employees"][0].update(startingPosition="ukraine_protection",
                                 inTargetGroupRegister=True)
    after["employees"].append(employee("MW-200", startingPosition="bbl_bol_2",
                                       employmentStart="2024-09-01"))
    after["purchases"][0]["invoiceAmount"] = "62500.5"
    after["quality"]["suitableWork"] = True
    rows = {c["label"]: (c["before"], c["after"]) for c in submission_changes(BEFORE, after)}
    assert rows == {
        "Begin van de periode": ("1 januari 2025", "1 september 2024"),
        "Totaal aantal FTE van de organisatie": ("30,4", "31"),
        "MW-101: uitgangspositie": ("Wajong", "Tijdelijke bescherming Oekraïne"),
        "MW-101: staat in het doelgroepregister": ("(leeg)", "ja"),
        "MW-200 (medewerker)": ("(niet opgegeven)", ADDED),
        "SW Amsterdam: factuurbedrag (€, excl. btw)": ("€ 50.000,00", "€ 62.500,50"),
        "Kwaliteitseis passend werk": ("nee", "ja"),
    }


def test_the_same_number_written_otherwise_is_no_change_and_order_does_not_matter():
    after = copy.deepcopy(BEFORE)
    after["totalFte"] = 30.40
    after["employees"].reverse()
    after["employees"][0]["hoursPerWeek"] = 40
    assert submission_changes(BEFORE, after) == []

"""Position and contract weights of both rulebooks (spec §2.2).

One full-year, full-time employee in a 10 FTE organisation: fte = 1, so
weightedFte = position weight x contract weight.
"""
import pytest

from .helpers import emp, one, run, submission

POSITIONS_21 = {
    "wsw": 1, "participatiewet": 1, "nug_sroi": 1, "statushouder": 1, "ukraine_protection": 1,
    "wia_wao_waz": 1, "wajong": 1, "vso_pro": 1, "wiw_id": 1, "target_group_register": 1,
    "status_lost": 1, "young_disabled": 1, "ww": 0.75, "bbl_bol_1": 0.5, "vso_pro_pupil": 0.5,
    "bbl_bol_2": 0.25, "bbl_bol_3": 0.25, "bbl_bol_4": 0.25,
}
POSITIONS_18 = dict(POSITIONS_21, ukraine_protection=0, bbl_bol_3=0, bbl_bol_4=0)
CONTRACTS = {"regular": 1, "supported": 1, "secondment": 0.9, "internship": 0.75, "trial": 0.5}

# Start 2020-01-01: 5-year windows last to 2024-12-31, internship cap (3 years) would end in
# 2022, so internships start 2024-01-01. vso_pro left school 2020-01-01 (window to 2024-12-31).
EXTRA = {"vso_pro": {"schoolLeftOn": "2020-01-01"}}


def _employee(position, contract="regular"):
    start = "2024-01-01" if contract == "internship" else "2020-01-01"
    return emp(position=position, contract=contract, start=start, **EXTRA.get(position, {}))


@pytest.mark.parametrize("rulebook,table", [("pso-2.1", POSITIONS_21), ("pso-1.8", POSITIONS_18)])
@pytest.mark.parametrize("position", sorted(POSITIONS_21))
def test_position_weight(rulebook, table, position):
    row = one(_employee(position), rulebook=rulebook)
    assert row["countedDays"] == 366
    assert row["weight"] == table[position]
    assert row["weightedFte"] == table[position]


@pytest.mark.parametrize("rulebook", ["pso-2.1", "pso-1.8"])
@pytest.mark.parametrize("contract", sorted(CONTRACTS))
def test_contract_weight(rulebook, contract):
    row = one(_employee("wajong", contract), rulebook=rulebook)
    assert row["contractWeight"] == CONTRACTS[contract]
    assert row["weightedFte"] == CONTRACTS[contract]


def test_weights_multiply():
    # ww 0.75 x secondment 0.9 = 0.675; 20 h of 40 h whole year = 0.5 fte -> 0.3375
    row = one(emp(position="ww", contract="secondment", hours="20", start="2022-01-01"))
    assert row["weight"] == 0.675
    assert row["weightedFte"] == 0.3375


@pytest.mark.parametrize("position", ["ukraine_protection", "bbl_bol_3", "bbl_bol_4"])
def test_zero_weight_in_18_is_explained_not_an_error(position):
    result = run(submission([_employee(position)], rulebook="pso-1.8"))
    row = result["employees"][0]
    assert row["weight"] == 0 and row["weightedFte"] == 0
    assert row["fte"] == 1.0  # still counted as target-group staff, just weight 0
    assert "pso-1.8" in row["note"] and "gewicht 0" in row["note"]
    assert result["directFte"] == 0


def test_weights_count_in_direct_fte():
    # wajong regular 1 + ww internship (0.75 x 0.75 = 0.5625) + bbl_bol_2 trial (0.25 x 0.5 =
    # 0.125), all full-year full-time: directFte = 1.6875; T = 10 -> directPct 16.875
    result = run(submission([
        emp("A", "wajong"),
        emp("B", "ww", "internship", start="2024-01-01"),
        emp("C", "bbl_bol_2", "trial"),
    ]))
    assert result["directFte"] == 1.6875
    assert result["directPct"] == 16.875

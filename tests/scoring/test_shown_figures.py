"""Every figure the explanation and the provisional PDF show is the exact value, computed
here with fractions from the input, rounded half-up (issue 21 item 5)."""
from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pso.services.provisional_pdf import provisional_context
from scoring import get_rulebook, parse_submission, score
from scoring.notation import dutch_decimal, percentage, short, weight

from .helpers import emp, run, submission
from .test_properties import submissions

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def half_up(x: Fraction, places: int = 2) -> Decimal:
    scaled = x * 10 ** places
    return Decimal(int(scaled + Fraction(1, 2)) if scaled >= 0 else -int(-scaled + Fraction(1, 2))
                   ).scaleb(-places)


def exact_figures(data: dict, result: dict) -> dict[str, Fraction]:
    """The spec's formulas on fractions; only the counted days come from the result (whole
    numbers, checked elsewhere)."""
    sub = parse_submission(data)
    rb = get_rulebook(result["rulebook"])
    ft = Fraction(sub.full_time_hours_per_week)
    days = Fraction(sub.period.days)
    total = Fraction(sub.total_fte)
    direct = Fraction(0)
    for e, row in zip(sub.employees, result["employees"], strict=True):
        share = min(Fraction(e.hours_per_week), ft) * row["countedDays"] / (ft * days)
        direct += share * Fraction(rb.combos[e.starting_position][e.contract_type][0])
    indirect = sum((Fraction(p.invoice_amount) * Fraction(p.supplier_fte)
                    * Fraction(p.supplier_direct_pct) / (Fraction(p.supplier_turnover) * 100)
                    for p in sub.purchases), Fraction(0))
    direct_pct = 100 * direct / total
    indirect_pct = 100 * indirect / (total + indirect) if indirect else Fraction(0)
    capped = min(Fraction(rb.cap_factor) * direct_pct, indirect_pct)
    return {"sizeFte": total, "directFte": direct, "directPct": direct_pct,
            "indirectFte": indirect, "indirectPct": indirect_pct, "capped": capped,
            "totalPct": direct_pct + capped}


def pct(x: Fraction) -> str:
    return percentage(half_up(x), 2)


def fte(x: Fraction) -> str:
    return short(half_up(x), 2)


@SETTINGS
@given(submissions())
def test_explanation_shows_the_exact_figures_rounded_half_up(data):
    result = score(parse_submission(data))
    want = exact_figures(data, result)
    text = "\n".join(result["explanation"])
    assert (f"Directe bijdrage: {fte(want['directFte'])} gewogen FTE uit de doelgroep op "
            f"{fte(want['sizeFte'])} FTE = {pct(want['directPct'])}.") in text
    assert f"Totale sociale bijdrage: {pct(want['totalPct'])}." in text
    if data["purchases"]:
        assert f"{fte(want['indirectFte'])} FTE = {pct(want['indirectPct'])}" in text
        if want["capped"] < want["indirectPct"]:
            assert f"begrensd op {pct(want['capped'])}" in text


@SETTINGS
@given(submissions())
def test_provisional_pdf_figures_are_the_exact_figures_rounded_half_up(data):
    result = score(parse_submission(data))
    want = exact_figures(data, result)
    org = SimpleNamespace(name="Bakkerij De IJssel", kvk="12345678", subsidiaries=[])
    assessment = SimpleNamespace(id=1, score=result, submission=data, organization=org,
                                 status="draft", motivations=None)
    figures = dict(provisional_context(assessment, date(2025, 1, 15))["figures"])
    assert figures["Omvang"] == f"{dutch_decimal(half_up(want['sizeFte']), 2)} FTE"
    assert figures["Totale bijdrage"] == pct(want["totalPct"])
    assert figures["Indirect (inkoop, begrensd)"] == pct(want["capped"])
    assert figures["Direct (eigen medewerkers)"].startswith(pct(want["directPct"]))
    # and the explanation printed in the same PDF agrees with its table
    explanation = " ".join(provisional_context(assessment, date(2025, 1, 15))["explanation"])
    assert f"Totale sociale bijdrage: {figures['Totale bijdrage']}." in explanation


def test_a_tie_rounds_up_in_the_text_and_in_the_table():
    # 40 + 40 + 27 = 107 h/week of 40 over 100 FTE: direct = 2.675 FTE = 2.675 % exactly; the float is
    # 2.67499999…, which Python's format rounds to 2,67.
    staff = [emp("A"), emp("B"), emp("C", hours="27")]
    r = run(submission(staff, total="100"))
    assert Fraction(r["directFte"]) != Fraction(2675, 1000)  # the float is not the value
    assert "= 2,68 %." in r["explanation"][1]
    assert "Totale sociale bijdrage: 2,68 %." in r["explanation"]


def test_weights_show_every_digit():
    assert weight(0.1875) == "0,1875"
    assert weight(1.0) == "1"
    assert weight(0.5) == "0,5"
    assert re.fullmatch(r"\d+(,\d+)?", weight(Decimal("0.25")))


@settings(max_examples=2000, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**9, max_value=10**9),
       st.integers(min_value=0, max_value=9))
def test_dutch_decimal_below_a_thousand_takes_a_shortcut_to_the_same_text(value, places):
    """dutch_decimal skips format() when there are no thousands to group (issue 26): the
    text is exactly what format() with grouping gives, signs and zeros included."""
    amount = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{abs(amount):,.{places}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    assert dutch_decimal(value, places) == (f"-{text}" if amount < 0 else text)
    assert dutch_decimal(str(value), places) == dutch_decimal(value, places)

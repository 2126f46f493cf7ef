from datetime import date
from decimal import Decimal

import pytest

from certificates.formatting import dutch_date, dutch_decimal, euro, percentage, rung_label


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2026, 12, 31), "31 december 2026"),
        (date(2026, 1, 1), "1 januari 2026"),
        (date(2024, 2, 29), "29 februari 2024"),
        (date(2025, 3, 9), "9 maart 2025"),
    ],
)
def test_dutch_date(day, text):
    assert dutch_date(day) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1234.56"), "€ 1.234,56"),
        (Decimal(0), "€ 0,00"),
        (Decimal("0.005"), "€ 0,01"),  # half-up
        (Decimal("1234567.8"), "€ 1.234.567,80"),
        (Decimal("-1234.56"), "€ -1.234,56"),
        (12, "€ 12,00"),
        ("999.999", "€ 1.000,00"),
    ],
)
def test_euro(value, text):
    assert euro(value) == text


def test_euro_refuses_float():
    with pytest.raises(TypeError):
        euro(1.5)


def test_decimal_and_percentage():
    assert dutch_decimal(Decimal("12.3456"), 4) == "12,3456"
    assert percentage(Decimal(30)) == "30,0 %"
    assert percentage(Decimal("2.25"), 1) == "2,3 %"


def test_rung_labels():
    assert [rung_label(r) for r in ("aspirant", "basistrede", "trede1", "trede2", "trede3")] == [
        "Aspirant",
        "Basistrede",
        "Trede 1",
        "Trede 2",
        "Trede 3",
    ]

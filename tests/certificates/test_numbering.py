import pytest

from certificates.numbering import format_number, is_valid_number, normalize_number, parse_number


def test_format():
    assert format_number(2026, 123) == "PSO-2026-000123"
    assert format_number(2026, 1) == "PSO-2026-000001"
    assert format_number(2026, 999_999) == "PSO-2026-999999"


@pytest.mark.parametrize(("year", "seq"), [(2026, 0), (2026, 1_000_000), (2026, -1), (999, 1)])
def test_format_out_of_range(year, seq):
    with pytest.raises(ValueError):
        format_number(year, seq)


def test_parse_roundtrip():
    assert parse_number("PSO-2026-000123") == (2026, 123)
    assert parse_number(format_number(2031, 42)) == (2031, 42)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "PSO-2026-123",
        "PSO-2026-0001234",
        "pso-2026-000123",
        " PSO-2026-000123",
        "PSO-2026-000123\n",
        "PSO-26-000123",
        "PSO-2026-000000",
        "XYZ-2026-000123",
        "PSO-2026-00012a",
        "PSO-２０２６-000123",  # full-width digits are not ASCII digits
        None,
    ],
)
def test_invalid(text):
    assert not is_valid_number(text)
    with pytest.raises(ValueError):
        parse_number(text)


def test_normalize():
    assert normalize_number("  pso-2026-000123 ") == "PSO-2026-000123"

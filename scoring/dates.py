"""Calendar helpers for the counting windows."""
from datetime import date


def add_years(d: date, years: int) -> date:
    """The same calendar day `years` later; 29 February becomes 28 February (spec §2.2)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        if d.month == 2 and d.day == 29:
            return add_years(date(d.year, 2, 28), years)
        # Beyond year 9999: treat as "no limit" rather than crashing.
        return date.max

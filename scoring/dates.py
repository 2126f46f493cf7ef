"""Calendar helpers for the counting windows."""
from datetime import date

_memo: dict[tuple[date, int], date] = {}


def add_years(d: date, years: int) -> date:
    """add_years_exact, memoised: teams share hiring dates and the engine asks per employee."""
    key = (d, years)
    out = _memo.get(key)
    if out is None:
        if len(_memo) > 50_000:  # bound memory; the memo is only a speed-up
            _memo.clear()
        out = _memo[key] = add_years_exact(d, years)
    return out


def add_years_exact(d: date, years: int) -> date:
    """The same calendar day `years` later; 29 February becomes 28 February (spec §2.2)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        if d.month == 2 and d.day == 29:
            return add_years_exact(date(d.year, 2, 28), years)
        # Beyond year 9999: treat as "no limit" rather than crashing.
        return date.max

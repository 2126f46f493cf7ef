"""Pure certificate lifecycle rules: validity period, status on a given day, expiry window.

Status precedence on a day (first that applies wins):

1. `revoked`        revoked on or before the day (final, from `revoked_on` inclusive).
2. `not_yet_valid`  the day is before `valid_from`. Not one of the five statuses in the spec;
                    a tender deadline before validFrom must not count as valid, and calling it
                    `expired` would be false. Treat it like any other "not valid" status.
3. `superseded`     a newer ladder certificate became valid on or before the day, and did so
                    while this one was still within its validity (a successor starting only
                    after this one had ended leaves it `expired`).
4. `expired`        the day is after `valid_until` (valid_until itself is still valid).
5. `suspended`      inside a suspension: from its start (inclusive) until reinstatement
                    (exclusive; the reinstatement day is valid again). Open-ended if not
                    reinstated. Ranked below expired/superseded so an old certificate whose
                    suspension was never lifted reads as expired, which is the durable fact.
6. `valid`
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, Final, Literal, NamedTuple

KINDS = ("ladder", "pso30plus")
Kind = Literal["ladder", "pso30plus"]

STATUSES = ("valid", "expired", "suspended", "revoked", "superseded")
NOT_YET_VALID: Final = "not_yet_valid"
Status = Literal["valid", "expired", "suspended", "revoked", "superseded", "not_yet_valid"]

VALIDITY_YEARS = 2


class Suspension(NamedTuple):
    start: date  # suspended from this day (inclusive)
    end: date | None = None  # reinstated on this day (exclusive); None = still suspended


def add_years(day: date, years: int) -> date:
    """Same calendar day `years` later; 29 February becomes 28 February in a non-leap year.

    This is the convention of SPEC §2.2 ("N years after date D"), reused here so one rule
    holds across the product.
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February -> non-leap year
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's last day (31 Jan + 1 -> 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def valid_until(valid_from: date) -> date:
    """validFrom + 2 years − 1 day (last valid day, inclusive).

    2026-01-01 -> 2027-12-31. For 29 February the "+2 years" lands on 28 February
    (see add_years), so 2024-02-29 -> 2026-02-27; 2024-03-01 -> 2026-02-28.
    """
    return add_years(valid_from, VALIDITY_YEARS) - timedelta(days=1)


def is_suspended_on(
    day: date, suspensions: Iterable[Suspension | tuple[date, date | None]]
) -> bool:
    for start, end in suspensions:
        if start <= day and (end is None or day < end):
            return True
    return False


def status_on(
    day: date,
    *,
    valid_from: date,
    valid_until: date,
    revoked_on: date | None = None,
    suspensions: Iterable[Suspension | tuple[date, date | None]] = (),
    superseded_from: date | None = None,
) -> Status:
    """Status of one certificate on `day`; see the module docstring for the precedence.

    `suspensions` are (start, end) pairs, end exclusive or None while still suspended.
    `superseded_from` is the validFrom of the newer ladder certificate that replaces this one.
    """
    if revoked_on is not None and revoked_on <= day:
        return "revoked"
    if day < valid_from:
        return NOT_YET_VALID
    if superseded_from is not None and superseded_from <= day and superseded_from <= valid_until:
        return "superseded"
    if day > valid_until:
        return "expired"
    if is_suspended_on(day, suspensions):
        return "suspended"
    return "valid"


def is_valid_on(day: date, **certificate: Any) -> bool:
    """True when `status_on(day, **certificate)` is `valid` (e.g. on a tender deadline)."""
    return status_on(day, **certificate) == "valid"


def expiry_window(day: date, months: int = 3) -> tuple[date, date]:
    """Inclusive range of validUntil dates that count as "expiring within `months`" on `day`.

    Handy for a database query: `valid_until BETWEEN start AND end`.
    """
    return day, add_months(day, months)


def expiring_within(day: date, valid_until: date, months: int = 3) -> bool:
    """validUntil falls between `day` and `day` + `months` (both inclusive).

    Callers should also require status `valid` (a revoked certificate needs no reminder).
    """
    start, end = expiry_window(day, months)
    return start <= valid_until <= end

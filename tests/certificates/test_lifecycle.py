from datetime import date

import pytest

from certificates.lifecycle import (
    KINDS,
    STATUSES,
    Suspension,
    add_months,
    add_years,
    expiring_within,
    expiry_window,
    is_valid_on,
    status_on,
    valid_until,
)

D = date


def test_kinds_and_statuses():
    assert KINDS == ("ladder", "pso30plus")
    assert set(STATUSES) == {"valid", "expired", "suspended", "revoked", "superseded"}


@pytest.mark.parametrize(
    ("valid_from", "until"),
    [
        (D(2026, 1, 1), D(2027, 12, 31)),
        (D(2026, 1, 15), D(2028, 1, 14)),
        (D(2025, 3, 1), D(2027, 2, 28)),
        (D(2026, 3, 1), D(2028, 2, 29)),  # ends on a leap day
        (D(2024, 2, 28), D(2026, 2, 27)),
        # 29 Feb: +2 years is 28 Feb (SPEC §2.2 convention), then -1 day.
        (D(2024, 2, 29), D(2026, 2, 27)),
        (D(2024, 3, 1), D(2026, 2, 28)),
    ],
)
def test_valid_until(valid_from, until):
    assert valid_until(valid_from) == until


def test_add_years_and_months():
    assert add_years(D(2024, 2, 29), 4) == D(2028, 2, 29)
    assert add_years(D(2024, 2, 29), 1) == D(2025, 2, 28)
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert add_months(D(2026, 10, 15), 3) == D(2027, 1, 15)


CERT = {"valid_from": D(2026, 1, 15), "valid_until": D(2028, 1, 14)}


@pytest.mark.parametrize(
    ("day", "extra", "status"),
    [
        # plain validity, both ends inclusive
        (D(2026, 1, 14), {}, "not_yet_valid"),
        (D(2026, 1, 15), {}, "valid"),
        (D(2028, 1, 14), {}, "valid"),
        (D(2028, 1, 15), {}, "expired"),
        # revocation: from its day on, final, wins over everything
        (D(2026, 6, 30), {"revoked_on": D(2026, 7, 1)}, "valid"),
        (D(2026, 7, 1), {"revoked_on": D(2026, 7, 1)}, "revoked"),
        (D(2030, 1, 1), {"revoked_on": D(2026, 7, 1)}, "revoked"),
        (
            D(2026, 8, 1),
            {"revoked_on": D(2026, 7, 1), "suspensions": [(D(2026, 6, 1), None)]},
            "revoked",
        ),
        (
            D(2026, 8, 1),
            {"revoked_on": D(2026, 7, 1), "superseded_from": D(2026, 7, 15)},
            "revoked",
        ),
        # revoked before it ever became valid: revoked, not "not yet valid"
        (D(2026, 1, 10), {"revoked_on": D(2026, 1, 5)}, "revoked"),
        (D(2026, 1, 14), {"revoked_on": D(2026, 1, 14)}, "revoked"),
        (D(2026, 1, 4), {"revoked_on": D(2026, 1, 5)}, "not_yet_valid"),
        # suspension: start inclusive, reinstatement day valid again
        (D(2026, 2, 28), {"suspensions": [Suspension(D(2026, 3, 1), D(2026, 4, 1))]}, "valid"),
        (D(2026, 3, 1), {"suspensions": [Suspension(D(2026, 3, 1), D(2026, 4, 1))]}, "suspended"),
        (D(2026, 3, 31), {"suspensions": [Suspension(D(2026, 3, 1), D(2026, 4, 1))]}, "suspended"),
        (D(2026, 4, 1), {"suspensions": [Suspension(D(2026, 3, 1), D(2026, 4, 1))]}, "valid"),
        (
            D(2027, 1, 1),
            {"suspensions": [(D(2026, 3, 1), D(2026, 4, 1)), (D(2026, 12, 1), None)]},
            "suspended",
        ),
        # an old suspension never lifted reads as expired once the period is over
        (D(2028, 1, 15), {"suspensions": [(D(2027, 1, 1), None)]}, "expired"),
        # superseded from the successor's validFrom
        (D(2027, 5, 31), {"superseded_from": D(2027, 6, 1)}, "valid"),
        (D(2027, 6, 1), {"superseded_from": D(2027, 6, 1)}, "superseded"),
        (D(2029, 1, 1), {"superseded_from": D(2027, 6, 1)}, "superseded"),
        (
            D(2027, 6, 1),
            {"superseded_from": D(2027, 6, 1), "suspensions": [(D(2027, 1, 1), None)]},
            "superseded",
        ),
        # a successor that starts only after this one ended leaves it expired
        (D(2028, 3, 1), {"superseded_from": D(2028, 2, 1)}, "expired"),
        (D(2028, 1, 14), {"superseded_from": D(2028, 1, 14)}, "superseded"),
    ],
)
def test_status_table(day, extra, status):
    assert status_on(day, **CERT, **extra) == status


def test_leap_day_certificate():
    cert = {"valid_from": D(2024, 2, 29), "valid_until": valid_until(D(2024, 2, 29))}
    assert status_on(D(2026, 2, 27), **cert) == "valid"
    assert status_on(D(2026, 2, 28), **cert) == "expired"


def test_is_valid_on_tender_deadline():
    assert is_valid_on(D(2027, 3, 1), **CERT)
    assert not is_valid_on(D(2026, 1, 1), **CERT)  # deadline before validFrom
    assert not is_valid_on(D(2027, 3, 1), **CERT, revoked_on=D(2027, 2, 1))


@pytest.mark.parametrize(
    ("day", "until", "expected"),
    [
        (D(2026, 1, 10), D(2026, 1, 10), True),  # expires today
        (D(2026, 1, 10), D(2026, 4, 10), True),  # exactly 3 months
        (D(2026, 1, 10), D(2026, 4, 11), False),
        (D(2026, 1, 10), D(2026, 1, 9), False),  # already expired
        (D(2026, 11, 30), D(2027, 2, 28), True),  # month-end clamp
    ],
)
def test_expiring_within(day, until, expected):
    assert expiring_within(day, until) is expected


def test_expiry_window():
    assert expiry_window(D(2026, 1, 10)) == (D(2026, 1, 10), D(2026, 4, 10))
    assert expiry_window(D(2026, 1, 10), months=1) == (D(2026, 1, 10), D(2026, 2, 10))

"""Today's date where the service's users live (a Dutch service judges Dutch days).

`today()` is the one source of "today" for every rule (validity, deadlines, vouchers,
reminders). In development and tests `PSO_TODAY=YYYY-MM-DD` fixes it (Settings refuses it
with PSO_ENV=production); the app factory and the CLI apply it with `fix()`, tests use the
`fixed_today` fixture or the `fixed(day)` context manager.

`utcnow()` is the one source of the current moment (stored timestamps, session and link
expiry, leases). Tests stop it with `stopped()` and move it with `moved(delta)` instead of
sleeping.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

_fixed: date | None = None
_stopped: datetime | None = None
_offset = timedelta(0)


def today() -> date:
    return _fixed if _fixed is not None else datetime.now(AMSTERDAM).date()


def utcnow() -> datetime:
    """The current moment in UTC (the real time, or where a test stopped it, plus what a
    test moved it by)."""
    return (_stopped or datetime.now(UTC)) + _offset


def now() -> datetime:
    """The current time in Amsterdam (PSO_TODAY fixes days, not hours)."""
    return utcnow().astimezone(AMSTERDAM)


def fix(day: date | None) -> None:
    """Make `today()` answer `day` in this process (None: the real date again)."""
    global _fixed
    _fixed = day


def fixed_day() -> date | None:
    return _fixed


@contextlib.contextmanager
def fixed(day: date) -> Iterator[date]:
    """`today()` answers `day` inside the block; the previous value comes back afterwards."""
    previous = _fixed
    fix(day)
    try:
        yield day
    finally:
        fix(previous)


@contextlib.contextmanager
def moved(delta: timedelta) -> Iterator[None]:
    """`utcnow()` and `now()` run `delta` ahead inside the block (tests: no sleeping)."""
    global _offset
    previous = _offset
    _offset = previous + delta
    try:
        yield
    finally:
        _offset = previous


@contextlib.contextmanager
def stopped() -> Iterator[datetime]:
    """`utcnow()` stands still inside the block (tests: exact moments with `moved`)."""
    global _stopped
    previous, _stopped = _stopped, _stopped or datetime.now(UTC)
    try:
        yield utcnow()
    finally:
        _stopped = previous

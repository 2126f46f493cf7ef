"""Today's date where the service's users live (a Dutch service judges Dutch days)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def today() -> date:
    return datetime.now(AMSTERDAM).date()

"""Builders for scoring tests: small dict submissions, scored through the public functions."""
from __future__ import annotations

import copy
from datetime import date

from scoring import parse_submission, score

ALL_GOOD = {"suitableWork": True, "integration": True, "development": True, "guidance": True}


def emp(ref: str = "E1", position: str = "wajong", contract: str = "regular", hours="40",
        start: str = "2015-01-01", **extra) -> dict:
    out = {"reference": ref, "startingPosition": position, "contractType": contract,
           "hoursPerWeek": hours, "employmentStart": start}
    out.update(extra)
    return out


def purchase(invoice="100000", turnover="1000000", fte="50", pct="40", **extra) -> dict:
    out = {"supplierName": "Leverancier", "supplierKvk": "12345678",
           "supplierKind": "pso_certified", "invoiceAmount": invoice,
           "supplierTurnover": turnover, "supplierFte": fte, "supplierDirectPct": pct}
    out.update(extra)
    return out


def submission(employees=(), total="10", purchases=(), start="2024-01-01", end="2024-12-31",
               quality=None, as_of="2025-02-01", **extra) -> dict:
    out = {"period": {"start": start, "end": end}, "totalFte": total,
           "employees": list(employees), "purchases": list(purchases),
           "quality": dict(quality or ALL_GOOD)}
    if as_of is not None:
        out["asOf"] = as_of
    out.update(extra)
    return copy.deepcopy(out)


def run(data: dict, rulebook: str | None = None) -> dict:
    return score(parse_submission(data), rulebook)


def one(employee: dict, **kw) -> dict:
    """The breakdown row of a single employee."""
    return run(submission([employee], **kw))["employees"][0]


def d(text: str) -> date:
    return date.fromisoformat(text)

"""Throughput of the scoring engine (spec §2), and of POST /api/v1/score.

    .venv/bin/python benchmarks/bench_scoring.py [--seconds 1.0] [--runs 5]

Prints submissions per second (median of several runs) for a typical submission
(25 employees, 3 purchases) and a large one (2,000 employees): the engine alone on an
already parsed submission, and parse + score from JSON bytes. Engine figures are CPU time
of this process (one core), so other work on a shared machine disturbs them less.

Both submissions land below trede 3, so every score also runs the nextRung search.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scoring import parse_submission, score

POSITIONS = ["participatiewet", "wajong", "wsw", "wia_wao_waz", "ww", "statushouder",
             "vso_pro", "bbl_bol_1", "target_group_register", "nug_sroi"]
CONTRACTS = ["regular", "regular", "secondment", "internship", "supported", "trial"]


def make_submission(employees: int, purchases: int, total_fte: int | None = None) -> dict:
    """A deterministic, realistic submission: mixed positions, contracts, part-time, windows."""
    emps = []
    for i in range(employees):
        e = {
            "reference": f"MW-{i:05d}",
            "startingPosition": POSITIONS[i % len(POSITIONS)],
            "contractType": CONTRACTS[i % len(CONTRACTS)],
            "hoursPerWeek": str([40, 32, 24, 36, 20][i % 5]),
            "employmentStart": f"{2017 + i % 8}-{1 + i % 12:02d}-01",
            "inTargetGroupRegister": i % 7 == 0,
        }
        if i % 9 == 4:
            e["employmentEnd"] = "2024-09-30"
        if e["startingPosition"] == "vso_pro":
            e["schoolLeftOn"] = f"{2015 + i % 6}-07-01"
        if e["startingPosition"] == "wsw":
            e["wswIndicationUntil"] = "2024-10-31"
        if e["startingPosition"] == "participatiewet" and i % 2:
            e["wageSubsidyUntil"] = "2026-12-31"
        emps.append(e)
    return {
        "period": {"start": "2024-01-01", "end": "2024-12-31"},
        "totalFte": str(total_fte or employees * 24),
        "fullTimeHoursPerWeek": 38,
        "employees": emps,
        "purchases": [{
            "supplierName": f"Leverancier {j}", "supplierKvk": f"{10000000 + j}",
            "supplierKind": "pso_certified" if j % 2 else "sw_company",
            "invoiceAmount": "25000.00", "supplierTurnover": "1500000", "supplierFte": "40",
            "supplierDirectPct": "35.5"} for j in range(purchases)],
        "quality": {"suitableWork": True, "integration": True, "development": True,
                    "guidance": True},
        "asOf": "2025-03-01",
    }


def rate(fn, seconds: float, runs: int, clock=time.process_time) -> float:
    """Median calls per second over `runs` runs of about `seconds` each."""
    n = 1
    while True:  # calibrate a batch size that takes ~seconds/10
        t = clock()
        for _ in range(n):
            fn()
        if clock() - t > seconds / 10:
            break
        n *= 2
    results = []
    for _ in range(runs):
        count, t0 = 0, clock()
        while clock() - t0 < seconds:
            for _ in range(n):
                fn()
            count += n
        results.append(count / (clock() - t0))
    return statistics.median(results)


def bench_engine(seconds: float, runs: int) -> list[tuple[str, float]]:
    rows = []
    for label, emps, purch in (("typical (25 employees, 3 purchases)", 25, 3),
                               ("large (2,000 employees, 3 purchases)", 2000, 3)):
        raw = json.dumps(make_submission(emps, purch)).encode()
        sub = parse_submission(raw)
        result = score(sub)  # also warms the rulebook cache
        assert result["nextRung"] is not None, "benchmark submissions should exercise nextRung"
        rows.append((f"engine score()        {label}",
                     rate(lambda sub=sub: score(sub), seconds, runs)))
        rows.append((f"parse + score (JSON)  {label}",
                     rate(lambda raw=raw: score(parse_submission(raw, check_totals=False)),
                          seconds, runs)))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=1.0, help="length of one run")
    ap.add_argument("--runs", type=int, default=5, help="runs per figure (median is printed)")
    args = ap.parse_args()
    print(f"{'what':<62} {'per second':>12}")
    for label, value in bench_engine(args.seconds, args.runs):
        print(f"{label:<62} {value:>12,.0f}")


if __name__ == "__main__":
    main()

"""Valuing social-return lines with the engine (SPEC §8.1, issue 28).

    .venv/bin/python benchmarks/bench_sroi.py [--lines 10000] [--runs 5] [--json]

Values a deterministic mix of lines (placements, some persons over several lines,
apprenticeships, work experience; the model has no purchase or bonus blocks) under the
Oost-Nederland model within a two-year contract period, as `value_lines` does for a contract's page:
anchoring each person's window, then every line exact and rounded once. Prints the median
seconds over the runs (CPU time of this process) and lines per second. `run_all.py` runs it
with --json and shows its figures; `row(data)` is the summary row for a harness that knows it.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sroi.engine import (
    Apprenticeship,
    Line,
    Placement,
    WorkExperience,
    value_lines,
)
from sroi.model import packaged_model

PERIOD = (date(2027, 1, 1), date(2028, 12, 31))
PLACEMENT_BLOCKS = ("pw-kort", "pw-lang", "doelgroep", "ww-kort", "ww-lang", "nug")


def make_lines(count: int) -> list[Line]:
    """Deterministic: every fifth line another quarter of an earlier person."""
    out: list[Line] = []
    for i in range(count):
        start = PERIOD[0] + timedelta(days=(i * 37) % 600)
        end = start + timedelta(days=89)
        kind = i % 10
        if kind < 6:
            person = f"P-{i // 5 if i % 5 == 4 else i}"
            out.append(Placement(PLACEMENT_BLOCKS[i % len(PLACEMENT_BLOCKS)], start, end,
                                 Decimal(16 + i % 21), person=person))
        elif kind == 6:
            out.append(Apprenticeship("bbl-1-2", start, end, person=f"L-{i}"))
        elif kind == 7:
            out.append(WorkExperience("werkervaring", start, end))
        elif kind == 8:
            out.append(Placement("pw-kort", start, end, Decimal(36), person=f"B-{i}"))
        else:
            out.append(WorkExperience("werkervaring", start, start + timedelta(days=29)))
    return out


def measure(count: int, runs: int) -> dict:
    model = packaged_model("oost-nederland-v05")
    lines = make_lines(count)
    times, total = [], Decimal(0)
    for _ in range(runs):
        started = time.process_time()
        values = value_lines(model, lines, PERIOD)
        times.append(time.process_time() - started)
        total = sum((v.amount for v in values), Decimal(0))
    median = statistics.median(times)
    return {"lines": count, "runs": runs, "median_s": round(median, 4),
            "lines_per_second": round(count / median) if median else None,
            "total_value": f"{total:.2f}"}


def row(data: dict) -> tuple[str, str, str, str]:
    """(figure, value, next to, source) for run_all's summary table."""
    return (f"social return: value {data['lines']:,} lines", f"{data['median_s']:.3f} s",
            f"{data['lines_per_second']:,} lines/s" if data.get("lines_per_second") else "",
            "bench_sroi")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    data = measure(args.lines, args.runs)
    if args.json:
        print(json.dumps(data))
    else:
        print(f"value {data['lines']} lines, median of {data['runs']}  {data['median_s']}")
        print(f"lines per second  {data['lines_per_second']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

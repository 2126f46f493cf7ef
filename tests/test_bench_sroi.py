"""The bench row for valuing social-return lines runs (on tiny input here) and gives one row."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from benchmarks.bench_sroi import make_lines, measure, row
from benchmarks.run_all import parse_output, rows

ROOT = Path(__file__).resolve().parents[1]


def test_tiny_run_gives_a_row() -> None:
    data = measure(50, 1)
    assert data["lines"] == 50 and Decimal(data["total_value"]) > 0
    assert len(make_lines(50)) == 50
    figure, value, _, source = row(data)
    assert figure == "social return: value 50 lines" and value.endswith(" s")
    assert source == "bench_sroi"


def test_run_all_picks_it_up_with_json() -> None:
    done = subprocess.run([sys.executable, "benchmarks/bench_sroi.py", "--json", "--lines",
                           "20", "--runs", "1"], capture_output=True, text=True, cwd=ROOT,
                          check=True)
    data = parse_output(done.stdout)
    assert data["lines"] == 20
    table = {r[0]: r for r in rows({"bench_sroi.py": {"ok": True, "data": data}})}
    assert table["bench_sroi"][1].startswith("lines 20")

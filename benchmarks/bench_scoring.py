"""Throughput of the scoring engine (spec §2), and of POST /api/v1/score.

    .venv/bin/python benchmarks/bench_scoring.py [--seconds 1.0] [--runs 5] [--no-api]

Prints submissions per second (median of several runs) for a typical submission
(25 employees, 3 purchases) and a large one (2,000 employees): the engine alone on an
already parsed submission, and parse + score from JSON bytes. Engine figures are CPU time
of this process (one core), so other work on a shared machine disturbs them less.

Both submissions land below trede 3, so every score also runs the nextRung search.

The API part starts the real server (`pso serve --no-demo`: uvicorn, one process, access
log and start-up tuning as in production, PSO_RATE_LIMIT=0) on a free loopback port and
compares POST /api/v1/score (the typical submission) with GET /api/v1/health/live on that
same server: requests per second over keep-alive
connections, median of several bounded runs, alternating the two endpoints so that load
from elsewhere hits both alike. The client is a minimal asyncio HTTP/1.1 client with
prebuilt requests, so it costs far less per request than the server it measures.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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


# ---- API: a real server and a small raw HTTP client ------------------------------------

@contextlib.contextmanager
def server() -> Iterator[int]:
    """The real server (`pso serve`, uvicorn) on a free loopback port; yields the port."""
    from tests.servers import pso_serve, start_server

    with tempfile.TemporaryDirectory() as tmp, start_server(
        f"sqlite+aiosqlite:///{tmp}/bench.sqlite3", timeout=60,
        command=pso_serve("--no-demo"),
    ) as base:
        yield int(base.rsplit(":", 1)[1])


def http_request(method: str, path: str, body: bytes = b"") -> bytes:
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Length: {len(body)}\r\n")
    if body:
        head += "Content-Type: application/json\r\n"
    return head.encode() + b"\r\n" + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def _get_status(port: int, path: str) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(http_request("GET", path))
    status = await _read_response(reader)
    writer.close()
    return status


async def _blast(port: int, request: bytes, total: int, connections: int) -> float:
    """Send `total` requests over `connections` keep-alive connections; requests per second."""
    async def worker(n: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(n):
            writer.write(request)
            status = await _read_response(reader)
            if status != 200:
                raise RuntimeError(f"unexpected status {status}")
        writer.close()

    share = [total // connections + (i < total % connections) for i in range(connections)]
    t0 = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in share))
    return total / (time.perf_counter() - t0)


def bench_api(requests: int, runs: int, connections: int) -> list[tuple[str, float]]:
    score_req = http_request("POST", "/api/v1/score",
                             json.dumps(make_submission(25, 3)).encode())
    live_req = http_request("GET", "/api/v1/health/live")
    with server() as port:
        for req in (live_req, score_req):  # warm up both paths
            asyncio.run(_blast(port, req, min(200, requests), connections))
        live, scored = [], []
        for _ in range(runs):
            live.append(asyncio.run(_blast(port, live_req, requests, connections)))
            scored.append(asyncio.run(_blast(port, score_req, requests, connections)))
    live_rate, score_rate = statistics.median(live), statistics.median(scored)
    return [("API GET /api/v1/health/live (baseline)", live_rate),
            ("API POST /api/v1/score       typical (25 employees, 3 purchases)", score_rate),
            ("API ratio score / health (%)", 100 * score_rate / live_rate)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=1.0, help="length of one engine run")
    ap.add_argument("--runs", type=int, default=5, help="runs per figure (median is printed)")
    ap.add_argument("--requests", type=int, default=2000, help="requests per API run")
    ap.add_argument("--connections", type=int, default=8, help="concurrent API connections")
    ap.add_argument("--no-api", action="store_true", help="engine figures only")
    args = ap.parse_args()
    print(f"{'what':<66} {'per second':>12}")
    rows = bench_engine(args.seconds, args.runs)
    for label, value in rows:
        print(f"{label:<66} {value:>12,.0f}", flush=True)
    if not args.no_api:
        for label, value in bench_api(args.requests, args.runs, args.connections):
            print(f"{label:<66} {value:>12,.0f}", flush=True)


if __name__ == "__main__":
    main()

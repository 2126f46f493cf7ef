"""HTTP load on a real server: per-endpoint throughput and p99, then a mixed load.

Run: .venv/bin/python benchmarks/bench_load.py [--seconds 60] [--connections 16]
     [--requests 2000] [--workers 1] [--json]

Starts `pso serve` (uvicorn, demo data, PSO_RATE_LIMIT=0) on a fresh SQLite database and
a free loopback port, then, with a bounded httpx.AsyncClient load generator:

1. GET /api/v1/health/live and POST /api/v1/score (25 employees), `--requests` each over
   `--connections` keep-alive connections: requests/s and latency percentiles;
2. a mixed load for `--seconds` (what the public uses: score, register search, certificate
   look-up, verification page, PDF download, tender evaluation, liveness), reporting
   requests/s, p50/p99 and the number of errors (non-2xx answers and failed requests).

Only loopback is ever addressed, every loop stops by count or time, and the server is
stopped at the end. The client shares the machine with the server: on 2 cores the figures
are a floor, not the service's ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_scoring import make_submission
from tests.servers import pso_serve, start_server

MAX_REQUESTS = 500_000  # hard cap on any phase, whatever the clock says


@contextlib.contextmanager
def server(workers: int) -> Iterator[str]:
    """`pso serve --workers N` with demo data (the mixed load uses its certificates)."""
    with tempfile.TemporaryDirectory(prefix="pso-bench-") as folder, start_server(
        f"sqlite+aiosqlite:///{folder}/bench.sqlite3", {"PSO_ENV": "development"},
        timeout=120, command=pso_serve("--workers", str(workers)),
    ) as base:
        yield base


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors = 0
        self.statuses: dict[int, int] = {}

    async def send(self, client: httpx.AsyncClient, method: str, url: str, **kw) -> None:
        started = time.perf_counter()
        try:
            response = await client.request(method, url, **kw)
            await response.aread()
        except httpx.HTTPError:
            self.errors += 1
            return
        self.latencies.append((time.perf_counter() - started) * 1000)
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        if response.status_code >= 300:
            self.errors += 1

    def summary(self, seconds: float) -> dict:
        n = len(self.latencies)
        return {"requests": n, "requests_per_second": round(n / seconds, 1),
                "p50_ms": round(percentile(self.latencies, 50), 2),
                "p99_ms": round(percentile(self.latencies, 99), 2),
                "errors": self.errors, "statuses": self.statuses}


async def fixed(base: str, method: str, path: str, total: int, connections: int,
                **kw) -> dict:
    tally = Tally()
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        for _ in range(min(100, total)):  # warm-up, not counted
            await client.request(method, path, **kw)
        counter = itertools.count()

        async def lane() -> None:
            while next(counter) < min(total, MAX_REQUESTS):
                await tally.send(client, method, path, **kw)

        started = time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(connections)))
        return tally.summary(time.perf_counter() - started)


def tender_body(numbers: list[str]) -> dict:
    """Five bids, three of them with a certificate from the register."""
    bids = [{"bidder": f"Inschrijver {i}", "kvk": f"{90000000 + i}",
             "price": f"{100000 + 1000 * i}.00"} for i in range(5)]
    for bid, number in zip(bids, numbers[:3], strict=False):
        bid["certificateNumber"] = number
    return {"deadline": time.strftime("%Y-%m-%d"),
            "policy": {"mode": "percentage",
                       "values": {"trede1": "5", "trede2": "7.5", "trede3": "10"}},
            "bids": bids}


async def mixed(base: str, seconds: float, connections: int) -> dict:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        page = (await client.get("/api/v1/certificates", params={"pageSize": 50})).json()
        numbers = [item["number"] for item in page["items"]] or ["PSO-2026-000001"]
        score = make_submission(25, 3)
        tender = tender_body(numbers)
        # (weight, method, path or path factory, keyword arguments)
        def number(i: int) -> str:
            return numbers[i % len(numbers)]

        # (weight, label, method, path factory, keyword arguments)
        mix = [
            (30, "score", "POST", lambda i: "/api/v1/score", {"json": score}),
            (15, "register search", "GET", lambda i: "/api/v1/certificates", {"params": {"q": "b"}}),
            (15, "certificate", "GET", lambda i: f"/api/v1/certificates/{number(i)}", {}),
            (10, "verification page", "GET", lambda i: f"/register/{number(i)}", {}),
            (5, "certificate pdf", "GET", lambda i: f"/api/v1/certificates/{number(i)}/pdf", {}),
            (10, "tender evaluation", "POST", lambda i: "/api/v1/tender-evaluations",
             {"json": tender}),
            (15, "live", "GET", lambda i: "/api/v1/health/live", {}),
        ]
        plan = [entry for entry in mix for _ in range(entry[0])]
        tally = Tally()
        per_kind = {label: Tally() for _, label, *_ in mix}
        counter = itertools.count()
        stop_at = time.monotonic() + seconds

        async def lane() -> None:
            while time.monotonic() < stop_at:
                i = next(counter)
                if i >= MAX_REQUESTS:
                    return
                _, label, method, path, kw = plan[(i * 7) % len(plan)]
                await per_kind[label].send(client, method, path(i), **kw)

        started = time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(connections)))
        elapsed = time.perf_counter() - started
        for part in per_kind.values():  # the whole is the sum of its parts
            tally.latencies += part.latencies
            tally.errors += part.errors
            for status, n in part.statuses.items():
                tally.statuses[status] = tally.statuses.get(status, 0) + n
        return {**tally.summary(elapsed), "seconds": seconds, "connections": connections,
                "by_kind": {label: part.summary(elapsed) for label, part in per_kind.items()}}


def run(seconds: float, connections: int, requests: int, workers: int) -> dict:
    with server(workers) as base:
        live = asyncio.run(fixed(base, "GET", "/api/v1/health/live", requests, connections))
        score = asyncio.run(fixed(base, "POST", "/api/v1/score", requests, connections,
                                  json=make_submission(25, 3)))
        load = asyncio.run(mixed(base, seconds, connections))
    return {"server_workers": workers, "live": live, "score": score, "mixed": load}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the mixed load")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--requests", type=int, default=2000, help="per single-endpoint run")
    parser.add_argument("--workers", type=int, default=1, help="pso serve --workers")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = run(args.seconds, args.connections, args.requests, args.workers)
    if args.json:
        print(json.dumps(result))
        return 0
    for label, key in (("GET /api/v1/health/live", "live"), ("POST /api/v1/score", "score"),
                       (f"mixed load, {args.seconds:.0f} s", "mixed")):
        r = result[key]
        print(f"{label:28} {r['requests_per_second']:8.1f} req/s  p50 {r['p50_ms']:7.1f} ms  "
              f"p99 {r['p99_ms']:7.1f} ms  errors {r['errors']}")
    for label, r in result["mixed"]["by_kind"].items():
        print(f"  {label:26} {r['requests_per_second']:8.1f} req/s  p50 {r['p50_ms']:7.1f} ms  "
              f"p99 {r['p99_ms']:7.1f} ms  errors {r['errors']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

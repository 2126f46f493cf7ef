"""Voucher issuing under contention: many applications at once for a scheme with less room.

Run: .venv/bin/python benchmarks/bench_vouchers.py [--requests 200] [--room 100]
     [--servers 1] [--backend sqlite|postgres ...] [--json]

For each backend (a temporary SQLite file; PostgreSQL too when a server answers on
127.0.0.1:5432 or PSO_TEST_POSTGRES_URL is set, in a temporary database created here and
dropped afterwards), migrated to head:

1. registers `--requests` organisations and an open scheme with room for `--room` vouchers;
2. starts a real server (uvicorn, `pso.app:create_app`, as tests/servers.py does) and
   fires all `--requests` issue requests at the same moment, one connection each;
3. reports issued vouchers per second over the burst, answers per second and p50/p99
   latency of all answers, then verifies: exactly `--room` answers 201 and the rest 409
   budget-exhausted, the scheme's committed amount equals its budget (available 0), exactly
   `--room` voucher rows and `voucher.issued` audit entries. A failed check exits 1.

Only loopback is addressed; the server is stopped and the temporary databases are removed.
The client shares the machine with the server: on 2 cores the figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso import clock
from pso.auth import SYSTEM
from pso.db.engine import make_engine
from pso.db.migrate import upgrade
from pso.db.models import AuditEvent, Voucher
from pso.services import organizations, users
from pso.services import vouchers as service
from tests.databases import postgres_admin_url, temporary_postgres
from tests.servers import start_server

AMOUNT = Decimal("1000.00")
DEADLINE = 300  # seconds for one burst, far above what it takes


def kvk(i: int) -> str:
    return f"5{i:07d}"


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# --- databases -----------------------------------------------------------------------


@contextlib.contextmanager
def database(backend: str) -> Iterator[str]:
    """A fresh database migrated to head; removed afterwards."""
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="pso-bench-vouchers-")
        try:
            url = f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
            upgrade(url)
            yield url
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    with temporary_postgres("pso_bench") as url:
        upgrade(url)
        yield url


async def prepare(url: str, applicants: int, room: int) -> tuple[int, dict[str, str]]:
    """Organisations in GM0200, an open scheme with room for `room` vouchers, and the
    municipality's Authorization header."""
    day = clock.today()
    engine = make_engine(url)
    try:
        async with async_sessionmaker(engine)() as session, session.begin():
            for i in range(applicants):
                await organizations.create(session, SYSTEM, {
                    "kvk": kvk(i), "name": f"Aanvrager {i}", "municipality_code": "GM0200",
                    "kind": "company"})
            scheme = await service.create_scheme(session, SYSTEM, {
                "title": "Benchmark", "municipality_code": "GM0200", "voucher_amount": AMOUNT,
                "budget": AMOUNT * room, "application_opens_on": day - timedelta(days=1),
                "application_closes_on": day + timedelta(days=1),
                "voucher_validity_days": 365, "max_fte": Decimal("249.99"),
                "eligible_municipality_codes": ["GM0200"]})
            _, token = await users.add(session, SYSTEM, "municipality", "bench",
                                       municipality_code="GM0200")
            return scheme.id, {"Authorization": f"Bearer {token}"}
    finally:
        await engine.dispose()


async def stored(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        async with async_sessionmaker(engine)() as session:
            return {
                "vouchers": await session.scalar(select(func.count()).select_from(Voucher)),
                "audit_issued": await session.scalar(
                    select(func.count()).where(AuditEvent.action == "voucher.issued")),
            }
    finally:
        await engine.dispose()


# --- the burst -----------------------------------------------------------------------


async def burst(urls: list[str], sid: int, headers: dict[str, str],
                applicants: int) -> tuple[list[tuple[int, str, float]], float]:
    """All requests at once, one connection each: (status, problem slug, ms) and seconds."""
    limits = httpx.Limits(max_connections=applicants, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=DEADLINE, limits=limits) as http:

        async def one(i: int) -> tuple[int, str, float]:
            base = urls[i % len(urls)]
            started = time.perf_counter()
            try:
                response = await http.post(f"{base}/api/v1/voucher-schemes/{sid}/vouchers",
                                           json={"kvk": kvk(i), "fte": "10"}, headers=headers)
            except httpx.HTTPError as exc:
                return 0, type(exc).__name__, (time.perf_counter() - started) * 1000
            ms = (time.perf_counter() - started) * 1000
            slug = "" if response.status_code < 400 else \
                response.json().get("type", "").rsplit(":", 1)[-1]
            return response.status_code, slug, ms

        started = time.perf_counter()
        answers = await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(applicants))),
                                         DEADLINE)
        return answers, time.perf_counter() - started


def run_backend(backend: str, applicants: int, room: int, servers: int) -> dict:
    with database(backend) as url:
        sid, headers = asyncio.run(prepare(url, applicants, room))
        with contextlib.ExitStack() as stack:
            urls = [stack.enter_context(start_server(url)) for _ in range(servers)]
            for base in urls:  # first request of each process (imports, pool), not timed
                httpx.get(f"{base}/api/v1/voucher-schemes/{sid}", headers=headers, timeout=30)
            answers, seconds = asyncio.run(burst(urls, sid, headers, applicants))
            scheme = httpx.get(f"{urls[0]}/api/v1/voucher-schemes/{sid}", headers=headers,
                               timeout=30).json()
        rows = asyncio.run(stored(url))

    outcomes = Counter(str(status) if status < 400 else slug for status, slug, _ in answers)
    issued = outcomes.get("201", 0)
    latencies = [ms for status, _, ms in answers if status]
    checks = {
        "exactly room issued": issued == room,
        "the rest budget-exhausted": outcomes.get("budget-exhausted", 0) == applicants - room,
        "committed == budget": scheme.get("committed") == scheme.get("budget")
        == str(AMOUNT * room),
        "available 0": scheme.get("available") == "0.00",
        "voucher rows": rows["vouchers"] == room,
        "audit entries": rows["audit_issued"] == room,
    }
    return {
        "backend": backend, "servers": servers, "requests": applicants, "room": room,
        "seconds": round(seconds, 3),
        "issued_per_second": round(issued / seconds, 1),
        "answers_per_second": round(len(answers) / seconds, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies, default=float("nan")), 1),
        "outcomes": dict(outcomes),
        "budget": scheme.get("budget"), "committed": scheme.get("committed"),
        "available": scheme.get("available"), "stored": rows,
        "checks": checks, "ok": all(checks.values()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="applications fired at once")
    parser.add_argument("--room", type=int, default=100, help="vouchers the budget holds")
    parser.add_argument("--servers", type=int, default=1, help="server processes sharing the "
                        "database (requests spread over them)")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"],
                        help="default: sqlite, and postgres when it answers")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if not 0 < args.room < args.requests <= 2000:
        parser.error("need 0 < --room < --requests <= 2000")
    backends = args.backend or ["sqlite", *(["postgres"] if postgres_admin_url() else [])]

    runs = {}
    for backend in backends:
        print(f"{backend}: {args.requests} applications at once, room for {args.room} ...",
              file=sys.stderr, flush=True)
        runs[backend] = run_backend(backend, args.requests, args.room, args.servers)

    ok = all(r["ok"] for r in runs.values())
    if args.json:
        # Headline figures first: run_all.py shows the first plain numbers of this object.
        headline = {f"{b} issued/s": r["issued_per_second"] for b, r in runs.items()}
        headline |= {f"{b} p99 ms": r["p99_ms"] for b, r in runs.items()}
        headline |= {f"{b} p50 ms": r["p50_ms"] for b, r in runs.items()}
        print(json.dumps({**headline, "requests": args.requests, "room": args.room,
                          "servers": args.servers, "ok": ok, "runs": runs}))
    else:
        for backend, r in runs.items():
            print(f"{backend:9} {r['requests']} requests, room {r['room']}, "
                  f"{r['servers']} server(s): {r['issued_per_second']:7.1f} issued/s  "
                  f"{r['answers_per_second']:7.1f} answers/s  p50 {r['p50_ms']:7.1f} ms  "
                  f"p99 {r['p99_ms']:7.1f} ms  outcomes {r['outcomes']}  "
                  f"committed {r['committed']} of {r['budget']}  "
                  f"{'OK' if r['ok'] else 'FAILED ' + str(r['checks'])}")
    if not ok:
        failed = {b: [name for name, good in r["checks"].items() if not good]
                  for b, r in runs.items() if not r["ok"]}
        print(f"voucher budget checks failed: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

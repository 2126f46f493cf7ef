"""Tender evaluation of 10,000 bids, register look-ups included.

Sets up a temporary SQLite database (migrated to head) with 10,000 organisations and their
certificates by bulk inserts (some revoked, suspended, expired, not yet valid, PSO 30+),
then times:

- the service call `pso.services.procurement.evaluate` (one register query per 5,000
  numbers, plus the ranking), and
- the public endpoint POST /api/v1/tender-evaluations through the ASGI test client
  (JSON decoding, validation, look-ups, ranking and the JSON answer),

each first as a plain process, then with the start-up objects frozen for the garbage
collector, as `pso serve` runs the service (see pso/cli/__init__.py).

Run: .venv/bin/python benchmarks/bench_procurement.py [--bids 10000] [--runs 5]
Target (issue 5): <= 0.5 s for 10,000 bids including the register look-ups.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import json
import logging
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from litestar.testing import AsyncTestClient
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso.app import create_app
from pso.clock import today
from pso.db.engine import make_engine
from pso.db.migrate import upgrade
from pso.db.models import Assessment, Certificate, Organization, Suspension
from pso.procurement.evaluation import Bid, Member, Policy
from pso.services import procurement
from pso.settings import Settings

TARGET_S = 0.5
RUNGS = ("aspirant", "basistrede", "trede1", "trede2", "trede3")
POLICY = {"mode": "percentage", "values": {"aspirant": "1", "basistrede": "2", "trede1": "3",
                                           "trede2": "5", "trede3": "7", "pso30plus": "10"}}


def kvk(i: int) -> str:
    return f"{10_000_000 + i:08d}"


def cert_number(i: int) -> str:
    return f"PSO-2026-{i + 1:06d}"


async def fill(url: str, n: int, deadline: date) -> None:
    """n organisations, each with a ladder certificate; every 10th also PSO 30+."""
    engine = make_engine(url)
    start = deadline - timedelta(days=200)
    orgs = [{"id": i + 1, "kvk": kvk(i), "name": f"Bedrijf {i}", "municipality_code": "GM0363",
             "kind": "company"} for i in range(n)]
    assessments = [{"id": i + 1, "organization_id": i + 1, "status": "approved",
                    "submission": {}, "score": {}, "rulebook": "pso-2.1"} for i in range(n)]
    certificates, suspensions = [], []
    pdf = b"%PDF-1.7 placeholder"
    digest = hashlib.sha256(pdf).hexdigest()
    serial = 0
    for i in range(n):
        valid_from = start
        revoked = None
        if i % 50 == 1:
            revoked = deadline - timedelta(days=3)
        if i % 50 == 2:
            valid_from = deadline + timedelta(days=10)  # valid only after the deadline
        if i % 50 == 3:
            valid_from = deadline - timedelta(days=900)  # expired by the deadline
        kinds = ["ladder", "pso30plus"] if i % 10 == 0 else ["ladder"]
        for kind in kinds:
            serial += 1
            certificates.append({
                "id": serial, "number": cert_number(serial - 1), "kind": kind,
                "rung": "trede3" if kind == "pso30plus" or i % 10 == 0 else RUNGS[i % 5],
                "organization_id": i + 1, "assessment_id": i + 1, "valid_from": valid_from,
                "valid_until": valid_from + timedelta(days=729), "rulebook": "pso-2.1",
                "issuer": "Benchmark", "pdf": pdf, "pdf_sha256": digest, "revoked_on": revoked,
            })
            if i % 50 == 4:
                suspensions.append({"certificate_id": serial, "start": deadline - timedelta(5)})
    async with engine.begin() as conn:
        for model, rows in ((Organization, orgs), (Assessment, assessments),
                            (Certificate, certificates), (Suspension, suspensions)):
            for k in range(0, len(rows), 2000):
                await conn.execute(insert(model), rows[k:k + 2000])
    await engine.dispose()


def bid_rows(n: int) -> list[dict]:
    """Mostly own certificates; some another company's, unknown, declared, consortia."""
    numbers = {}
    serial = 0
    for i in range(n):
        numbers[i] = cert_number(serial)
        serial += 2 if i % 10 == 0 else 1
    rows = []
    for i in range(n):
        row = {"bidder": f"Bedrijf {i}", "kvk": kvk(i), "price": f"{100_000 + (i * 37) % 5000}.{i % 100:02d}"}
        if i % 100 == 5:
            row["certificateNumber"] = numbers[(i + 1) % n]  # another company's
        elif i % 100 == 6:
            row["certificateNumber"] = f"PSO-2030-{i:06d}"  # unknown
        elif i % 100 == 7:
            row["declaredRung"] = "trede2"
        elif i % 100 == 8 and i + 1 < n:
            row["consortium"] = [{"kvk": kvk(i), "certificateNumber": numbers[i]},
                                 {"kvk": kvk(i + 1), "certificateNumber": numbers[i + 1]}]
        else:
            row["certificateNumber"] = numbers[i]
        rows.append(row)
    return rows


def to_bid(row: dict) -> Bid:
    members = tuple(Member(m["kvk"], m.get("certificateNumber"))
                    for m in row.get("consortium", ()))
    return Bid(row["bidder"], row["kvk"], Decimal(row["price"]), row.get("certificateNumber"),
               row.get("declaredRung"), members)


async def run(n: int, runs: int) -> dict:
    deadline = today()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        await asyncio.to_thread(upgrade, url)
        t0 = time.perf_counter()
        await fill(url, n, deadline)
        setup_s = time.perf_counter() - t0
        rows = bid_rows(n)
        bids = [to_bid(r) for r in rows]
        policy = Policy("percentage", {k: Decimal(v) for k, v in POLICY["values"].items()})

        engine = make_engine(url)
        maker = async_sessionmaker(engine, expire_on_commit=False)
        body = json.dumps({"deadline": deadline.isoformat(), "policy": POLICY, "bids": rows})
        settings = Settings.from_env({"PSO_ENV": "test", "PSO_DATABASE_URL": url,
                                      "PSO_RATE_LIMIT": "0", "PSO_LOG_LEVEL": "WARNING"})
        times: dict[str, list[float]] = {}
        async with AsyncTestClient(app=create_app(settings)) as client:
            logging.disable(logging.INFO)  # the test client logs every request
            for frozen in (False, True):
                if frozen:  # as `pso serve` does once the app has started
                    gc.collect()
                    gc.freeze()
                label = "frozen" if frozen else "plain"
                times[f"service_{label}"] = service = []
                for _ in range(runs + 1):  # the first run warms caches and is not counted
                    async with maker() as session:
                        t0 = time.perf_counter()
                        ranking, facts = await procurement.evaluate(session, deadline, policy,
                                                                    bids)
                        service.append(time.perf_counter() - t0)
                times[f"http_{label}"] = http = []
                for _ in range(runs + 1):
                    t0 = time.perf_counter()
                    response = await client.post("/api/v1/tender-evaluations", content=body,
                                                 headers={"Content-Type": "application/json"})
                    http.append(time.perf_counter() - t0)
                    assert response.status_code == 200, response.text[:500]
            answer = response.json()
        gc.unfreeze()
        await engine.dispose()
    rungs: dict[str, int] = {}
    for r in ranking:
        rungs[r.rung] = rungs.get(r.rung, 0) + 1
    medians = {f"{k}_median_s": round(statistics.median(v[1:]), 3) for k, v in times.items()}
    return {
        "bids": n, "certificates_found": len(facts), "runs": runs,
        "setup_s": round(setup_s, 2), **medians,
        "request_bytes": len(body), "response_bids": len(answer["ranking"]),
        "rungs": dict(sorted(rungs.items())),
        "service_ok": medians["service_frozen_median_s"] <= TARGET_S,
        "http_ok": medians["http_frozen_median_s"] <= TARGET_S,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bids", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    result = asyncio.run(run(args.bids, args.runs))
    if args.json:
        print(json.dumps(result))
    else:
        print(f"bids: {result['bids']}, certificates found: {result['certificates_found']}, "
              f"set-up {result['setup_s']} s, request {result['request_bytes'] // 1024} KiB")
        print(f"rungs: {result['rungs']}")
        for kind, text in (("service", "service evaluate()"),
                           ("http", "POST /api/v1/tender-evaluations")):
            print(f"{text:34} median of {args.runs}: "
                  f"{result[f'{kind}_frozen_median_s']:.3f} s as served by `pso serve` "
                  f"(start-up objects frozen), {result[f'{kind}_plain_median_s']:.3f} s without")
        print(f"target <= {TARGET_S} s: service {'OK' if result['service_ok'] else 'NOT MET'}, "
              f"HTTP {'OK' if result['http_ok'] else 'NOT MET'}")
    missed = not (result["service_ok"] and result["http_ok"])
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())

"""HTTP throughput against the framework's own ceiling, measured with wrk (issue 16).

Run: .venv/bin/python benchmarks/bench_http.py [--quick] [--seconds 10] [--connections 16]
     [--certificates 100000] [--databases sqlite,postgres] [--json]

In one run, on loopback, one server process each, wrk with 16 connections:

1. the anchor: a bare Litestar "hello" app on the stack `pso serve` uses (uvicorn with
   httptools and uvloop); for comparison the same app on uvicorn with h11/asyncio (the old
   stack) and on granian, when installed. The anchor is measured again right before each
   database's rows, and their ratios are to that figure (the machine is shared);
2. `pso serve --no-demo` on a register of `--certificates` certificates (bulk-written by
   benchmarks/register_data.py, SQLite and, when it answers, PostgreSQL): liveness,
   POST /api/v1/score (25 and 500 employees), GET /register/{number} (the verification page),
   GET /api/v1/certificates?q=... (name words, KvK and numbers in turn) and the HTML search.

Every row: requests/s, p99, and its ratio to the anchor. The register rows also get p99 at one
connection (the time of one request, without queueing behind 15 others). `--quick`: 3 s per
row, 20,000 certificates, SQLite only. wrk is a Debian package (scripts/system-deps.sh).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_scoring import make_submission
from tests.servers import pso_serve, start_server

LUA = Path(__file__).with_name("wrk_request.lua")
HELLO = '''
from litestar import Litestar, get


@get("/", sync_to_thread=False)
def hello() -> dict[str, str]:
    return {"hello": "world"}


app = Litestar([hello])
'''
TARGETS = {"liveness": 0.70, "score, 25 employees": 0.35, "verification page": 0.25}
SCORE_P99_TARGET_MS = 20.0
QUERIES = ["groen", "bakkerij noord", "cooperatie", "zorg techniek west", "schoon b.v.",
           "cafe", "twente logistiek", "recycling"]


def wrk(url_base: str, paths: list[str], *, seconds: float, connections: int,
        method: str = "GET", body: Path | None = None) -> dict:
    threads = min(2, connections)
    argv = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
            "--timeout", "10s", "-s", str(LUA), url_base, "--", method,
            str(body) if body else "-", *paths]
    done = subprocess.run(argv, capture_output=True, text=True, check=True,
                          timeout=seconds + 60)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRKJSON "))
    data = json.loads(line.removeprefix("WRKJSON "))
    data["requests_per_second"] = round(data["requests"] / data["seconds"], 1)
    return data


@contextlib.contextmanager
def bare_app(server: str) -> Iterator[str]:
    """The hello app on a free port; server is 'uvicorn' (httptools+uvloop), 'uvicorn-h11'
    or 'granian'."""
    from tests.servers import _stop, free_port

    with tempfile.TemporaryDirectory(prefix="pso-hello-") as folder:
        Path(folder, "hello_app.py").write_text(HELLO)
        port = free_port()
        if server == "granian":
            argv = [sys.executable, "-m", "granian", "--interface", "asgi", "--loop", "uvloop",
                    "--port", str(port), "--workers", "1", "hello_app:app"]
        else:
            fast = server == "uvicorn"
            argv = [sys.executable, "-m", "uvicorn", "hello_app:app", "--port", str(port),
                    "--no-access-log", "--log-level", "warning",
                    "--http", "httptools" if fast else "h11",
                    "--loop", "uvloop" if fast else "asyncio"]
        process = subprocess.Popen(argv, cwd=folder, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        try:
            import httpx

            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                try:
                    if httpx.get(base + "/", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            yield base
        finally:
            _stop(process)


def prepare_register(url: str, count: int) -> list:
    """Migrate `url` and write `count` certificates in bulk; returns the rows."""
    from benchmarks.register_data import fill
    from pso.db.engine import make_engine
    from pso.db.migrate import upgrade

    upgrade(url)

    async def go() -> list:
        engine = make_engine(url)
        try:
            rows = await fill(engine, count)
            if url.startswith("postgresql"):  # planner statistics, as autovacuum would make
                async with engine.connect() as conn:
                    await conn.execution_options(isolation_level="AUTOCOMMIT")
                    await conn.exec_driver_sql("ANALYZE")
            return rows
        finally:
            await engine.dispose()

    return asyncio.run(go())


def measure_service(url: str, rows: list, folder: Path, *, seconds: float,
                    connections: int) -> dict:
    small, large = folder / "score25.json", folder / "score500.json"
    small.write_text(json.dumps(make_submission(25, 3), default=str))
    large.write_text(json.dumps(make_submission(500, 10), default=str))
    step = max(1, len(rows) // 200)
    sample = rows[::step][:200]
    numbers = [f"/register/{r.number}" for r in sample]
    searches = [f"/api/v1/certificates?q={q.replace(' ', '+')}" for q in QUERIES]
    searches += [f"/api/v1/certificates?q={r.kvk}" for r in sample[:4]]
    searches += [f"/api/v1/certificates?q={r.number}" for r in sample[4:8]]
    html = [f"/register?q={q.replace(' ', '+')}" for q in QUERIES]
    env = {"PSO_SECRET_KEY": "b" * 40, "PSO_ENV": "production", "PSO_RATE_LIMIT": "0",
           "PSO_PUBLIC_URL": "http://127.0.0.1",
           "PSO_LOG_LEVEL": "WARNING"}
    results = {}
    with start_server(url, env, timeout=120, command=pso_serve("--no-demo")) as base:
        plan = [
            ("liveness", ["/api/v1/health/live"], "GET", None, False),
            ("score, 25 employees", ["/api/v1/score"], "POST", small, False),
            ("score, 500 employees", ["/api/v1/score"], "POST", large, False),
            ("verification page", numbers, "GET", None, True),
            ("register search (API)", searches, "GET", None, True),
            ("register search (page)", html, "GET", None, True),
        ]
        for label, paths, method, body, single in plan:
            wrk(base, paths, seconds=1, connections=connections, method=method, body=body)
            result = wrk(base, paths, seconds=seconds, connections=connections, method=method,
                         body=body)
            if single:
                one = wrk(base, paths, seconds=max(2.0, seconds / 2), connections=1,
                          method=method, body=body)
                result["p99_one_connection_ms"] = one["p99_ms"]
            results[label] = result
            print(f"  {label:26} {result['requests_per_second']:9,.0f} req/s  "
                  f"p99 {result['p99_ms']:7.1f} ms", file=sys.stderr, flush=True)
    return results


def run(args: argparse.Namespace) -> dict:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (bash scripts/system-deps.sh)")
    seconds, count = (3.0, 20_000) if args.quick else (args.seconds, args.certificates)
    databases = ["sqlite"] if args.quick else args.databases.split(",")
    out: dict = {"seconds": seconds, "connections": args.connections,
                 "certificates": count, "bare": {}, "service": {}}
    import importlib.util

    stacks = ["uvicorn", "uvicorn-h11"]
    if importlib.util.find_spec("granian") is not None:
        stacks.append("granian")
    for stack in stacks:
        with bare_app(stack) as base:
            wrk(base, ["/"], seconds=1, connections=args.connections)
            out["bare"][stack] = wrk(base, ["/"], seconds=seconds,
                                     connections=args.connections)
        print(f"  hello on {stack:20} {out['bare'][stack]['requests_per_second']:9,.0f} req/s",
              file=sys.stderr, flush=True)
    anchor = out["bare"]["uvicorn"]["requests_per_second"]
    out["anchor_requests_per_second"] = anchor

    def anchor_now() -> float:
        # Measured again right before each database's rows: on a shared machine the
        # ceiling moves, and a ratio is only fair against the ceiling of the same minutes.
        with bare_app("uvicorn") as base:
            wrk(base, ["/"], seconds=1, connections=args.connections)
            return wrk(base, ["/"], seconds=seconds,
                       connections=args.connections)["requests_per_second"]

    with tempfile.TemporaryDirectory(prefix="pso-bench-http-") as folder:
        for database in databases:
            with contextlib.ExitStack() as stack:
                if database == "sqlite":
                    url = f"sqlite+aiosqlite:///{folder}/register.sqlite3"
                else:
                    from tests.databases import postgres_admin_url, temporary_postgres

                    if postgres_admin_url() is None:
                        out["service"][database] = {"skipped": "PostgreSQL does not answer"}
                        continue
                    url = stack.enter_context(temporary_postgres("pso_bench_http"))
                started = time.monotonic()
                rows = prepare_register(url, count)
                fill_seconds = round(time.monotonic() - started, 1)
                print(f"{database}: {count:,} certificates written in {fill_seconds} s",
                      file=sys.stderr, flush=True)
                block_anchor = anchor_now()
                measured = measure_service(url, rows, Path(folder), seconds=seconds,
                                           connections=args.connections)
                for result in measured.values():
                    result["ratio"] = round(result["requests_per_second"] / block_anchor, 3)
                out["service"][database] = {"fill_seconds": fill_seconds,
                                            "anchor_requests_per_second": block_anchor,
                                            **measured}
    return out


def table(out: dict) -> list[tuple[str, str, str, str, str]]:
    """(what, req/s, p99, ratio to anchor, note) rows."""
    anchor = out["anchor_requests_per_second"]
    rows = []
    names = {"uvicorn": "bare Litestar hello, uvicorn httptools+uvloop (ANCHOR)",
             "uvicorn-h11": "bare Litestar hello, uvicorn h11+asyncio (old stack)",
             "granian": "bare Litestar hello, granian"}
    for stack, result in out["bare"].items():
        rows.append((names[stack], f"{result['requests_per_second']:,.0f}",
                     f"{result['p99_ms']:.1f} ms",
                     f"{result['requests_per_second'] / anchor:.2f}", ""))
    for database, results in out["service"].items():
        if "skipped" in results:
            rows.append((f"pso serve on {database}", "n/a", "", "", results["skipped"]))
            continue
        if "anchor_requests_per_second" in results:
            rows.append((f"anchor again, before the {database} rows",
                         f"{results['anchor_requests_per_second']:,.0f}", "", "1.00",
                         "the ratios below are to this figure"))
        for label, result in results.items():
            if not isinstance(result, dict):
                continue
            notes = []
            if label in TARGETS:
                notes.append(f"target ≥ {TARGETS[label]:.2f}")
            if label == "score, 25 employees":
                notes.append(f"p99 target ≤ {SCORE_P99_TARGET_MS:.0f} ms")
            if "p99_one_connection_ms" in result:
                notes.append(f"p99 at 1 connection {result['p99_one_connection_ms']:.1f} ms")
            if result["non_2xx"] or result["socket_errors"]:
                notes.append(f"errors: {result['non_2xx']} non-2xx, "
                             f"{result['socket_errors']} socket")
            rows.append((f"{label} [{database}]", f"{result['requests_per_second']:,.0f}",
                         f"{result['p99_ms']:.1f} ms", f"{result['ratio']:.2f}",
                         "; ".join(notes)))
    return rows


def print_table(out: dict) -> None:
    header = ("what", "req/s", "p99", "× anchor", "note")
    body = table(out)
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(5)]
    print(f"wrk, {out['connections']} connections, {out['seconds']:.0f} s per row, register of "
          f"{out['certificates']:,} certificates")
    for row in [header, tuple("-" * w for w in widths), *body]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 s per row, 20,000 certificates")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--certificates", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    os.environ.setdefault("PSO_LOG_LEVEL", "WARNING")
    out = run(args)
    if args.json:
        print(json.dumps(out))
    else:
        print_table(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

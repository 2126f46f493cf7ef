"""HTTP throughput and CPU per request against the framework's own ceiling (issues 16, 26).

Run: .venv/bin/python benchmarks/bench_http.py [--quick] [--seconds 5] [--rounds 3]
     [--connections 16] [--sizes 10000,100000] [--databases sqlite,postgres]
     [--rows liveness,health] [--json]

The anchor is a bare Litestar "hello" app on granian (one worker). Every row is measured
alternately with the anchor, `--rounds` times (at least 3), each server in its own process
that stays up for the whole block; the ratio of a round is the row's req/s over the anchor's
req/s of the same round, and the table gives min/median/max of it, so load from elsewhere on
a shared machine hits both sides alike. CPU per request is the server process tree's
utime+stime (from /proc) over the requests of a round; the median is shown. wrk runs with one
thread (`-t1`), so on a small machine it takes one core and leaves the server the other.

The service is `pso serve --no-demo` on a realistic register (benchmarks/register_data.py
`realistic`: Dutch family names, trades and places, diacritics, subsidiaries, PSO 30+,
renewals, scattered KvK numbers) of each `--sizes` size, on SQLite and, when it answers,
PostgreSQL. Rows: liveness, health (with its database check), score for 25 employees, the
verification page, and one row per register-search shape (identifier, name word, common word
on a deep page, diacritics, status+rung filter, place filter, each sort), the HTML search and
the CSV export. Register rows also show p99 at one connection (one request's own time).
`--quick`: 2 s per row, 3 rounds, 2,000 certificates, SQLite only: it shows that the bench
works, its figures mean little. wrk is a Debian package (scripts/system-deps.sh).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_plus

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
# Targets from issue 26, as ratios to the anchor (req/s) and p99 at one connection (ms).
TARGETS = {"liveness": 0.70, "health": 0.50, "score, 25 employees": 0.35,
           "verification page": 0.25}
SEARCH_P99_TARGET_MS = 50.0


def wrk(url_base: str, paths: list[str], *, seconds: float, connections: int,
        method: str = "GET", body: Path | None = None) -> dict:
    """One wrk run with one thread (-t1: on 2 cores it must not compete with the server)."""
    argv = ["wrk", "-t1", "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
            "--timeout", "10s", "-s", str(LUA), url_base, "--", method,
            str(body) if body else "-", *paths]
    done = subprocess.run(argv, capture_output=True, text=True, check=True,
                          timeout=seconds + 60)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRKJSON "))
    data = json.loads(line.removeprefix("WRKJSON "))
    data["requests_per_second"] = round(data["requests"] / data["seconds"], 1)
    return data


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry))
    return tree


def tree_cpu_seconds(pid: int) -> float:
    """utime + stime of `pid` and its live descendants (granian runs a worker process)."""
    tree, total, todo = _children(), 0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
        todo += tree.get(current, [])
    return total / os.sysconf("SC_CLK_TCK")


def server_pid(port: int) -> int:
    """The child of this process that serves `port` (its command line names the port)."""
    for pid in _children().get(os.getpid(), []):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if str(port).encode() in argv:
            return pid
    raise RuntimeError(f"no child process serves port {port}")


def measured(base: str, pid: int, paths: list[str], *, seconds: float, connections: int,
             method: str = "GET", body: Path | None = None) -> dict:
    """wrk on `base`, with the server's CPU seconds per request over the same run."""
    before = tree_cpu_seconds(pid)
    result = wrk(base, paths, seconds=seconds, connections=connections, method=method, body=body)
    cpu = tree_cpu_seconds(pid) - before
    result["cpu_us_per_request"] = round(cpu / max(1, result["requests"]) * 1e6, 1)
    return result


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
                    "--port", str(port), "--workers", "1", "--log-level", "warning",
                    "--no-access-log", "hello_app:app"]
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
    """Migrate `url` and write a realistic register of `count` certificates; returns the rows."""
    from benchmarks.register_data import insert, realistic
    from pso.db.engine import make_engine
    from pso.db.migrate import upgrade

    upgrade(url)

    async def go() -> list:
        engine = make_engine(url)
        try:
            rows = realistic(count)
            await insert(engine, rows)
            async with engine.connect() as conn:  # planner statistics, as autovacuum would make
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.exec_driver_sql("ANALYZE")
            return rows
        finally:
            await engine.dispose()

    return asyncio.run(go())


def plan(rows: list, folder: Path) -> list[tuple[str, list[str], str, Path | None, bool]]:
    """(label, paths, method, body, register row) per row of the table."""
    from pso.text.search import fold

    score = folder / "score25.json"
    score.write_text(json.dumps(make_submission(25, 3), default=str))
    step = max(1, len(rows) // 200)
    sample = rows[::step][:200]
    first_word = [fold(r.name).split()[0] for r in sample]
    common = max(set(first_word), key=first_word.count)
    accented = sorted({w for r in sample for w in r.name.split() if not w.isascii()})[:8]
    places = sorted({r.municipality_code for r in sample})[:8]
    subsidiaries = [kvk for r in sample for kvk, _ in r.subsidiaries][:8]
    api = "/api/v1/certificates?"

    def q(text: str) -> str:
        return quote_plus(text)

    return [
        ("liveness", ["/api/v1/health/live"], "GET", None, False),
        ("health", ["/api/v1/health"], "GET", None, False),
        ("score, 25 employees", ["/api/v1/score"], "POST", score, False),
        ("verification page", [f"/register/{r.number}" for r in sample], "GET", None, True),
        ("search: certificate number", [f"{api}q={r.number}" for r in sample[:16]], "GET", None,
         True),
        ("search: KvK (own and subsidiary)",
         [f"{api}q={r.kvk}" for r in sample[:8]] + [f"{api}q={k}" for k in subsidiaries],
         "GET", None, True),
        ("search: one name word", [f"{api}q={q(w)}" for w in sorted(set(first_word))[:16]],
         "GET", None, True),
        ("search: common word, page 50", [f"{api}q={q(common)}&page=50"], "GET", None, True),
        ("search: diacritics", [f"{api}q={q(w)}" for w in accented or ["coöperatie"]], "GET",
         None, True),
        ("search: status + rung", [f"{api}status={s}&rung={r}" for s in ("valid", "suspended")
                                   for r in ("trede3", "aspirant")], "GET", None, True),
        ("search: place", [f"{api}municipality={c}" for c in places], "GET", None, True),
        *[(f"search: sort {sort}", [f"{api}q={q(common)}&sort={sort}"], "GET", None, True)
          for sort in ("name", "rung", "validity", "newest")],
        ("search page (HTML)", [f"/register?q={q(w)}" for w in sorted(set(first_word))[:8]],
         "GET", None, True),
        ("export CSV, one place", [f"{api.replace('?', '/export?')}format=csv&municipality={c}"
                                   for c in places[:4]], "GET", None, False),
    ]


SERVICE_COMMAND = [pso_serve("--no-demo")]


def measure_block(url: str, rows: list, folder: Path, *, seconds: float, rounds: int,
                  connections: int, only: str = "") -> dict:
    """Every row of `plan` (or those whose label holds one of the comma-separated words of
    `only`) alternated with the anchor, `rounds` times."""
    env = {"PSO_SECRET_KEY": "b" * 40, "PSO_ENV": "production", "PSO_RATE_LIMIT": "0",
           "PSO_PUBLIC_URL": "http://127.0.0.1",
           "PSO_LOG_LEVEL": "WARNING"}
    results: dict = {}
    with bare_app("granian") as anchor, \
            start_server(url, env, timeout=120, command=SERVICE_COMMAND[0]) as base:
        anchor_pid = server_pid(int(anchor.rsplit(":", 1)[1]))
        service_pid = server_pid(int(base.rsplit(":", 1)[1]))
        for label, paths, method, body, single in plan(rows, folder):
            if only and not any(word.strip() in label for word in only.split(",")):
                continue
            wrk(base, paths, seconds=1, connections=connections, method=method, body=body)
            runs = []
            for _ in range(rounds):
                a = measured(anchor, anchor_pid, ["/"], seconds=seconds, connections=connections)
                r = measured(base, service_pid, paths, seconds=seconds, connections=connections,
                             method=method, body=body)
                r["anchor_requests_per_second"] = a["requests_per_second"]
                r["anchor_cpu_us_per_request"] = a["cpu_us_per_request"]
                r["ratio"] = round(r["requests_per_second"] / a["requests_per_second"], 3)
                runs.append(r)
            row = summarize(runs)
            if single:
                row["p99_one_connection_ms"] = wrk(base, paths, seconds=seconds, connections=1,
                                                   method=method, body=body)["p99_ms"]
            results[label] = row
            print(f"  {label:34} ratio {row['ratio']['median']:.2f}  "
                  f"{row['cpu_us_per_request']:8.0f} µs CPU", file=sys.stderr, flush=True)
    return results


def summarize(runs: list[dict]) -> dict:
    def spread(key: str) -> dict:
        values = [r[key] for r in runs]
        return {"min": min(values), "median": statistics.median(values), "max": max(values)}

    return {"requests_per_second": spread("requests_per_second"), "ratio": spread("ratio"),
            "anchor_requests_per_second": spread("anchor_requests_per_second"),
            "cpu_us_per_request": statistics.median(r["cpu_us_per_request"] for r in runs),
            "anchor_cpu_us_per_request": statistics.median(r["anchor_cpu_us_per_request"]
                                                           for r in runs),
            "p99_ms": statistics.median(r["p99_ms"] for r in runs),
            "non_2xx": sum(r["non_2xx"] for r in runs),
            "socket_errors": sum(r["socket_errors"] for r in runs)}


def run(args: argparse.Namespace) -> dict:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (bash scripts/system-deps.sh)")
    if args.quick:
        seconds, rounds, sizes, databases = 2.0, 3, [2_000], ["sqlite"]
    else:
        seconds, rounds = args.seconds, max(3, args.rounds)
        sizes = [int(x) for x in args.sizes.split(",")]
        databases = args.databases.split(",")
    out: dict = {"seconds": seconds, "rounds": rounds, "connections": args.connections,
                 "blocks": {}}
    with tempfile.TemporaryDirectory(prefix="pso-bench-http-") as folder:
        for size in sizes:
            for database in databases:
                key = f"{database}, {size:,}"
                with contextlib.ExitStack() as stack:
                    if database == "sqlite":
                        url = f"sqlite+aiosqlite:///{folder}/register-{size}.sqlite3"
                    else:
                        from tests.databases import postgres_admin_url, temporary_postgres

                        if postgres_admin_url() is None:
                            out["blocks"][key] = {"skipped": "PostgreSQL does not answer"}
                            continue
                        url = stack.enter_context(temporary_postgres("pso_bench_http"))
                    started = time.monotonic()
                    rows = prepare_register(url, size)
                    print(f"{key}: register written in {time.monotonic() - started:.1f} s",
                          file=sys.stderr, flush=True)
                    out["blocks"][key] = measure_block(
                        url, rows, Path(folder), seconds=seconds, rounds=rounds,
                        connections=args.connections, only=args.rows)
    return out


def _spread(values: dict, fmt: str) -> str:
    return "/".join(format(values[k], fmt) for k in ("min", "median", "max"))


def table(out: dict) -> list[tuple[str, str, str, str, str]]:
    """(what, req/s min/median/max, CPU per request, × anchor min/median/max, note) rows."""
    rows = []
    for block, results in out["blocks"].items():
        if "skipped" in results:
            rows.append((f"[{block}]", "n/a", "", "", results["skipped"]))
            continue
        for label, r in results.items():
            notes = [(f"anchor {_spread(r['anchor_requests_per_second'], ',.0f')} req/s, "
                      f"{r['anchor_cpu_us_per_request']:.0f} µs CPU")]
            if label in TARGETS:
                notes.append(f"target ≥ {TARGETS[label]:.2f}")
            if "p99_one_connection_ms" in r:
                notes.append(f"p99 at 1 connection {r['p99_one_connection_ms']:.1f} ms")
                if label.startswith("search"):
                    notes.append(f"target ≤ {SEARCH_P99_TARGET_MS:.0f} ms")
            if r["non_2xx"] or r["socket_errors"]:
                notes.append(f"errors: {r['non_2xx']} non-2xx, {r['socket_errors']} socket")
            rows.append((f"{label} [{block}]", _spread(r["requests_per_second"], ",.0f"),
                         f"{r['cpu_us_per_request']:,.0f} µs", _spread(r["ratio"], ".2f"),
                         "; ".join(notes)))
    return rows


def print_table(out: dict) -> None:
    header = ("what", "req/s min/med/max", "CPU/request", "× anchor min/med/max", "note")
    body = table(out)
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(5)]
    print(f"wrk -t1, {out['connections']} connections, {out['seconds']:.0f} s per run, "
          f"{out['rounds']} rounds alternating with the anchor (bare Litestar on granian)")
    for row in [header, tuple("-" * w for w in widths), *body]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="2 s per run, 3 rounds, 2,000 certificates, SQLite only")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--rows", default="",
                        help="only the rows whose label holds one of these comma-separated "
                             "words (e.g. 'liveness,health')")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--granian", action="store_true",
                        help="serve the service on granian instead of `pso serve` (uvicorn)")
    args = parser.parse_args()
    if args.granian:
        SERVICE_COMMAND[0] = lambda port: [
            sys.executable, "-m", "granian", "--interface", "asgi", "--loop", "uvloop",
            "--factory", "--port", str(port), "--workers", "1", "--log-level", "warning",
            "--no-access-log", "pso.app:create_app"]
    os.environ.setdefault("PSO_LOG_LEVEL", "WARNING")
    out = run(args)
    if args.json:
        print(json.dumps(out))
    else:
        print_table(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Register search in process: the service call and the JSON of one API page, per shape.

    .venv/bin/python benchmarks/bench_register_search.py --size 100000 --databases sqlite,postgres

Times what a request to GET /api/v1/certificates costs besides HTTP (the search, the rows,
the JSON bytes), on the realistic register of benchmarks/register_data.py, with the shapes of
benchmarks/bench_http.py. CPU per call (process time) beside wall time: on a shared machine
the wall clock waits for other processes, the CPU time much less. The SQLite file and the
PostgreSQL database (`search_bench_<size>`) are kept between runs (--fresh writes them again).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FOLDER = Path(os.environ.get("PSO_BENCH_DIR", "/tmp/search_bench"))


def shapes(rows: list) -> list[tuple[str, list[dict]]]:
    """(label, query parameters per call) for each search shape of bench_http.plan."""
    from benchmarks.bench_http import plan

    out = []
    for label, paths, _method, _body, _register in plan(rows, FOLDER):
        if label.startswith("search:"):
            out.append((label, [dict(parse_qsl(p.split("?", 1)[1])) for p in paths]))
    return out


def _url(database: str, size: int) -> tuple[str, bool]:
    """The database URL and whether it already holds the register."""
    if database == "sqlite":
        path = FOLDER / f"register-{size}.sqlite3"
        return f"sqlite+aiosqlite:///{path}", path.exists()
    import asyncpg

    from tests.databases import DEFAULT_PG

    name = f"search_bench_{size}"

    async def ensure() -> bool:
        conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
        try:
            if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                return True
            await conn.execute(f'CREATE DATABASE "{name}"')
            return False
        finally:
            await conn.close()

    there = asyncio.run(ensure())
    return DEFAULT_PG.rsplit("/", 1)[0] + f"/{name}", there


async def _api_page(app_state: dict, params: dict) -> bytes:
    """What the API handler does for these parameters, up to the response bytes."""
    from pso.clock import today
    from pso.services import register

    if hasattr(register, "search_now"):  # Core rows, msgspec (issue 26 item 3)
        from pso.api.certificates import page_json

        args, day = _args(params), today()
        found = await register.search(app_state, **args, day=day)
        return page_json(found, day, args["page"], args["page_size"], found.next_after)
    # Before issue 26 item 3 (a copy of this script in an older checkout): ORM rows, pydantic.
    from litestar.serialization import encode_json

    from pso.api.certificates import CertificatePage, certificate_out

    args = _args(params)
    page, page_size = args.pop("page"), args.pop("page_size")
    day = today()
    async with app_state["session_maker"]() as db:
        found = await register.search(db, **args, page=page, page_size=page_size, day=day)
        out = CertificatePage(
            items=[certificate_out(c, day) for c in found.rows],
            page=page,
            page_size=page_size,
            total=found.total,
            total_exact=found.total_exact,
            next=found.next_after,
        )
    return encode_json(out.model_dump(mode="json", by_alias=True))


def _args(params: dict) -> dict:
    return {
        "q": params.get("q"),
        "kvk": params.get("kvk"),
        "rung": params.get("rung"),
        "status": params.get("status"),
        "municipality": params.get("municipality"),
        "sort": params.get("sort", "newest"),
        "after": params.get("after"),
        "page": int(params.get("page", 1)),
        "page_size": int(params.get("pageSize", 20)),
    }


async def _measure(url: str, rows: list, calls: int) -> list[tuple[str, float, float, float]]:
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from pso.db.engine import make_engine, make_sqlite_reader

    engine = make_engine(url)
    state = {
        "engine": engine,
        "sqlite_reader": make_sqlite_reader(url),
        "session_maker": async_sessionmaker(engine, expire_on_commit=False),
    }
    results = []
    try:
        for label, variants in shapes(rows):
            for params in variants[:2]:  # warm the caches and the pool
                await _api_page(state, params)
            wall, cpu = [], []
            for i in range(calls):
                params = variants[i % len(variants)]
                w0, c0 = time.perf_counter(), time.process_time()
                await _api_page(state, params)
                cpu.append(time.process_time() - c0)
                wall.append(time.perf_counter() - w0)
            wall.sort()
            results.append(
                (
                    label,
                    statistics.median(wall) * 1000,
                    wall[min(len(wall) - 1, int(len(wall) * 0.99))] * 1000,
                    statistics.mean(cpu) * 1000,
                )
            )
    finally:
        await engine.dispose()
        if state["sqlite_reader"] is not None:
            state["sqlite_reader"].dispose()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("PSO_LOG_LEVEL", "WARNING")
    os.environ.setdefault("PSO_TODAY", "2026-12-05")
    FOLDER.mkdir(parents=True, exist_ok=True)
    from benchmarks.bench_http import prepare_register
    from benchmarks.register_data import realistic
    from pso.db.migrate import upgrade

    for database in args.databases.split(","):
        url, there = _url(database, args.size)
        if there and not args.fresh:
            upgrade(url)  # new migrations (indexes) on the kept register
            rows = realistic(args.size)
        else:
            rows = prepare_register(url, args.size)
        print(f"{database}, {args.size:,} certificates, {args.calls} calls per shape")
        print(f"  {'shape':36} {'median ms':>9} {'p99 ms':>8} {'CPU ms/call':>11}")
        for label, median, p99, cpu in asyncio.run(_measure(url, rows, args.calls)):
            print(f"  {label:36} {median:9.2f} {p99:8.2f} {cpu:11.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Memory over many certificate renders: in a thread versus recycled worker processes.

Run: .venv/bin/python benchmarks/bench_pdf_memory.py [--renders 2000] [--workers 2]
     [--per-worker 200] [--mode both|thread|pool] [--json]

Renders certificates through pso.files.pdf_pool (the path the service uses) with a different
organisation name and number each time, and reports the resident memory (RSS, from
/proc) of this process plus its PDF workers before and after. "before" is taken after a
short warm-up, so it already includes fonts and stylesheets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from certificates.certificate import TEMPLATE, CertificateData, certificate_context
from pso.files import pdf_pool

WARM_UP = 20


def rss_mb(pid: int | str = "self") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:  # a worker that just exited
        pass
    return 0.0


def total_rss_mb() -> float:
    return rss_mb() + sum(rss_mb(pid) for pid in pdf_pool.worker_pids())


def certificate(i: int) -> CertificateData:
    return CertificateData(
        number=f"PSO-2026-{i % 999_999 + 1:06d}", kind="ladder",
        rung=("aspirant", "basistrede", "trede1", "trede2", "trede3")[i % 5],
        organization_name=f"Organisatie {i} " + "Sociaal Ondernemen " * (i % 7),
        kvk=f"{10_000_000 + i:08d}", valid_from=date(2026, 1, 15),
        valid_until=date(2028, 1, 14), rulebook="pso-2.1", issuer="Benchmark",
        issued_on=date(2026, 1, 15), public_url="https://pso.example.nl",
    )


async def _render_all(start: int, count: int, concurrency: int) -> None:
    queue = iter(range(start, start + count))

    async def lane() -> None:
        for i in queue:
            pdf = await pdf_pool.render(TEMPLATE, certificate_context(certificate(i)))
            assert pdf.startswith(b"%PDF")

    await asyncio.gather(*(lane() for _ in range(concurrency)))


async def measure(mode: str, renders: int, workers: int, per_worker: int) -> dict:
    pdf_pool.configure(workers if mode == "pool" else 0, per_worker, timeout=120)
    concurrency = max(1, workers) * 2 if mode == "pool" else 1
    try:
        await _render_all(0, WARM_UP, concurrency)
        before = total_rss_mb()
        started = time.perf_counter()
        await _render_all(WARM_UP, renders, concurrency)
        seconds = time.perf_counter() - started
        after = total_rss_mb()
    finally:
        pdf_pool.shutdown()
    return {
        "mode": mode, "renders": renders, "workers": workers if mode == "pool" else 0,
        "renders_per_worker": per_worker if mode == "pool" else None,
        "rss_before_mb": round(before, 1), "rss_after_mb": round(after, 1),
        "rss_growth_mb": round(after - before, 1),
        "renders_per_second": round(renders / seconds, 1), "seconds": round(seconds, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--renders", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-worker", type=int, default=200)
    parser.add_argument("--mode", choices=("both", "thread", "pool"), default="both")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    modes = ("thread", "pool") if args.mode == "both" else (args.mode,)
    results = [asyncio.run(measure(m, args.renders, args.workers, args.per_worker))
               for m in modes]
    if args.json:
        print(json.dumps({"runs": results}))
        return 0
    for r in results:
        label = (f"{r['workers']} workers, recycled every {r['renders_per_worker']}"
                 if r["mode"] == "pool" else "in-process thread")
        print(f"{r['renders']} certificate renders, {label}: RSS {r['rss_before_mb']:.0f} MB -> "
              f"{r['rss_after_mb']:.0f} MB ({r['rss_growth_mb']:+.0f} MB), "
              f"{r['renders_per_second']:.1f} renders/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

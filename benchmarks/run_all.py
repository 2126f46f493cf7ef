"""`make bench`: run every benchmark in benchmarks/ and print one summary table.

Run: .venv/bin/python benchmarks/run_all.py [--quick] [--full] [--json] [--only NAME ...]

Each bench_*.py runs in its own process, one after the other (they would disturb each
other's timings), with `--json` where it supports it; otherwise its printed summary is
parsed. A benchmark that is missing, fails or times out shows as "n/a" with the reason
instead of stopping the others. --quick shortens the long ones (smoke test of the table);
--full renders 2,000 certificates for the memory figure instead of 300.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT = 1200  # seconds per benchmark

# Arguments per known script; any other bench_*.py runs with --json.
ARGS = {
    # The API figures come from bench_load.py (with p99), so the engine part only here.
    "bench_scoring.py": ["--no-api"],
    "bench_certificates.py": ["--json"],
    "bench_procurement.py": ["--json", "--runs", "3"],
    "bench_pdf_memory.py": ["--json", "--renders", "300"],
    "bench_load.py": ["--json", "--seconds", "60"],
    "bench_http.py": ["--json"],
}
QUICK = {
    "bench_scoring.py": ["--no-api", "--runs", "1", "--seconds", "0.3"],
    "bench_certificates.py": ["--json", "--runs", "5"],
    "bench_procurement.py": ["--json", "--runs", "1", "--bids", "2000"],
    "bench_pdf_memory.py": ["--json", "--renders", "40"],
    "bench_load.py": ["--json", "--seconds", "5", "--requests", "300"],
    "bench_http.py": ["--json", "--quick"],
}
FULL = {"bench_pdf_memory.py": ["--json", "--renders", "2000"]}
NUMBER_LINE = re.compile(r"^(?P<label>\S.*?)\s{2,}(?P<value>-?[\d,]+(?:\.\d+)?)\s*$")


def run_script(path: Path, args: list[str]) -> dict:
    """{"ok": bool, "data": parsed JSON or {label: number}, "seconds", "error"}."""
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, str(path), *args], capture_output=True,
                              text=True, timeout=TIMEOUT, cwd=HERE.parent, check=False)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"timed out after {TIMEOUT} s"}
    if done.returncode == 2 and "--json" in args and "unrecognized arguments" in done.stderr:
        return run_script(path, [a for a in args if a != "--json"])
    seconds = round(time.monotonic() - started, 1)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"ok": False, "error": f"exit {done.returncode}: {tail[0][:120]}",
                "seconds": seconds}
    return {"ok": True, "data": parse_output(done.stdout), "seconds": seconds}


def parse_output(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                break
    figures = {}
    for line in text.splitlines():
        match = NUMBER_LINE.match(line.rstrip())
        if match:
            figures[match["label"].strip()] = float(match["value"].replace(",", ""))
    return figures


def _find(figures: dict, *words: str) -> float | None:
    for label, value in figures.items():
        if all(word in label for word in words):
            return value
    return None


def _num(value: float | None, unit: str = "", digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}{unit}"


def rows(results: dict[str, dict]) -> list[tuple[str, str, str, str]]:
    """(figure, value, next to, source) for the summary table."""
    table: list[tuple[str, str, str, str]] = []

    def missing(name: str) -> str:
        result = results.get(name)
        if result is None:
            return "n/a (script not present)"
        return "n/a (" + result.get("error", "no figures") + ")"

    def data(name: str) -> dict | None:
        result = results.get(name)
        return result["data"] if result and result.get("ok") else None

    if (http := data("bench_http.py")) is not None:
        from benchmarks.bench_http import table as http_table

        for what, rps, cpu, ratio, note in http_table(http):
            table.append((f"wrk: {what}", f"{rps} req/s, {cpu} CPU/request" if cpu else rps,
                          f"{ratio} × anchor" + (f"; {note}" if note else "") if ratio else note,
                          "bench_http"))
    else:
        table.append(("wrk: anchor and service rows", missing("bench_http.py"), "", "bench_http"))

    if (scoring := data("bench_scoring.py")) is not None:
        table.append(("scoring engine, typical submission (25 employees)",
                      _num(_find(scoring, "engine", "typical"), " subm/s"),
                      "parse+score from JSON: "
                      + _num(_find(scoring, "parse", "typical"), " subm/s"), "bench_scoring"))
        table.append(("scoring engine, large submission (2,000 employees)",
                      _num(_find(scoring, "engine", "large"), " subm/s"), "", "bench_scoring"))
    else:
        table.append(("scoring engine", missing("bench_scoring.py"), "", "bench_scoring"))

    if (load := data("bench_load.py")) is not None:
        live, score, mixed = load["live"], load["score"], load["mixed"]
        table.append(("POST /api/v1/score",
                      f"{score['requests_per_second']:,.0f} req/s, p99 {score['p99_ms']:.1f} ms",
                      (f"GET /api/v1/health/live: {live['requests_per_second']:,.0f} req/s, "
                       f"p99 {live['p99_ms']:.1f} ms"), "bench_load"))
        table.append(((f"mixed public load, {mixed['seconds']:.0f} s, "
                       f"{mixed['connections']} connections"),
                      f"{mixed['requests_per_second']:,.0f} req/s, p99 {mixed['p99_ms']:.1f} ms",
                      f"errors: {mixed['errors']} of {mixed['requests']:,}", "bench_load"))
    else:
        table.append(("POST /api/v1/score, mixed load", missing("bench_load.py"), "",
                      "bench_load"))

    if (certs := data("bench_certificates.py")) is not None:
        table.append(("certificate PDF render (warm median)",
                      _num(certs.get("warm_median_ms"), " ms", 1),
                      "empty A4 page: " + _num(certs.get("empty_page_median_ms"), " ms", 1),
                      "bench_certificates"))
    else:
        table.append(("certificate PDF render", missing("bench_certificates.py"), "",
                      "bench_certificates"))

    if (memory := data("bench_pdf_memory.py")) is not None:
        parts = {run["mode"]: run for run in memory.get("runs", [])}
        renders = next(iter(parts.values()), {}).get("renders", "?")
        table.append((f"RSS over {renders} certificate renders",
                      ", ".join(f"{mode}: {r['rss_before_mb']:.0f} -> {r['rss_after_mb']:.0f} MB"
                                for mode, r in parts.items()),
                      ", ".join(f"{mode}: {r['renders_per_second']:.1f} renders/s"
                                for mode, r in parts.items()), "bench_pdf_memory"))
    else:
        table.append(("RSS over certificate renders", missing("bench_pdf_memory.py"), "",
                      "bench_pdf_memory"))

    if (tender := data("bench_procurement.py")) is not None:
        table.append((f"tender evaluation, {tender.get('bids', 10_000):,} bids",
                      "service " + _num(tender.get("service_frozen_median_s"), " s", 3),
                      "POST /api/v1/tender-evaluations: "
                      + _num(tender.get("http_frozen_median_s"), " s", 3), "bench_procurement"))
    else:
        table.append(("tender evaluation, 10,000 bids", missing("bench_procurement.py"), "",
                      "bench_procurement"))

    vouchers = sorted(name for name in results if name.startswith("bench_voucher"))
    for name in vouchers:
        figures = data(name)
        table.append(("voucher issuing under contention",
                      missing(name) if figures is None else _summary(figures), "",
                      name.removesuffix(".py")))
    if not vouchers:
        table.append(("voucher issuing under contention", "n/a (script not present)", "",
                      "bench_vouchers"))

    known = set(ARGS) | set(vouchers)
    for name in sorted(set(results) - known):
        figures = data(name)
        table.append((name.removesuffix(".py"),
                      missing(name) if figures is None else _summary(figures), "",
                      name.removesuffix(".py")))
    return table


def _summary(figures: dict, limit: int = 4) -> str:
    """The first few plain numbers of a result we know nothing else about."""
    plain = [(k, v) for k, v in figures.items()
             if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return ", ".join(f"{k} {v:,.4g}" for k, v in plain[:limit]) or "ran (no numeric figures)"


def print_table(table: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(row[i]) for row in [("figure", "value", "next to", "script"), *table])
              for i in range(4)]
    header = ("figure", "value", "next to", "script")
    line = "  ".join("-" * w for w in widths)
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print(line)
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short runs (smoke test)")
    parser.add_argument("--full", action="store_true", help="2,000 renders for the RSS figure")
    parser.add_argument("--json", action="store_true", help="print all results as JSON")
    parser.add_argument("--only", nargs="*", help="script names to run (default: all)")
    args = parser.parse_args()
    scripts = sorted(p for p in HERE.glob("bench_*.py") if p.is_file())
    if args.only:
        scripts = [p for p in scripts if p.name in args.only or p.stem in args.only]
    results: dict[str, dict] = {}
    for path in scripts:
        chosen = (QUICK if args.quick else FULL if args.full else {}).get(path.name)
        script_args = chosen or ARGS.get(path.name, ["--json"])
        print(f"running {path.name} {' '.join(script_args)} ...", file=sys.stderr, flush=True)
        results[path.name] = run_script(path, script_args)
    if args.json:
        print(json.dumps({"machine": machine(), "results": results}, indent=1))
        return 0
    print(f"\nmachine: {machine()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M')}\n")
    print_table(rows(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

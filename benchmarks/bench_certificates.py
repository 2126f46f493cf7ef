"""Certificate PDF render time versus an empty A4 page with the same engine setup.

Run: .venv/bin/python benchmarks/bench_certificates.py [--runs 20]
Target (issue 4): warm render <= 150 ms and <= 2x the empty page.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from certificates.certificate import CertificateData, render_certificate
from certificates.pdf import engine

EMPTY_PAGE = '<!DOCTYPE html><html lang="nl"><head><title>Leeg</title></head><body></body></html>'
# For context: the cheapest page that embeds a font (one subset) costs a few ms more.
ONE_LINE_PAGE = EMPTY_PAGE.replace("<body>", "<body><p>Bakkerij De Zon B.V.</p>")
TARGET_MS, TARGET_RATIO = 150.0, 2.0


def sample_certificate() -> CertificateData:
    return CertificateData(
        number="PSO-2026-000123",
        kind="ladder",
        rung="trede2",
        organization_name="Bakkerij De Zon B.V.",
        kvk="12345678",
        valid_from=date(2026, 1, 15),
        valid_until=date(2028, 1, 14),
        rulebook="pso-2.1",
        issuer="Certificerende Instelling Voorbeeld B.V.",
        issued_on=date(2026, 1, 15),
        public_url="https://pso.example.nl",
    )


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


def harfbuzz_subset_loaded() -> bool:
    """Without Debian's libharfbuzz-subset0 WeasyPrint silently subsets fonts ~5x slower."""
    from weasyprint.text.ffi import harfbuzz_subset

    return harfbuzz_subset is not None


def run(runs: int = 20) -> dict:
    data = sample_certificate()
    first_ms = timed(lambda: render_certificate(data))  # fresh process: fonts, CSS, templates
    warm = [timed(lambda: render_certificate(data)) for _ in range(runs)]
    # Same engine: same FontConfiguration, stylesheets (with @font-face), PDF/A-3b options.
    eng = engine()
    sheets = eng.default_stylesheets("certificates/certificate.html")
    empty = [timed(lambda: eng.write_pdf(EMPTY_PAGE, sheets)) for _ in range(runs)]
    one_line = [timed(lambda: eng.write_pdf(ONE_LINE_PAGE, sheets)) for _ in range(runs)]
    warm_ms, empty_ms = statistics.median(warm), statistics.median(empty)
    ratio = warm_ms / empty_ms
    return {
        "first_ms": round(first_ms, 1),
        "warm_median_ms": round(warm_ms, 1),
        "empty_page_median_ms": round(empty_ms, 1),
        "one_line_page_median_ms": round(statistics.median(one_line), 1),
        "ratio": round(ratio, 2),
        "runs": runs,
        "harfbuzz_subset": harfbuzz_subset_loaded(),
        "warm_ok": warm_ms <= TARGET_MS,
        "ratio_ok": ratio <= TARGET_RATIO,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    result = run(args.runs)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"harfbuzz subsetting library loaded:   {result['harfbuzz_subset']}")
        print(f"certificate, first render in process: {result['first_ms']:7.1f} ms")
        print(f"certificate, warm median of {args.runs}:      {result['warm_median_ms']:7.1f} ms")
        print(f"empty A4 page, warm median:           {result['empty_page_median_ms']:7.1f} ms")
        print(f"one-line A4 page, warm median:        {result['one_line_page_median_ms']:7.1f} ms")
        print(f"ratio certificate / empty page:       {result['ratio']:7.2f}")
        print(f"target warm <= {TARGET_MS:.0f} ms: {'OK' if result['warm_ok'] else 'NOT MET'}")
        print(f"target ratio <= {TARGET_RATIO:.0f}x:   {'OK' if result['ratio_ok'] else 'NOT MET'}")
    missed = not (result["warm_ok"] and result["ratio_ok"])
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())

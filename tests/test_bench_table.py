"""`make bench` prints one table even when benchmarks are missing or fail."""

from __future__ import annotations

from benchmarks.run_all import parse_output, rows


def test_missing_and_failed_benchmarks_show_as_na() -> None:
    results = {
        "bench_certificates.py": {"ok": True, "data": {"warm_median_ms": 50.0,
                                                       "empty_page_median_ms": 4.0}},
        "bench_procurement.py": {"ok": False, "error": "exit 1: boom"},
        "bench_extra.py": {"ok": True, "data": {"items_per_second": 12.5, "ok": True}},
    }
    table = {row[0]: row for row in rows(results)}
    assert table["certificate PDF render (warm median)"][1] == "50.0 ms"
    assert table["tender evaluation, 10,000 bids"][1] == "n/a (exit 1: boom)"
    assert table["scoring engine"][1] == "n/a (script not present)"
    assert table["voucher issuing under contention"][1] == "n/a (script not present)"
    assert table["bench_extra"][1] == "items_per_second 12.5"


def test_text_summaries_are_parsed() -> None:
    text = ("what        per second\n"
            "engine score()        typical (25 employees, 3 purchases)        12,286\n"
            "noise line\n")
    assert parse_output(text) == {
        "engine score()        typical (25 employees, 3 purchases)": 12286.0}
    assert parse_output('starting\n{"a": 1}\n') == {"a": 1}


def test_http_rows_show_the_anchor_and_ratios() -> None:
    result = {"connections": 16, "seconds": 3, "certificates": 100,
              "anchor_requests_per_second": 10_000.0,
              "bare": {"uvicorn": {"requests_per_second": 10_000.0, "p99_ms": 2.0}},
              "service": {"sqlite": {"fill_seconds": 1.0, "liveness": {
                  "requests_per_second": 7_500.0, "p99_ms": 3.0, "ratio": 0.75, "non_2xx": 0,
                  "socket_errors": 0}}, "postgres": {"skipped": "PostgreSQL does not answer"}}}
    table = {row[0]: row for row in rows({"bench_http.py": {"ok": True, "data": result}})}
    anchor = next(v for k, v in table.items() if "ANCHOR" in k)
    assert anchor[1] == "10,000 req/s, p99 2.0 ms" and anchor[2].startswith("1.00 × anchor")
    assert table["wrk: liveness [sqlite]"][2] == "0.75 × anchor; target ≥ 0.70"
    assert table["wrk: pso serve on postgres"][1] == "n/a"

"""`make bench` prints one table even when benchmarks are missing or fail."""

from __future__ import annotations

import pytest

from benchmarks.bench_http import summarize, tree_cpu_seconds
from benchmarks.register_data import insert, realistic
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


def _run(rps: float, anchor: float, cpu: float) -> dict:
    return {"requests": int(rps * 2), "seconds": 2.0, "requests_per_second": rps,
            "p99_ms": 3.0, "non_2xx": 0, "socket_errors": 0, "cpu_us_per_request": cpu,
            "anchor_requests_per_second": anchor, "anchor_cpu_us_per_request": 40.0,
            "ratio": round(rps / anchor, 3)}


def test_http_rows_show_min_median_max_of_the_alternated_ratios() -> None:
    # three rounds, each ratio against the anchor of its own round
    runs = [_run(7_000, 10_000, 120), _run(3_000, 5_000, 150), _run(8_000, 10_000, 100)]
    row = summarize(runs)
    assert row["ratio"] == {"min": 0.6, "median": 0.7, "max": 0.8}
    assert row["requests_per_second"]["median"] == 7_000 and row["cpu_us_per_request"] == 120
    search = {**summarize(runs), "p99_one_connection_ms": 12.5}
    result = {"connections": 16, "seconds": 2, "rounds": 3, "blocks": {
        "sqlite, 2,000": {"liveness": row, "search: one name word": search},
        "postgres, 2,000": {"skipped": "PostgreSQL does not answer"}}}
    table = {r[0]: r for r in rows({"bench_http.py": {"ok": True, "data": result}})}
    live = table["wrk: liveness [sqlite, 2,000]"]
    assert live[1] == "3,000/7,000/8,000 req/s, 120 µs CPU/request"
    assert live[2] == ("0.60/0.70/0.80 × anchor; anchor 5,000/10,000/10,000 req/s, 40 µs CPU; "
                       "target ≥ 0.70")
    assert "p99 at 1 connection 12.5 ms; target ≤ 50 ms" in table[
        "wrk: search: one name word [sqlite, 2,000]"][2]
    assert table["wrk: [postgres, 2,000]"][1] == "n/a"
    assert table["wrk: [postgres, 2,000]"][2] == "PostgreSQL does not answer"


def test_process_cpu_is_read_from_proc() -> None:
    import os
    import time

    before = tree_cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:
        pass
    assert tree_cpu_seconds(os.getpid()) - before >= 0.15


def test_realistic_register_has_what_people_search_for() -> None:
    from certificates.numbering import is_valid_number
    from pso.text.identifiers import KVK_RE

    data = realistic(3_000)
    assert len(data) == 3_000
    assert len({r.number for r in data}) == 3_000 and all(is_valid_number(r.number) for r in data)
    own = [r.kvk for r in data if r.organization is None]
    subsidiary = [k for r in data if r.organization is None for k, _ in r.subsidiaries]
    assert len(set(own + subsidiary)) == len(own) + len(subsidiary)  # every KvK number once
    assert all(KVK_RE.match(k) for k in own + subsidiary)
    assert sorted(own) != own and int(max(own)) - int(min(own)) > 10 * len(own)  # scattered
    assert sum(not r.name.isascii() for r in data) > 100  # diacritics (Coöperatie, Öztürk, …)
    assert len(subsidiary) > 100
    followers = [r for r in data if r.kind == "pso30plus"]
    assert followers and all(data[r.ladder].rung == "trede3" for r in followers)
    renewals = [r for r in data if r.organization is not None and r.kind == "ladder"]
    assert len(renewals) > 100
    assert all(data[r.organization].kvk == r.kvk for r in renewals)
    assert sum(r.superseded_from is not None for r in data) >= len(renewals)


@pytest.mark.anyio
async def test_realistic_register_is_searchable_by_every_kvk(client, session_maker) -> None:
    """The bulk insert writes what the service would: a subsidiary's KvK number finds every
    certificate that names it (renewals and PSO 30+ carry the list), a name with diacritics
    is found without them."""
    data = realistic(400)
    await insert(session_maker.kw["bind"], data)
    owner = next(r for r in data if r.organization is None and r.subsidiaries
                 and any(o.organization == data.index(r) for o in data))
    kvk = owner.subsidiaries[0][0]
    expected = {r.number for r in data if kvk in {k for k, _ in r.subsidiaries}}
    assert len(expected) >= 2
    found = (await client.get("/api/v1/certificates", params={"q": kvk})).json()
    assert {item["number"] for item in found["items"]} == expected
    accented = next(r for r in data if "Coöperatie" in r.name)
    found = (await client.get("/api/v1/certificates",
                              params={"q": accented.name.replace("ö", "o")[:60]})).json()
    assert accented.number in {item["number"] for item in found["items"]}

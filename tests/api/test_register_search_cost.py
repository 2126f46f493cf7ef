"""Register search reads Core rows in few statements (issue 26 item 3): every sort pages by key
over ties and statuses with each row exactly once, the JSON is what CertificatePage documents,
and one search runs at most a few statements (on SQLite none through aiosqlite)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from benchmarks.register_data import Row, insert
from pso.api.certificates import CertificatePage
from pso.clock import today
from pso.text import municipalities

pytestmark = pytest.mark.anyio
TODAY = today()
SORTS = ("newest", "valid-first", "name", "rung", "validity")
RUNGS = ("aspirant", "basistrede", "trede1", "trede2", "trede3")


def rows() -> list[Row]:
    """45 certificates with many ties in every order (three start days, two end days, five
    rungs, renewals sharing a name) and every status."""
    out = []
    for i in range(45):
        start = date(TODAY.year - 1, 3, 1) + timedelta(days=30 * (i % 3))
        if i % 17 == 2:
            start = TODAY + timedelta(days=5)  # not yet valid
        out.append(
            Row(
                name=f"Werkplaats {'Noord' if i % 2 else 'Zuid'} {i % 7}",
                kvk=f"{60_000_000 + i:08d}",
                number=f"PSO-2026-{800_000 + i:06d}",
                rung=RUNGS[i % 5],
                valid_from=start,
                valid_until=(TODAY - timedelta(days=1))
                if i % 4 == 0
                else date(TODAY.year + 2, 1, 1),
                revoked_on=TODAY if i % 9 == 0 else None,
                superseded_from=TODAY - timedelta(days=10) if i % 13 == 5 else None,
                suspended_since=TODAY - timedelta(days=3) if i % 10 == 3 else None,
                subsidiaries=[(f"{61_000_000 + i:08d}", f"Dochter {i} B.V.")] if i % 8 == 1 else [],
                organization=i - 7 if i >= 7 and i % 11 == 0 else None,
            )
        )
    return out


@pytest.fixture
async def many(database_url, session_maker) -> list[Row]:
    made = rows()
    await insert(session_maker.kw["bind"], made)
    return made


async def walk(client, url: str) -> list[str]:
    seen = []
    while url:
        response = await client.get(url)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [item["number"] for item in page["items"]]
        url = page["next"]
    return seen


async def test_keyset_paging_gives_every_row_once_in_every_sort(client, many, monkeypatch) -> None:
    api = "/api/v1/certificates?"
    for filters in (
        "",
        "q=werkplaats&",
        "q=noord&",
        "status=valid&",
        "rung=trede2&",
        "municipality=GM0363&",
    ):
        for sort in SORTS:
            whole = await walk(client, f"{api}{filters}sort={sort}&pageSize=100")
            assert len(whole) == len(set(whole)), (filters, sort)
            assert await walk(client, f"{api}{filters}sort={sort}&pageSize=4") == whole, (
                filters,
                sort,
            )
            if filters == "":
                assert len(whole) == len(many)
    # the same with a total above the cap: a name search walks the order's index (for the
    # name order: the organisations by name) instead of sorting its matches
    monkeypatch.setattr("pso.services.register.COUNT_CAP", 10)
    for sort in SORTS:
        capped = await walk(client, f"{api}q=werkplaats&sort={sort}&pageSize=4")
        assert len(capped) == len(set(capped)) == len(many), sort


async def test_status_filter_agrees_with_the_status_shown(client, many) -> None:
    """The SQL of each status filter (register.status_condition) and the status each row
    shows (certificates.lifecycle.status_on) agree on every row."""
    everything = (await client.get("/api/v1/certificates", params={"pageSize": 100})).json()
    shown: dict[str, set[str]] = {}
    for item in everything["items"]:
        shown.setdefault(item["status"], set()).add(item["number"])
    assert set(shown) == {"valid", "expired", "suspended", "revoked", "superseded", "not_yet_valid"}
    for status, numbers in shown.items():
        found = await walk(client, f"/api/v1/certificates?status={status}&pageSize=100")
        assert set(found) == numbers, status


async def test_api_page_is_what_certificate_page_documents(client, many) -> None:
    for params in (
        {"sort": "valid-first", "pageSize": 45},
        {"q": many[1].kvk},
        {"q": "61000001"},
        {"status": "suspended"},
    ):
        response = await client.get("/api/v1/certificates", params=params)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        documented = CertificatePage.model_validate(body).model_dump(mode="json")
        assert body == documented and list(body) == list(documented)
        assert [list(i) for i in body["items"]] == [list(i) for i in documented["items"]]
        assert 'rel="first"' in response.headers["link"]  # as ApiResponse adds to pages
    page = (
        await client.get("/api/v1/certificates", params={"status": "suspended", "pageSize": 50})
    ).json()
    suspended = [
        r.number for r in many if r.suspended_since and not r.revoked_on and r.valid_until >= TODAY
    ]
    assert sorted(i["number"] for i in page["items"]) == sorted(suspended)
    assert {i["suspendedSince"] for i in page["items"]} == {(TODAY - timedelta(days=3)).isoformat()}
    with_subsidiary = (await client.get("/api/v1/certificates", params={"q": "61000001"})).json()
    assert with_subsidiary["items"][0]["subsidiaries"] == [
        {"kvk": "61000001", "name": "Dochter 1 B.V."}
    ]


@contextmanager
def statements(app) -> Iterator[list[tuple[str, str]]]:
    """The statements the app runs meanwhile, per engine: ("reader" | "engine", SQL)."""
    ran: list[tuple[str, str]] = []
    engines = {"engine": app.state.engine.sync_engine}
    if app.state.get("sqlite_reader") is not None:
        engines["reader"] = app.state.sqlite_reader
    listeners = {}
    for name, engine in engines.items():

        def note(_conn, _cursor, statement, *_args, name=name):
            ran.append((name, statement))

        event.listen(engine, "before_cursor_execute", note)
        listeners[name] = note
    try:
        yield ran
    finally:
        for name, engine in engines.items():
            event.remove(engine, "before_cursor_execute", listeners[name])


async def test_one_search_runs_few_statements(client, many, backend) -> None:
    """Two for most searches (the capped count and the page); `valid-first` at most four."""
    app = client.app
    shapes = [
        {"q": many[2].number},
        {"q": many[2].kvk},
        {"q": "noord"},
        {"q": "zz"},
        {"status": "suspended", "rung": "trede2"},
        {"municipality": "GM0363"},
        *({"sort": sort, "page": 2, "pageSize": 5} for sort in SORTS),
    ]
    for params in shapes:
        with statements(app) as ran:
            assert (await client.get("/api/v1/certificates", params=params)).status_code == 200
        selects = [sql for _, sql in ran if sql.lstrip().upper().startswith("SELECT")]
        limit = 4 if params.get("sort") == "valid-first" else 2
        assert 1 <= len(selects) <= limit, (params, selects)
        if backend == "sqlite":  # all on the reader: no hand-off to aiosqlite per call
            assert {where for where, _ in ran} == {"reader"}, params
        assert len(ran) == len(selects), (params, ran)  # no BEGIN/ROLLBACK around them
    with statements(app) as ran:
        page = await client.get("/register", params={"q": "werkplaats", "plaats": "GM0363"})
    assert page.status_code == 200 and len(ran) <= 4


async def test_place_filter_marks_the_chosen_place_once(client, many) -> None:
    html = (await client.get("/register", params={"plaats": "GM0363"})).text
    assert html.count(" selected>") == 2  # the place and the order
    assert '<option value="GM0363" selected>Amsterdam</option>' in html
    assert html.count('<option value="GM') == len(municipalities.names())
    plain = (await client.get("/register")).text
    assert '<option value="GM0363">Amsterdam</option>' in plain

"""The public register at scale (issues 15 and 16): search by words (case, accents and word
order ignored), routing by shape, sorts, valid first, place, keyset paging, downloads."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from benchmarks.register_data import Row, insert
from pso.clock import today
from pso.services.register import COUNT_CAP
from pso.text.search import fold, words
from tests.api.test_foundation import assert_problem

pytestmark = pytest.mark.anyio
TODAY = today()
PAST = date(TODAY.year - 4, 1, 1)


def row(i: int, name: str, **kw) -> Row:
    return Row(name=name, kvk=f"{70_000_000 + i:08d}", number=f"PSO-2026-{900_000 + i:06d}",
               valid_from=kw.pop("valid_from", date(TODAY.year - 1, 1, 1) + timedelta(days=i)),
               valid_until=kw.pop("valid_until", date(TODAY.year + 2, 1, 1)), **kw)


ROWS = [
    row(1, "Coöperatie De Groene Schakel U.A.", municipality_code="GM0344", rung="trede3"),
    row(2, "Bakkerij Österreich & Zonen", municipality_code="GM0363", rung="basistrede"),
    row(3, "Groen en Schoon Hoveniers B.V.", municipality_code="GM0599", rung="trede1",
        revoked_on=TODAY),
    row(4, "IJzerwaren Zuid", municipality_code="GM0599", rung="trede2",
        valid_from=PAST, valid_until=date(TODAY.year - 1, 12, 31)),
    row(5, "Schakel Techniek", municipality_code="GM0193", rung="aspirant"),
]


@pytest.fixture
async def register_rows(database_url, session_maker) -> list[Row]:
    await insert(session_maker.kw["bind"], ROWS)
    return ROWS


async def search(client, **params) -> dict:
    response = await client.get("/api/v1/certificates", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def numbers(page: dict) -> list[str]:
    return [item["number"] for item in page["items"]]


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_fold_and_words() -> None:
    assert fold("  Coöperatie   ÖSTERREICH  ") == "cooperatie osterreich"
    assert fold("Straße") == "strasse"
    assert words("Schakel  groene schakel") == ["schakel", "groene"]


async def test_search_ignores_case_and_accents_and_word_order(client, register_rows) -> None:
    assert numbers(await search(client, q="cooperatie")) == [ROWS[0].number]
    assert numbers(await search(client, q="COÖPERATIE")) == [ROWS[0].number]
    assert numbers(await search(client, q="schakel groene")) == [ROWS[0].number]
    assert numbers(await search(client, q="osterreich")) == [ROWS[1].number]
    assert set(numbers(await search(client, q="schakel"))) == {ROWS[0].number, ROWS[4].number}
    assert numbers(await search(client, q="groene onbekend")) == []
    # words shorter than three characters still count (they narrow, or scan when alone)
    assert numbers(await search(client, q="de schakel")) == [ROWS[0].number]
    assert set(numbers(await search(client, q="ij"))) == {ROWS[1].number, ROWS[3].number}
    assert (await search(client, q="100%_"))["total"] == 0
    assert (await search(client, q='"groen" OR x*'))["total"] == 0  # no FTS syntax leaks
    for odd in ("schakel\x00groene", "groene\u200bschakel", 'NEAR(abc def)', "col:abc", '"""'):
        assert (await client.get("/api/v1/certificates", params={"q": odd})).status_code == 200
        assert (await client.get("/register", params={"q": odd})).status_code == 200
    assert numbers(await search(client, q="schakel\x00groene")) == [ROWS[0].number]


async def test_query_is_routed_by_its_shape(client, register_rows) -> None:
    assert numbers(await search(client, q=ROWS[1].kvk)) == [ROWS[1].number]
    assert numbers(await search(client, q=ROWS[2].number.lower())) == [ROWS[2].number]
    assert numbers(await search(client, q=f" {ROWS[2].number} ")) == [ROWS[2].number]


async def test_renamed_organisation_is_found_by_its_new_name(client, register_rows,
                                                             session_maker) -> None:
    from sqlalchemy import select

    from pso.db.models import Organization

    async with session_maker() as session, session.begin():
        org = await session.scalar(select(Organization).where(Organization.kvk == ROWS[4].kvk))
        org.name = "Zuivelfabriek Één"
    assert numbers(await search(client, q="zuivelfabriek een")) == [ROWS[4].number]
    assert numbers(await search(client, q="techniek")) == []


async def test_sorts_and_valid_first(client, register_rows) -> None:
    by_name = numbers(await search(client, sort="name"))
    assert by_name == [ROWS[i].number for i in (1, 0, 2, 3, 4)]
    by_rung = [item["rung"] for item in (await search(client, sort="rung"))["items"]]
    assert by_rung == ["trede3", "trede2", "trede1", "basistrede", "aspirant"]
    assert numbers(await search(client, sort="validity"))[-1] == ROWS[3].number
    newest = numbers(await search(client))
    assert newest == [ROWS[i].number for i in (4, 2, 1, 0, 3)]  # valid_from, newest first
    valid_first = await search(client, sort="valid-first")
    statuses = [item["status"] for item in valid_first["items"]]
    assert statuses[:3] == ["valid"] * 3 and set(statuses[3:]) == {"revoked", "expired"}


async def test_place_is_shown_and_filterable(client, register_rows) -> None:
    page = await search(client, municipality="GM0599")
    assert set(numbers(page)) == {ROWS[2].number, ROWS[3].number}
    assert page["items"][0]["organization"]["municipality"] == "Rotterdam"
    assert (await search(client, q="schakel", municipality="GM0344"))["total"] == 1
    html = (await client.get("/register", params={"plaats": "GM0344"})).text
    assert "Utrecht" in html and ROWS[0].name in html.replace("&amp;", "&")
    assert ROWS[1].name.split()[0] not in html


async def test_keyset_pages_cover_every_row_once(client, register_rows) -> None:
    for sort in ("newest", "valid-first", "name", "rung", "validity"):
        seen, page = [], await search(client, sort=sort, pageSize=2)
        seen += numbers(page)
        while page["next"]:
            assert page["next"].startswith("/api/v1/certificates?") and "after=" in page["next"]
            response = await client.get(page["next"])
            assert response.status_code == 200
            page = response.json()
            seen += numbers(page)
        assert seen == numbers(await search(client, sort=sort, pageSize=50)), sort
        assert len(seen) == len(ROWS)
    assert (await search(client, pageSize=5))["next"] is None
    page3 = await search(client, sort="valid-first", pageSize=2, page=2)
    assert numbers(page3) == numbers(await search(client, sort="valid-first", pageSize=4))[2:]


async def test_register_refuses_bad_paging_and_filters(client, register_rows) -> None:
    bad = [{"municipality": "Utrecht"}, {"sort": "price"}, {"after": "bm9uc2Vuc2U"},
           {"after": "x" * 400}, {"page": str(COUNT_CAP // 20 + 1)}, {"q": "x" * 201}]
    for params in bad:
        problem = assert_problem(await client.get("/api/v1/certificates", params=params), 400)
        assert problem["invalidParams"], params
    too_far = assert_problem(await client.get("/api/v1/certificates",
                                              params={"page": "600"}), 400)
    assert "next" in too_far["invalidParams"][0]["reason"]
    # the web page never fails on them: it falls back to the first page
    page = await client.get("/register", params={"after": "kapot", "sort": "x", "plaats": "y"})
    assert page.status_code == 200 and "4 certificaten" not in page.text


async def test_revoked_certificate_never_reads_valid_until(client, register_rows) -> None:
    listing = (await client.get("/register", params={"q": "hoveniers"})).text
    assert "ingetrokken op" in listing and "geldig tot" not in listing.lower()
    verify = (await client.get(f"/register/{ROWS[2].number}")).text
    assert "Ingetrokken op" in verify and "geldig tot" not in verify.lower()
    expired = (await client.get("/register", params={"q": "ijzerwaren"})).text
    assert "verlopen, gold tot en met" in expired and "geldig tot" not in expired.lower()
    valid = (await client.get("/register", params={"q": "osterreich"})).text
    assert "geldig tot en met" in valid and "Amsterdam" in valid


async def test_register_downloads(client, register_rows) -> None:
    response = await client.get("/api/v1/certificates/export", params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0][:4] == ["nummer", "soort", "trede", "status"]
    assert {r[0] for r in table[1:]} == {r.number for r in ROWS}
    revoked = next(r for r in table[1:] if r[0] == ROWS[2].number)
    assert revoked[3] == "revoked" and revoked[6] == TODAY.isoformat()
    assert next(r for r in table[1:] if r[0] == ROWS[0].number)[-1] == "Utrecht"

    data = (await client.get("/api/v1/certificates/export",
                             params={"format": "json", "q": "schakel"})).json()
    assert data["statusOn"] == TODAY.isoformat()
    assert {item["number"] for item in data["items"]} == {ROWS[0].number, ROWS[4].number}
    assert data["items"][0]["organization"]["municipalityCode"]
    assert_problem(await client.get("/api/v1/certificates/export",
                                    params={"format": "xml"}), 400)
    page = (await client.get("/register", params={"q": "schakel"})).text
    assert "/api/v1/certificates/export?format=csv&amp;q=schakel" in page


async def test_keyset_paging_over_many_rows(client, database_url, session_maker) -> None:
    rows = [row(i, f"Werkplaats {i}") for i in range(1, 61)]
    await insert(session_maker.kw["bind"], rows)
    seen, url = [], "/api/v1/certificates?pageSize=7&sort=name&q=werkplaats"
    while url:
        page = (await client.get(url)).json()
        assert page["total"] == 60 and page["totalExact"] is True
        seen += numbers(page)
        url = page["next"]
    assert len(seen) == len(set(seen)) == 60


async def test_capped_total_and_dense_matches_walk_the_order(client, database_url,
                                                             session_maker, monkeypatch) -> None:
    rows = [row(i, f"Werkplaats {i}", rung=("trede1", "trede2")[i % 2]) for i in range(1, 61)]
    await insert(session_maker.kw["bind"], rows)
    exact = {sort: numbers(await search(client, q="werkplaats", sort=sort, pageSize=60))
             for sort in ("newest", "rung", "validity", "valid-first")}
    monkeypatch.setattr("pso.services.register.COUNT_CAP", 25)
    for sort, expected in exact.items():
        seen, url = [], f"/api/v1/certificates?pageSize=9&q=werkplaats&sort={sort}"
        while url:
            page = (await client.get(url)).json()
            assert page["total"] == 25 and page["totalExact"] is False
            seen += numbers(page)
            url = page["next"]
        assert seen == expected, sort
    html = (await client.get("/register", params={"q": "werkplaats"})).text
    assert "Meer dan 25 certificaten" in html

"""Rules of the register service (pso/services/register.py) found by
`make mutate MODULES=pso/services/register.py`, on the service itself, both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from pso.auth import Actor
from pso.clock import today
from pso.db.models import Certificate, CertificatePdf, Suspension
from pso.errors import Conflict, NotFound
from pso.services import register
from tests.jobs import data
from tests.services.concurrency import race

pytestmark = pytest.mark.anyio


async def test_the_register_export_starts_at_the_first_certificate(session_maker) -> None:
    """`export_batches` reads every certificate by key from the first page on (its first
    batch relies on `search_now`'s default of page 1: page 0 is a negative offset, which
    SQLite reads as 0 and PostgreSQL refuses)."""
    async with session_maker() as session, session.begin():
        org = await data.organization(session, "12345678", people=0)
        for i in range(1, 6):
            await data.certificate(
                session, org, f"PSO-2026-00000{i}", today() + timedelta(days=300 + i)
            )
    async with session_maker() as session:
        batches = [
            [row.number for row in rows]
            async for rows in register.export_batches(
                session, batch=2, q=None, kvk=None, rung=None, status=None
            )
        ]
    assert [len(b) for b in batches] == [2, 2, 1]
    assert sorted(n for b in batches for n in b) == [f"PSO-2026-00000{i}" for i in range(1, 6)]


ADMIN = Actor(None, "Beheer", "admin")


async def _ladder_with_followers(session_maker) -> None:
    """Ladder certificate -000001 with its PSO 30+ followers: -000002 (nothing of its own),
    -000003 (suspended on its own account) and -000004 (revoked)."""
    async with session_maker() as session, session.begin():
        org = await data.organization(session, "12345678", people=0)
        until = today() + timedelta(days=300)
        ladder = await data.certificate(session, org, "PSO-2026-000001", until)
        plain = await data.certificate(session, org, "PSO-2026-000002", until, kind="pso30plus")
        own = await data.certificate(session, org, "PSO-2026-000003", until, kind="pso30plus")
        gone = await data.certificate(
            session, org, "PSO-2026-000004", until, kind="pso30plus", revoked_on=today()
        )
        for plus in (plain, own, gone):
            plus.ladder_certificate_id = ladder.id
        session.add(Suspension(certificate_id=own.id, start=today(), reason="Eigen onderzoek"))


async def _states(session_maker) -> dict[str, tuple[str, list[tuple[bool, bool]]]]:
    """number -> (status today, [(follows the ladder, still open) per suspension])."""
    async with session_maker() as session:
        certificates = (await session.scalars(select(Certificate))).unique().all()
        return {
            c.number: (
                register.status_of(c, today()),
                [(s.follows_ladder, s.end is None) for s in c.suspensions],
            )
            for c in certificates
        }


async def test_reinstating_a_ladder_certificate_lifts_only_the_suspensions_that_follow_it(
    session_maker,
) -> None:
    await _ladder_with_followers(session_maker)
    async with session_maker() as session, session.begin():
        await register.suspend(session, ADMIN, "PSO-2026-000001", "Onderzoek")
    assert await _states(session_maker) == {
        "PSO-2026-000001": ("suspended", [(False, True)]),
        "PSO-2026-000002": ("suspended", [(True, True)]),  # follows the ladder certificate
        "PSO-2026-000003": ("suspended", [(False, True)]),  # its own suspension only
        "PSO-2026-000004": ("revoked", []),
    }
    # A follower's suspension is lifted with its ladder certificate's, not on its own.
    async with session_maker() as session, session.begin():
        with pytest.raises(Conflict) as refused:
            await register.reinstate(session, ADMIN, "PSO-2026-000002")
        assert refused.value.slug == "ladder-suspended"
    async with session_maker() as session, session.begin():
        await register.reinstate(session, ADMIN, "PSO-2026-000001")
    assert await _states(session_maker) == {
        "PSO-2026-000001": ("valid", [(False, False)]),
        "PSO-2026-000002": ("valid", [(True, False)]),
        "PSO-2026-000003": ("suspended", [(False, True)]),  # still its own suspension
        "PSO-2026-000004": ("revoked", []),
    }
    async with session_maker() as session, session.begin():  # nothing left to reinstate
        with pytest.raises(Conflict) as refused:
            await register.reinstate(session, ADMIN, "PSO-2026-000001")
        assert refused.value.slug == "not-suspended"


async def test_a_certificates_pdf_is_found_by_its_own_number_only(session_maker) -> None:
    """`find_pdf` answers the PDF of that number: not a later certificate's when its own is
    missing, and a malformed or unknown number is not found."""
    async with session_maker() as session, session.begin():
        org = await data.organization(session, "12345678", people=0)
        until = today() + timedelta(days=300)
        first = await data.certificate(session, org, "PSO-2026-000001", until)
        second = await data.certificate(session, org, "PSO-2026-000002", until)
        second.pdf_sha256 = "2" * 64
        await session.execute(delete(CertificatePdf).where(CertificatePdf.certificate_id == first.id))
    async with session_maker() as session:
        assert await register.find_pdf(session, "pso-2026-000002") == (
            "PSO-2026-000002",
            "2" * 64,
            b"%PDF",
        )
        for number in ("PSO-2026-000001", "PSO-2026-000009", "PSO-2026"):
            with pytest.raises(NotFound):
                await register.find_pdf(session, number)


async def test_a_suspension_ends_on_its_end_day_and_holds_through_the_last_valid_day(
    session_maker,
) -> None:
    """The register's status filter (`status_condition`, SQL) says what `status_of` says at
    the edges: reinstated today or earlier is valid today (the end day is not suspended);
    suspended on its last valid day is suspended that day, not expired and not nothing."""
    day = today()
    async with session_maker() as session, session.begin():
        org = await data.organization(session, "12345678", people=0)
        reinstated = await data.certificate(
            session, org, "PSO-2026-000001", day + timedelta(days=300)
        )
        last_day = await data.certificate(session, org, "PSO-2026-000002", day)
        earlier = await data.certificate(session, org, "PSO-2026-000003", day + timedelta(days=9))
        session.add_all([
            Suspension(certificate_id=reinstated.id, start=day - timedelta(days=10), end=day),
            Suspension(certificate_id=last_day.id, start=day - timedelta(days=5)),
            Suspension(
                certificate_id=earlier.id, start=day - timedelta(days=20), end=day - timedelta(5)
            ),
        ])
    statuses = ("valid", "expired", "suspended", "revoked", "superseded", "not_yet_valid")
    async with session_maker() as session:
        in_sql = {
            status: set(
                await session.scalars(
                    select(Certificate.number).where(register.status_condition(status, day))
                )
            )
            for status in statuses
        }
        certificates = (await session.scalars(select(Certificate))).unique().all()
        in_python = {c.number: register.status_of(c, day) for c in certificates}
    assert in_python == {"PSO-2026-000001": "valid", "PSO-2026-000002": "suspended",
                         "PSO-2026-000003": "valid"}
    assert {s: numbers for s, numbers in in_sql.items() if numbers} == {
        "valid": {"PSO-2026-000001", "PSO-2026-000003"},
        "suspended": {"PSO-2026-000002"},
    }


async def test_the_public_view_shows_the_certificates_own_organisation_and_suspensions_once(
    session_maker,
) -> None:
    """`find_public` joins a certificate to its own organisation only: with other
    organisations in the register, its holder and its suspensions are still its own, once."""
    day = today()
    async with session_maker() as session, session.begin():
        first = await data.organization(session, "12345678", people=0, name="Eerste BV")
        await data.organization(session, "87654321", people=0, name="Tweede BV")
        cert = await data.certificate(session, first, "PSO-2026-000001", day + timedelta(days=300))
        session.add(Suspension(certificate_id=cert.id, start=day - timedelta(days=3), end=day))
    engine = session_maker.kw["bind"]
    public = await register.find_public(engine, "PSO-2026-000001")
    assert (public.organization.kvk, public.organization.name) == ("12345678", "Eerste BV")
    assert [(s.start, s.end) for s in public.suspensions] == [(day - timedelta(days=3), day)]
    assert register.summary(public, day)["status"] == "valid"


@pytest.mark.parametrize("backend", ["postgres"])  # SQLite has no row locks
async def test_reading_a_certificate_does_not_wait_for_a_revocation_in_progress(
    session_maker,
) -> None:
    """Only the changes lock a certificate's row (`find(lock=True)`): the certificate page
    and the API read it while a revocation holds the lock, and see it as it was."""
    async with session_maker() as session, session.begin():
        org = await data.organization(session, "12345678", people=0)
        await data.certificate(session, org, "PSO-2026-000001", today() + timedelta(days=300))

    async def revoke(session):
        return await register.revoke(session, ADMIN, "PSO-2026-000001", "Fout")

    async def read(session):
        return (await register.find(session, "PSO-2026-000001")).revoked_on

    revoked_on, waited = await race(session_maker, "postgres", revoke, read)
    assert not waited
    assert revoked_on is None  # not revoked yet when it was read


async def _valid_and_expired(session_maker) -> None:
    """-000001 valid today, -000002 .. -000004 expired (newest first: 2, 3, 4)."""
    day = today()
    async with session_maker() as session, session.begin():
        org = await data.organization(session, "12345678", people=0)
        await data.certificate(session, org, "PSO-2026-000001", day + timedelta(days=300))
        for i, days_ago in ((2, 10), (3, 20), (4, 30)):
            await data.certificate(session, org, f"PSO-2026-00000{i}", day - timedelta(days_ago))


async def _page(session_maker, **arguments) -> list[str]:
    args = {"q": None, "kvk": None, "rung": None, "status": None, "day": today(), **arguments}
    async with session_maker() as session:
        found = await session.run_sync(lambda s: register.search_now(s.connection(), **args))
    return [row.number for row in found.rows]


async def test_valid_first_pages_run_on_from_the_valid_into_the_other_certificates(
    session_maker,
) -> None:
    """`valid-first` lists the valid certificates, then the others, each newest first; a page
    that starts past the valid ones skips into the others, and a page across both reads the
    others from their first."""
    await _valid_and_expired(session_maker)
    pages = [await _page(session_maker, sort="valid-first", page=n, page_size=2) for n in (1, 2)]
    assert pages == [["PSO-2026-000001", "PSO-2026-000002"],
                     ["PSO-2026-000003", "PSO-2026-000004"]]
    assert await _page(session_maker, sort="valid-first", page=1, page_size=3) == [
        "PSO-2026-000001", "PSO-2026-000002", "PSO-2026-000003"]


async def test_the_bodys_list_finds_a_certificate_by_its_own_number_only(session_maker) -> None:
    await _valid_and_expired(session_maker)
    async with session_maker() as session:
        found, total = await register.of_body(
            session, ADMIN, q="pso-2026-000003", page=1, page_size=10
        )
    assert ([c.number for c in found], total) == (["PSO-2026-000003"], 1)


async def test_the_suspension_reason_is_that_of_the_open_suspension_only(session_maker) -> None:
    await _ladder_with_followers(session_maker)  # -000003 suspended, the others not
    async with session_maker() as session, session.begin():
        await register.suspend(session, ADMIN, "PSO-2026-000001", None)  # without a reason
    async with session_maker() as session, session.begin():
        await register.reinstate(session, ADMIN, "PSO-2026-000001")
    async with session_maker() as session:
        reasons = {
            c.number: register.suspension_reason(c)
            for c in (await session.scalars(select(Certificate))).unique().all()
        }
    assert reasons == {"PSO-2026-000001": None, "PSO-2026-000002": None,
                       "PSO-2026-000003": "Eigen onderzoek", "PSO-2026-000004": None}
    async with session_maker() as session, session.begin():
        await register.suspend(session, ADMIN, "PSO-2026-000001", None)
    async with session_maker() as session:
        ladder = await register.find(session, "PSO-2026-000001")
        assert register.suspension_reason(ladder) == "Geen reden opgegeven."


async def test_the_place_filter_lists_that_places_certificates_newest_first(
    session_maker,
) -> None:
    """A place's certificates, newest first (on PostgreSQL through its own plan: the order's
    first key hidden in an expression)."""
    await _valid_and_expired(session_maker)  # in GM0363
    async with session_maker() as session, session.begin():
        elsewhere = await data.organization(session, "87654321", people=0)
        elsewhere.municipality_code = "GM0344"
        await data.certificate(session, elsewhere, "PSO-2026-000005", today())
    assert await _page(session_maker, municipality="GM0363", page_size=10) == [
        "PSO-2026-000001", "PSO-2026-000002", "PSO-2026-000003", "PSO-2026-000004"]
    assert await _page(session_maker, municipality="GM0344", page_size=10) == ["PSO-2026-000005"]


async def test_a_total_is_exact_up_to_and_including_the_cap(session_maker, monkeypatch) -> None:
    """The total is counted up to COUNT_CAP: exactly the cap is still exact, one more is
    reported as "more than" the cap."""
    monkeypatch.setattr("pso.services.register.COUNT_CAP", 4)
    await _valid_and_expired(session_maker)  # 4 certificates
    args = {"q": None, "kvk": None, "rung": None, "status": None, "day": today()}
    async with session_maker() as session:
        found = await session.run_sync(lambda s: register.search_now(s.connection(), **args))
    assert (found.total, found.total_exact) == (4, True)
    async with session_maker() as session, session.begin():
        org = await data.organization(session, "87654321", people=0)
        await data.certificate(session, org, "PSO-2026-000005", today())
    async with session_maker() as session:
        found = await session.run_sync(lambda s: register.search_now(s.connection(), **args))
    assert (found.total, found.total_exact) == (4, False)

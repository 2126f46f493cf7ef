"""Every Python predicate and its SQL twin select the same rows: the access rules of
pso/services/access.py (per resource, for every role and many actors) and the status rules
(`vouchers.status_on`/`status_sql`, `register.status_of`/`status_condition`). Random rows
from a fixed seed in a real database, on both backends."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from certificates.lifecycle import expiry_window
from pso.auth import ROLES, SYSTEM, Actor
from pso.db.models import (
    Assessment,
    AssessmentDocument,
    Certificate,
    Organization,
    Party,
    Suspension,
    Tender,
    TenderAward,
    User,
    Voucher,
    VoucherScheme,
)
from pso.errors import NotFound
from pso.services import access, certification, register, tenders, vouchers
from pso.statuses import AssessmentStatus

pytestmark = pytest.mark.anyio

SEED = 2025
KVKS = ("11111111", "22222222", "33333333")
CODES = ("GM0363", "GM0599", "GM0344")
DAY = date(2026, 3, 1)
STATUSES = tuple(AssessmentStatus)  # in the order of the old tuple: same random draws
# `expired` is never stored: status_on derives it from the date.
STORED_VOUCHER_STATUSES = ("requested", "issued", "issued", "redeemed", "cancelled", "refused")


def _day(rng: random.Random, spread: int = 400) -> date:
    return DAY + timedelta(days=rng.randint(-spread, spread))


async def _world(session, rng: random.Random) -> dict[str, list[int]]:
    """Parties, token users and organisations, then random rows of every resource that point
    at them (or at nothing, where a column may be empty)."""
    parties = [Party(kind="certifying_body", code=f"P{i}", name=f"Partij {i}") for i in range(3)]
    users = [User(name=f"token {i}", role="procurement", token_hash=f"{i:064d}") for i in range(3)]
    orgs = [
        Organization(kvk=k, name=f"Org {k}", municipality_code=rng.choice(CODES), kind="company")
        for k in KVKS
    ]
    session.add_all([*parties, *users, *orgs])
    await session.flush()
    party_ids = [p.id for p in parties]
    bodies = [None, *party_ids]

    assessments = [
        Assessment(
            organization=rng.choice(orgs),
            status=rng.choice(STATUSES),
            submission={},
            score={},
            rulebook="pso-2.1",
            certificates=[],
            certifying_body_id=rng.choice(bodies),
        )
        for _ in range(30)
    ]
    session.add_all(assessments)
    await session.flush()
    session.add_all(
        [
            AssessmentDocument(
                assessment_id=rng.choice(assessments).id,
                file_name="f.pdf",
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
                uploaded_by="x",
            )
            for _ in range(30)
        ]
    )
    for n in range(30):
        found = rng.choice(assessments)
        start = _day(rng)
        until = start + timedelta(days=rng.choice((30, 365, 729)))
        certificate = Certificate(
            number=f"PSO-2026-{n:06d}",
            kind="ladder",
            rung="trede1",
            organization=found.organization,
            assessment_id=found.id,
            valid_from=start,
            valid_until=until,
            rulebook="pso-2.1",
            issuer="x",
            pdf_sha256="0" * 64,
            certifying_body_id=rng.choice(bodies),
            revoked_on=_day(rng) if rng.random() < 0.2 else None,
            superseded_from=_day(rng) if rng.random() < 0.2 else None,
            suspensions=[],
        )
        for _ in range(rng.choice((0, 0, 1, 2))):
            begin = _day(rng)
            certificate.suspensions.append(
                Suspension(
                    start=begin, end=rng.choice((None, begin + timedelta(days=rng.randint(1, 90))))
                )
            )
        session.add(certificate)

    schemes = [
        VoucherScheme(
            title=f"Regeling {i}",
            municipality_code=rng.choice(CODES),
            voucher_amount=Decimal("100.00"),
            budget=Decimal("10000.00"),
            application_opens_on=DAY,
            application_closes_on=DAY,
            voucher_validity_days=30,
            max_fte=Decimal("250.00"),
            eligible_municipality_codes=list(CODES),
            created_by="x",
        )
        for i in range(8)
    ]
    session.add_all(schemes)
    await session.flush()
    pairs = rng.sample(list(itertools.product(schemes, orgs)), 10)
    session.add_all(
        [
            Voucher(
                code=f"CODE{i:04d}",
                scheme_id=s.id,
                organization_id=o.id,
                fte=Decimal("1.00"),
                amount=Decimal("100.00"),
                status=rng.choice(STORED_VOUCHER_STATUSES),
                issued_on=DAY,
                expires_on=_day(rng, 60),
                issued_by="x",
            )
            for i, (s, o) in enumerate(pairs)
        ]
    )

    tenders = [
        Tender(
            title=f"Aanbesteding {i}",
            reference=f"A-{i}",
            deadline=DAY,
            policy={},
            created_by="x",
            party_id=rng.choice(bodies),
            owner_id=rng.choice([None, *(u.id for u in users)]),
        )
        for i in range(20)
    ]
    session.add_all(tenders)
    await session.flush()
    for tender in rng.sample(tenders, 12):
        session.add(
            TenderAward(
                tender_id=tender.id,
                bidder="Winnaar",
                kvk=rng.choice((*KVKS, "99999999")),
                position=1,
                rung="trede1",
                pso30plus=False,
                verified=True,
                price=Decimal("1.00"),
                advantage=Decimal("0.00"),
                penalty=Decimal("0.00"),
                certificates=[],
                contract_start=DAY,
                contract_end=DAY,
                awarded_by="x",
            )
        )
    await session.flush()
    return {"parties": party_ids, "users": [u.id for u in users]}


def _actors(ids: dict[str, list[int]]) -> list[Actor]:
    """Every role (and unknown ones) with every combination of party marks: its own, another's
    and none."""
    found = [SYSTEM]
    for role in (*ROLES, "system", "visitor", ""):
        for user, kvk, code, party in itertools.product(
            (None, ids["users"][0]),
            (None, *KVKS[:2]),
            (None, CODES[0]),
            (None, *ids["parties"][:2]),
        ):
            found.append(
                Actor(user, f"test {role}", role, kvk=kvk, municipality_code=code, party_id=party)
            )
    return found


# Per resource: the rows as the predicate sees them (id, row) and the select of ids the
# filter narrows.
LOADERS: dict[str, Any] = {
    "assessment": (select(Assessment), lambda r: (r.id, r), select(Assessment.id)),
    "document": (
        select(AssessmentDocument, Assessment).join(
            Assessment, Assessment.id == AssessmentDocument.assessment_id
        ),
        lambda r: (r[0].id, tuple(r)),
        select(AssessmentDocument.id),
    ),
    "certificate": (select(Certificate), lambda r: (r.id, r), select(Certificate.id)),
    "voucher": (select(Voucher), lambda r: (r.id, r), select(Voucher.id)),
    "scheme": (select(VoucherScheme), lambda r: (r.id, r), select(VoucherScheme.id)),
    "tender": (select(Tender), lambda r: (r.id, r), select(Tender.id)),
    "contract": (
        select(Tender, TenderAward).join(TenderAward, TenderAward.tender_id == Tender.id),
        lambda r: (r[0].id, tuple(r)),
        select(Tender.id).join(TenderAward, TenderAward.tender_id == Tender.id),
    ),
}


async def _rows(session, query) -> list[Any]:
    result = await session.execute(query)
    if len(query.column_descriptions) == 1:
        return list(result.scalars().unique())
    return list(result.unique())


@pytest.mark.parametrize("resource", sorted(LOADERS))
async def test_predicate_and_filter_select_the_same_rows(session_maker, resource: str) -> None:
    assert set(LOADERS) == set(access.POLICY)
    rng = random.Random(f"{SEED}:{resource}")
    async with session_maker() as session, session.begin():
        ids = await _world(session, rng)
    query, keyed, ids_query = LOADERS[resource]
    async with session_maker() as session:
        rows = [keyed(r) for r in await _rows(session, query)]
        assert len(rows) >= 8
        seen_any = set()
        for actor in _actors(ids):
            rule = access.rule(resource, actor)
            expected = {key for key, row in rows if rule.sees(actor, row)}
            selected = set(await session.scalars(ids_query.where(rule.where(actor))))
            assert selected == expected, (resource, actor)
            seen_any.add(0 < len(expected) < len(rows))
        assert True in seen_any, f"no actor sees only part of the {resource} rows"


async def test_voucher_status_on_and_status_sql_agree(session_maker) -> None:
    rng = random.Random(f"{SEED}:voucher-status")
    async with session_maker() as session, session.begin():
        await _world(session, rng)
    async with session_maker() as session:
        rows = list(await session.scalars(select(Voucher)))
        for day in (DAY, *(_day(rng, 70) for _ in range(15))):
            shown = dict(
                (await session.execute(select(Voucher.id, vouchers.status_sql(day)))).all()
            )
            assert shown == {v.id: vouchers.status_on(v, day) for v in rows}, day
        assert {vouchers.status_on(v, DAY) for v in rows} >= {"expired", "issued"}


async def test_certificate_status_of_and_status_condition_agree(session_maker) -> None:
    rng = random.Random(f"{SEED}:certificate-status")
    async with session_maker() as session, session.begin():
        await _world(session, rng)
    statuses = ("valid", "expired", "suspended", "revoked", "superseded", "not_yet_valid")
    async with session_maker() as session:
        rows = list(
            (
                await session.scalars(
                    select(Certificate).options(selectinload(Certificate.suspensions))
                )
            ).unique()
        )
        met = set()
        for day in (DAY, *(_day(rng) for _ in range(15))):
            expected = {c.id: register.status_of(c, day) for c in rows}
            met |= set(expected.values())
            for status in statuses:
                selected = set(
                    await session.scalars(
                        select(Certificate.id).where(register.status_condition(status, day))
                    )
                )
                assert selected == {i for i, s in expected.items() if s == status}, (day, status)
        assert met == set(statuses)


async def test_the_services_read_through_the_policy(session_maker, fixed_today) -> None:
    """The lists and single reads of the services answer what the predicates allow: no role
    passes because it is not named (the deny-list of before let procurement and municipality
    tokens read any application)."""
    fixed_today(DAY)
    rng = random.Random(f"{SEED}:services")
    async with session_maker() as session, session.begin():
        ids = await _world(session, rng)
    async with session_maker() as session:
        all_assessments = list((await session.scalars(select(Assessment))).unique())
        all_certificates = list((await session.scalars(select(Certificate))).unique())
        all_tenders = list(await session.scalars(select(Tender)))
        all_schemes = list(await session.scalars(select(VoucherScheme)))
        all_vouchers = list(await session.scalars(select(Voucher)))
        lengths: set[int] = set()
        for actor in _actors(ids)[::7]:
            listed, _ = await certification.list_for(
                session, actor, status=None, kvk=None, page=1, page_size=100
            )
            assert {a.id for a in listed} == {
                a.id for a in all_assessments if access.may_see_assessment(actor, a)
            }, actor
            for found in all_assessments[:5]:
                if access.may_see_assessment(actor, found):
                    assert (await certification.get_for(session, actor, found.id)) is found
                else:
                    with pytest.raises(NotFound):
                        await certification.get_for(session, actor, found.id)
            managed, _ = await register.of_body(session, actor, page=1, page_size=100)
            assert {c.id for c in managed} == {
                c.id for c in all_certificates if access.may_see_certificate(actor, c)
            }, actor
            start, end = expiry_window(DAY, 24)
            expiring = {c.id for c in await register.expiring(session, actor, 24)}
            lengths.add(len(expiring))
            assert expiring == {
                c.id
                for c in managed
                if start <= c.valid_until <= end
                and register.status_of(c, DAY) in ("valid", "suspended")
            }, actor
            tenders_seen, _ = await tenders.list_for(session, actor, page=1, page_size=100)
            assert {t.id for t, _ in tenders_seen} == {
                t.id for t in all_tenders if access.may_see_tender(actor, t)
            }, actor
            schemes = {s for s in all_schemes if access.may_see_scheme(actor, s)}
            assert set(await vouchers.list_schemes(session, actor)) == schemes, actor
            assert set(await vouchers.open_schemes(session, actor, DAY)) == schemes, actor
            assert set(await vouchers.expiring(session, actor, DAY, within_days=60)) == {
                v for v in all_vouchers if v.status == "issued" and access.may_see_voucher(actor, v)
            }, actor
        assert len(lengths) > 1, "every actor sees the same expiring certificates"

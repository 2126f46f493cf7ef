"""The rules of pso/services/certification.py, on the service itself (both databases), found
by mutation testing (docs/testing.md). Each test names its rule and fails when that rule is
removed; the `concurrent` ones race two real sessions on PostgreSQL (the row lock of an
application, `get_for(lock=True)`), and on SQLite, which runs one writer at a time, check the
same outcome in sequence."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from pso import clock
from pso.audit import record
from pso.auth import SYSTEM, Actor
from pso.db.models import Assessment, AssessmentStatus, AuditEvent, Certificate, OutboxMail
from pso.errors import Conflict
from pso.services import accounts, certification, organizations
from tests.factories import submission
from tests.jobs import data
from tests.services.concurrency import meanwhile
from tests.web.test_accounts import make_account

pytestmark = pytest.mark.anyio

KVK = "12345678"
OTHER_KVK = "87654321"
COMPANY = Actor(id=None, name="Bedrijf", role="company", kvk=KVK)


async def _actor(session_maker, role: str, email: str, party: str | None = "") -> Actor:
    account = await make_account(session_maker, role, email, party=party, password=None)
    async with session_maker() as session:
        return accounts.actor_of(await session.merge(account))


async def _draft(session_maker, body: str | None = None, kvk: str = KVK,
                 staff: int = 1) -> int:
    async with session_maker() as session, session.begin():
        if await organizations.find(session, kvk) is None:
            await data.organization(session, kvk)
        company = Actor(id=None, name="Bedrijf", role="company", kvk=kvk)
        return (await certification.create(session, company, kvk, submission(staff),
                                           body)).id


async def _stored(session_maker, aid: int) -> Assessment:
    async with session_maker() as session:
        return await session.get(Assessment, aid)


async def _actions(session_maker, action: str) -> list[AuditEvent]:
    async with session_maker() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- the row lock of an application: one change at a time --------------------------------


async def test_an_application_is_submitted_once_by_two_concurrent_submissions(
    session_maker, backend
) -> None:
    """The second submission waits for the first and is refused: one audit entry, one
    receipt per person, and the sample's seed stays the one drawn at the submission."""
    aid = await _draft(session_maker)
    drawn: list[int] = []

    async def submit(session):
        assessment = await certification.submit(session, COMPANY, aid)
        drawn.append(assessment.sample_seed)
        return assessment

    second = await meanwhile(session_maker, backend, submit, submit)
    assert isinstance(second, Conflict) and second.extra["currentStatus"] == "submitted"
    assert len(await _actions(session_maker, "assessment.submitted")) == 1
    async with session_maker() as session:
        receipts = await session.scalar(select(func.count()).select_from(OutboxMail).where(
            OutboxMail.template == "assessment_received"))
    assert receipts == 2  # the organisation's two people, once each
    stored = await _stored(session_maker, aid)
    assert stored.status == AssessmentStatus.SUBMITTED and [stored.sample_seed] == drawn


@pytest.mark.parametrize("edit", ["data", "body"])
async def test_a_concurrent_edit_cannot_change_an_application_once_submitted(
    session_maker, backend, edit
) -> None:
    """The company's edit that started while its submission was being stored waits for it
    and is refused: the body receives the data and the addressee that were submitted."""
    await make_account(session_maker, "auditor", "ans@psocert.nl", party="PSOCERT", password=None)
    await make_account(session_maker, "auditor", "carla@keur.nl", party="KEUR", password=None)
    aid = await _draft(session_maker, "PSOCERT")
    before = await _stored(session_maker, aid)

    async def submit(session):
        return await certification.submit(session, COMPANY, aid)

    async def change(session):
        if edit == "data":
            return await certification.replace_submission(session, COMPANY, aid, submission(7))
        return await certification.choose_body(session, COMPANY, aid, "KEUR")

    refused = await meanwhile(session_maker, backend, submit, change)
    assert isinstance(refused, Conflict) and refused.extra["currentStatus"] == "submitted"
    stored = await _stored(session_maker, aid)
    assert stored.certifying_body_id == before.certifying_body_id is not None
    assert stored.submission == before.submission and stored.score == before.score


@pytest.mark.parametrize("backend", ["postgres"])  # SQLite has no row locks to wait for
async def test_reading_an_application_does_not_wait_for_a_concurrent_change(
    session_maker, backend
) -> None:
    """`get_for` locks only when asked: a reader sees the last committed state at once, and
    does not queue behind a company's submission (or an auditor's decision)."""
    aid = await _draft(session_maker)

    async def submit(session):
        return await certification.submit(session, COMPANY, aid)

    async def read(session):
        return (await certification.get_for(session, COMPANY, aid)).status

    assert await meanwhile(session_maker, backend, submit, read) == AssessmentStatus.DRAFT


# --- who the application is addressed to -------------------------------------------------


async def test_taking_an_application_into_review_addresses_only_an_unaddressed_one(
    session_maker,
) -> None:
    """An application addressed to no body becomes addressed to the reviewer's body; one
    addressed to a body stays so, whoever takes it (an administrator's party is no body);
    a reviewer without a body leaves it unaddressed."""
    ans = await _actor(session_maker, "auditor", "ans@psocert.nl", "PSOCERT")
    admin = await _actor(session_maker, "admin", "beheer@example.nl", None)
    token_auditor = Actor(id=7, name="Auditor met token", role="auditor")  # first release
    await make_account(session_maker, "auditor", "carla@keur.nl", party="KEUR", password=None)
    unaddressed = await _draft(session_maker)
    addressed = await _draft(session_maker, "KEUR", kvk=OTHER_KVK)
    async with session_maker() as session:
        keur = (await session.get(Assessment, addressed)).certifying_body_id
    assert admin.party_id is not None and admin.party_id != keur
    async with session_maker() as session, session.begin():
        await certification.submit(session, COMPANY, unaddressed)
        await certification.submit(
            session, Actor(id=None, name="Ander", role="company", kvk=OTHER_KVK), addressed)
    async with session_maker() as session, session.begin():
        await certification.review(session, admin, addressed)
    assert (await _stored(session_maker, addressed)).certifying_body_id == keur
    async with session_maker() as session, session.begin():
        await certification.review(session, ans, unaddressed)
    assert (await _stored(session_maker, unaddressed)).certifying_body_id == ans.party_id
    again = await _draft(session_maker)
    async with session_maker() as session, session.begin():
        await certification.submit(session, COMPANY, again)
    async with session_maker() as session, session.begin():
        await certification.review(session, token_auditor, again)
    stored = await _stored(session_maker, again)
    assert stored.status == AssessmentStatus.IN_REVIEW and stored.certifying_body_id is None


async def test_a_draft_is_readdressed_but_not_an_application_after_a_question(
    session_maker,
) -> None:
    """The company may change the body while its draft is its own; once the body asked a
    question (information requested) the body is fixed."""
    ans = await _actor(session_maker, "auditor", "ans@psocert.nl", "PSOCERT")
    await make_account(session_maker, "auditor", "carla@keur.nl", party="KEUR", password=None)
    aid = await _draft(session_maker, "PSOCERT")
    async with session_maker() as session, session.begin():
        await certification.choose_body(session, COMPANY, aid, "KEUR")
        await certification.choose_body(session, COMPANY, aid, "PSOCERT")
        await certification.submit(session, COMPANY, aid)
    async with session_maker() as session, session.begin():
        await certification.review(session, ans, aid)
        await certification.request_information(session, ans, aid, "De loonstroken graag.")
    async with session_maker() as session, session.begin():
        with pytest.raises(Conflict) as refused:
            await certification.choose_body(session, COMPANY, aid, "KEUR")
    assert refused.value.slug == "body-fixed"
    assert (await _stored(session_maker, aid)).certifying_body_id == ans.party_id


# --- the audit trail ---------------------------------------------------------------------


async def test_the_companys_answer_goes_with_a_resubmission_only(session_maker) -> None:
    ans = await _actor(session_maker, "auditor", "ans@psocert.nl", "PSOCERT")
    aid = await _draft(session_maker, "PSOCERT")
    async with session_maker() as session, session.begin():
        await certification.submit(session, COMPANY, aid, response="Niet gevraagd")
        await certification.review(session, ans, aid)
        await certification.request_information(session, ans, aid, "De loonstroken graag.")
        await certification.submit(session, COMPANY, aid, response="Ze zijn bijgevoegd.")
        await certification.review(session, ans, aid)
        await certification.request_information(session, ans, aid, "En het contract?")
        await certification.submit(session, COMPANY, aid)
    (first,) = await _actions(session_maker, "assessment.submitted")
    assert "response" not in first.summary
    again = await _actions(session_maker, "assessment.resubmitted")
    assert [e.summary["response"] for e in again] == ["Ze zijn bijgevoegd.", ""]


async def test_the_sample_seed_is_drawn_at_the_first_submission_and_kept(session_maker) -> None:
    """The employees to check stay the same after the company answers a question."""
    ans = await _actor(session_maker, "auditor", "ans@psocert.nl", "PSOCERT")
    aid = await _draft(session_maker, "PSOCERT", staff=7)
    async with session_maker() as session, session.begin():
        await certification.submit(session, COMPANY, aid)
    stored = await _stored(session_maker, aid)
    seed, chosen = stored.sample_seed, certification.sample(stored, 3)
    assert seed is not None and chosen["seed"] == seed and chosen["size"] == 3
    async with session_maker() as session, session.begin():
        await certification.review(session, ans, aid)
        await certification.request_information(session, ans, aid, "De loonstroken graag.")
        await certification.submit(session, COMPANY, aid, response="Bijgevoegd.")
    stored = await _stored(session_maker, aid)
    assert stored.sample_seed == seed and certification.sample(stored, 3) == chosen
    # An application of the first release, submitted before seeds were stored: its number.
    stored.sample_seed = None
    assert certification.sample(stored, 3)["seed"] == aid


async def test_the_companys_own_data_is_kept_through_every_correction(session_maker) -> None:
    """The first correction keeps the company's submission and score as the original; a
    second correction does not replace that original with the first correction."""
    ans = await _actor(session_maker, "auditor", "ans@psocert.nl", "PSOCERT")
    aid = await _draft(session_maker, "PSOCERT", staff=1)
    own = await _stored(session_maker, aid)
    async with session_maker() as session, session.begin():
        await certification.submit(session, COMPANY, aid)
        await certification.review(session, ans, aid)
    for staff in (2, 3):
        async with session_maker() as session, session.begin():
            await certification.correct(session, ans, aid, submission(staff), "Geteld")
        stored = await _stored(session_maker, aid)
        assert (stored.original_submission, stored.original_score) == (own.submission,
                                                                        own.score)
        assert len(stored.submission["employees"]) == staff and stored.corrected


async def test_the_history_of_an_application_holds_only_its_own_entries(session_maker) -> None:
    """Entries of another kind of thing with the same number (an account 1, a voucher 1)
    are not the application's, whichever way their kind sorts."""
    aid = await _draft(session_maker)
    async with session_maker() as session, session.begin():
        await record(session, SYSTEM, "account.created", "account", aid)
        await record(session, SYSTEM, "voucher.issued", "voucher", aid)
        await record(session, SYSTEM, "assessment.created", "assessment", aid + 1)
    async with session_maker() as session:
        entries = await certification.history(session, aid)
    assert [(e.action, e.entity_type, e.entity_id) for e in entries] == [
        ("assessment.created", "assessment", str(aid))]


@pytest.mark.parametrize("kvks", [(KVK, OTHER_KVK), (OTHER_KVK, KVK)])
async def test_applications_listed_by_kvk_number_are_that_organisations_only(
    session_maker, kvks
) -> None:
    admin = await _actor(session_maker, "admin", "beheer@example.nl", None)
    mine, theirs = (await _draft(session_maker, kvk=kvks[0]),
                    await _draft(session_maker, kvk=kvks[1]))
    async with session_maker() as session:
        rows, total = await certification.list_for(session, admin, status=None, kvk=kvks[0],
                                                    page=1, page_size=10)
        assert ([r.id for r in rows], total) == ([mine], 1)
        rows, total = await certification.list_for(session, admin, status=None, kvk=None,
                                                    page=1, page_size=10)
        assert sorted(r.id for r in rows) == sorted([mine, theirs])


# --- issuing ------------------------------------------------------------------------------


async def _approved(session_maker, issued_on: date | None) -> tuple[Certificate, Assessment]:
    ans = await _actor(session_maker, "auditor", "ans@psocert.nl", "PSOCERT")
    bert = await _actor(session_maker, "auditor", "bert@psocert.nl", "PSOCERT")
    aid = await _draft(session_maker, "PSOCERT")
    async with session_maker() as session, session.begin():
        await certification.submit(session, COMPANY, aid)
        await certification.review(session, ans, aid)
        await certification.complete_review(session, ans, aid)
        await certification.decide(session, bert, aid, outcome="approved", reason=None,
                                   corrected_submission=None, valid_from=None, issuer="Test",
                                   public_url="http://test", issued_on=issued_on)
    async with session_maker() as session:
        return (await session.scalar(select(Certificate)),
                await session.get(Assessment, aid))


@pytest.mark.parametrize("offset", [-400, 1])
async def test_a_certificate_issued_on_another_day_is_stamped_at_noon_of_that_day(
    session_maker, fixed_today, offset
) -> None:
    """The demo data's past approvals (`decide(issued_on=…)`): the certificate's issue moment
    and its number's year are those of that day, not of today."""
    fixed_today(date(2026, 3, 2))
    day = date(2026, 3, 2) + timedelta(days=offset)
    certificate, _ = await _approved(session_maker, day)
    assert certificate.issued_at == datetime.combine(day, time(12), tzinfo=UTC)
    assert certificate.number.startswith(f"PSO-{day.year}-")


async def test_a_certificate_issued_today_is_stamped_now_and_announced_as_approved(
    session_maker, fixed_today
) -> None:
    fixed_today(date(2026, 3, 2))
    with clock.stopped() as moment:
        certificate, assessment = await _approved(session_maker, None)
    assert certificate.issued_at == moment and certificate.number == "PSO-2026-000001"
    async with session_maker() as session:
        subjects = set(await session.scalars(select(OutboxMail.subject).where(
            OutboxMail.template == "assessment_decision")))
        bodies = set(await session.scalars(select(OutboxMail.text_body).where(
            OutboxMail.template == "assessment_decision")))
    assert subjects == {f"Uw PSO-aanvraag {assessment.id} is goedgekeurd"}
    assert all(certificate.number in body for body in bodies) and len(bodies) == 2

"""Party checks and state preconditions of the workbench and the register
(pso/services/register.py, certification.py, documents.py), on the services themselves,
both databases. Each test names its rule and fails when that rule is removed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from pso.auth import Actor
from pso.clock import today
from pso.db.base import utcnow
from pso.db.models import Assessment, AssessmentDocument, AssessmentStatus, Certificate
from pso.errors import Conflict, Forbidden, InvalidInput
from pso.schemas.assessments import InformationRequestIn
from pso.schemas.base import parse
from pso.services import accounts, certification, documents, register
from tests.jobs import data
from tests.web.test_accounts import make_account

pytestmark = pytest.mark.anyio

KVK = "12345678"
PDF = b"%PDF-1.4\n%%EOF\n"


async def _auditor(session_maker, email: str, body: str) -> Actor:
    account = await make_account(session_maker, "auditor", email, party=body)
    async with session_maker() as session:
        return accounts.actor_of(await session.merge(account))


async def test_an_auditor_manages_only_their_own_bodys_certificates(session_maker) -> None:
    ans = await _auditor(session_maker, "ans@psocert.nl", "PSOCERT")
    carla = await _auditor(session_maker, "carla@keur.nl", "KEUR")
    async with session_maker() as session, session.begin():
        org = await data.organization(session, KVK)
        cert = await data.certificate(session, org, "PSO-2026-000001",
                                      today() + timedelta(days=300))
        cert.certifying_body_id = ans.party_id
    for act in (lambda s: register.suspend(s, carla, "PSO-2026-000001", "Onderzoek"),
                lambda s: register.revoke(s, carla, "PSO-2026-000001", "Fout"),
                lambda s: register.reinstate(s, carla, "PSO-2026-000001")):
        async with session_maker() as session, session.begin():
            with pytest.raises(Forbidden):
                await act(session)
    async with session_maker() as session:
        cert = await session.scalar(select(Certificate))
        assert register.status_of(cert, today()) == "valid" and cert.revoked_on is None
    async with session_maker() as session, session.begin():  # the own body's auditor may
        await register.suspend(session, ans, "PSO-2026-000001", "Onderzoek")
    async with session_maker() as session:
        assert register.status_of(await session.scalar(select(Certificate)), today()) \
            == "suspended"


async def _assessment(session_maker, status: str, body_id: int | None = None,
                      reviewer: Actor | None = None) -> int:
    async with session_maker() as session, session.begin():
        org = await data.organization(session, KVK)
        row = Assessment(organization_id=org.id, status=status, submission={},
                         score={"rung": "trede1"}, rulebook="pso-2.1",
                         certifying_body_id=body_id,
                         reviewer_key=reviewer.key if reviewer else None,
                         reviewed_by=reviewer.name if reviewer else None,
                         review_completed_at=utcnow() if reviewer else None)
        session.add(row)
        await session.flush()
        return row.id


async def test_the_reviewer_of_an_application_addressed_to_no_body_may_not_decide(
        session_maker) -> None:
    # Separate decision is on by default, also for applications addressed to no body.
    reviewer = Actor(id=None, name="Auditor zonder instelling", role="auditor", account_id=901)
    other = Actor(id=None, name="Andere auditor", role="auditor", account_id=902)
    aid = await _assessment(session_maker, AssessmentStatus.IN_REVIEW, None, reviewer)
    async with session_maker() as session, session.begin():
        assessment = await certification.get_for(session, reviewer, aid)
        assert not await certification.may_decide(session, reviewer, assessment)
        assert await certification.may_decide(session, other, assessment)
        with pytest.raises(Conflict):
            await certification.decide(session, reviewer, aid, outcome="rejected",
                                       reason="Onvoldoende", corrected_submission=None,
                                       valid_from=None, issuer="Test",
                                       public_url="http://test")
    async with session_maker() as session:
        assessment = await session.get(Assessment, aid)
        assert assessment.status == AssessmentStatus.IN_REVIEW and assessment.decided_at is None


@pytest.mark.parametrize("status", ["rejected", "approved"])
async def test_no_evidence_after_the_decision(session_maker, status) -> None:
    company = Actor(id=None, name="Bedrijf", role="company", kvk=KVK)
    aid = await _assessment(session_maker, status)
    async with session_maker() as session, session.begin():
        with pytest.raises(Conflict):
            await documents.add(session, company, aid, "loonstrook.pdf", PDF)
    async with session_maker() as session:
        assert await session.scalar(select(func.count()).select_from(AssessmentDocument)) == 0


async def test_evidence_is_accepted_before_the_decision(session_maker) -> None:
    company = Actor(id=None, name="Bedrijf", role="company", kvk=KVK)
    aid = await _assessment(session_maker, AssessmentStatus.IN_REVIEW)
    async with session_maker() as session, session.begin():
        await documents.add(session, company, aid, "loonstrook.pdf", PDF)
    async with session_maker() as session:
        assert await session.scalar(select(func.count()).select_from(AssessmentDocument)) == 1


def test_the_auditors_question_is_at_most_5000_characters() -> None:
    assert parse(InformationRequestIn, {"message": "x" * 5000}).message == "x" * 5000
    with pytest.raises(InvalidInput):
        parse(InformationRequestIn, {"message": "x" * 5001})

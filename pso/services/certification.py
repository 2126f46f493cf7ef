"""Assessments from draft to decision, and the certificates an approval issues."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.certificate import TEMPLATE, CertificateData, certificate_context
from certificates.lifecycle import valid_until as validity_end
from certificates.numbering import format_number
from pso import pdf_pool
from pso.audit import record
from pso.auth import Actor
from pso.clock import today
from pso.db.base import utcnow
from pso.db.models import Assessment, Certificate, CertificateSequence, Organization
from pso.db.paging import paginate
from pso.errors import Conflict, InvalidInput, NotFound
from pso.services import organizations
from pso.services.access import ensure_kvk_access
from scoring import SubmissionInvalid, parse_submission, score

DRAFT, SUBMITTED, APPROVED, REJECTED = "draft", "submitted", "approved", "rejected"


def evaluate(raw: Any, field: str = "submission") -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate and score a submission; returns (stored submission, score).

    A missing `asOf` is pinned to today in the stored copy, so the stored score can be
    reproduced from the stored data later (the action-plan rule depends on it).
    """
    if isinstance(raw, dict) and "asOf" not in raw:
        raw = {**raw, "asOf": today().isoformat()}
    try:
        result = score(parse_submission(raw))
    except SubmissionInvalid as exc:
        raise InvalidInput(
            [{"name": f"{field}.{e['name']}" if e["name"] != "body" else field,
              "reason": e["reason"]} for e in exc.errors]
        ) from None
    return raw, result


async def create(session: AsyncSession, actor: Actor, kvk: str, raw: Any) -> Assessment:
    ensure_kvk_access(actor, kvk)
    org = await organizations.find(session, kvk)
    if org is None:
        raise NotFound(f"Geen organisatie met KvK-nummer {kvk}.")
    submission, result = evaluate(raw)
    assessment = Assessment(
        organization=org, status=DRAFT, submission=submission, score=result, certificates=[],
        rulebook=result["rulebook"],
    )
    session.add(assessment)
    await session.flush()
    await record(session, actor, "assessment.created", "assessment", assessment.id,
                 {"kvk": kvk, "rung": result["rung"], "rulebook": result["rulebook"]})
    return assessment


async def get_for(session: AsyncSession, actor: Actor, assessment_id: int, *,
                  lock: bool = False) -> Assessment:
    query = select(Assessment).where(Assessment.id == assessment_id)
    if lock:
        query = query.with_for_update(of=Assessment)
    assessment = await session.scalar(query)
    # A company must not learn that other companies' assessments exist: 404, not 403.
    if assessment is None or (actor.role == "company" and assessment.organization.kvk != actor.kvk):
        raise NotFound(f"Geen aanvraag met nummer {assessment_id}.")
    if actor.role == "auditor" and assessment.status == DRAFT:
        raise NotFound(f"Aanvraag {assessment_id} is nog niet ingediend.")
    return assessment


# Dutch words for the states (messages never show internal names such as `draft`).
ASSESSMENT_STATES = {"draft": "een concept", "submitted": "ingediend",
                     "approved": "goedgekeurd", "rejected": "afgewezen"}


def _require_status(assessment: Assessment, *allowed: str) -> None:
    if assessment.status not in allowed:
        raise Conflict(
            "invalid-state",
            f"Aanvraag {assessment.id} is {ASSESSMENT_STATES[assessment.status]}; dit kan "
            f"alleen als de aanvraag {' of '.join(ASSESSMENT_STATES[s] for s in allowed)} is.",
            currentStatus=assessment.status,
        )


async def replace_submission(session: AsyncSession, actor: Actor, assessment_id: int,
                             raw: Any) -> Assessment:
    assessment = await get_for(session, actor, assessment_id, lock=True)
    _require_status(assessment, DRAFT)
    submission, result = evaluate(raw)
    assessment.submission, assessment.score = submission, result
    assessment.rulebook, assessment.updated_at = result["rulebook"], utcnow()
    await record(session, actor, "assessment.updated", "assessment", assessment.id,
                 {"rung": result["rung"], "rulebook": result["rulebook"]})
    return assessment


async def submit(session: AsyncSession, actor: Actor, assessment_id: int) -> Assessment:
    assessment = await get_for(session, actor, assessment_id, lock=True)
    _require_status(assessment, DRAFT)
    assessment.status, assessment.submitted_at = SUBMITTED, utcnow()
    await record(session, actor, "assessment.submitted", "assessment", assessment.id,
                 {"rung": assessment.score["rung"]})
    return assessment


async def next_number(session: AsyncSession, year: int) -> str:
    """Next certificate number of `year`, gap-free across processes.

    The counter row is locked by the UPDATE until the issuing transaction ends, so
    concurrent approvals queue, and a rollback returns the number.
    """
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(CertificateSequence).values(year=year, last_value=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    value = await session.scalar(
        update(CertificateSequence).where(CertificateSequence.year == year)
        .values(last_value=CertificateSequence.last_value + 1)
        .returning(CertificateSequence.last_value)
    )
    return format_number(year, value)


async def _issue(session: AsyncSession, actor: Actor, assessment: Assessment, kind: str,
                 rung: str, valid_from: date, issuer: str, public_url: str,
                 issued_on: date | None = None) -> Certificate:
    org: Organization = assessment.organization
    issued_on = issued_on or today()
    number = await next_number(session, issued_on.year)
    until = validity_end(valid_from)
    data = CertificateData(
        number=number, kind=kind, rung=rung, organization_name=org.name, kvk=org.kvk,
        valid_from=valid_from, valid_until=until, rulebook=assessment.rulebook, issuer=issuer,
        issued_on=issued_on, public_url=public_url,
    )
    # Through the pool: a time limit, and recycled worker processes in production.
    pdf = await pdf_pool.render(TEMPLATE, certificate_context(data))
    # The newer certificate of the same kind replaces the older ones from its first day.
    await session.execute(
        update(Certificate)
        .where(Certificate.organization_id == org.id, Certificate.kind == kind,
               Certificate.revoked_on.is_(None), Certificate.superseded_from.is_(None),
               Certificate.valid_from <= valid_from, Certificate.valid_until >= valid_from)
        .values(superseded_from=valid_from)
    )
    certificate = Certificate(
        number=number, kind=kind, rung=rung, organization=org, assessment=assessment,
        valid_from=valid_from, valid_until=until, rulebook=assessment.rulebook, issuer=issuer,
        pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        issued_at=datetime.combine(issued_on, time(12), tzinfo=UTC) if issued_on != today()
        else utcnow(),
    )
    session.add(certificate)
    await session.flush()
    await record(session, actor, "certificate.issued", "certificate", number,
                 {"kind": kind, "rung": rung, "kvk": org.kvk, "validFrom": valid_from.isoformat(),
                  "validUntil": until.isoformat(), "assessmentId": assessment.id})
    return certificate


async def decide(
    session: AsyncSession,
    actor: Actor,
    assessment_id: int,
    *,
    outcome: str,
    reason: str | None,
    corrected_submission: Any | None,
    valid_from: date | None,
    issuer: str,
    public_url: str,
    issued_on: date | None = None,
) -> Assessment:
    """`issued_on` (default today) lets the demo data tell a past approval consistently:
    a certificate valid from three years ago was also issued then, not today."""
    assessment = await get_for(session, actor, assessment_id, lock=True)
    _require_status(assessment, SUBMITTED)
    assessment.decided_at, assessment.decided_by = utcnow(), actor.name
    assessment.decision_reason = reason
    if outcome == REJECTED:
        assessment.status = REJECTED
        await record(session, actor, "assessment.rejected", "assessment", assessment.id,
                     {"reason": reason})
        return assessment
    if corrected_submission is not None:
        submission, result = evaluate(corrected_submission, "correctedSubmission")
        assessment.submission, assessment.score = submission, result
        assessment.rulebook, assessment.corrected = result["rulebook"], True
    assessment.status = APPROVED
    result = assessment.score
    start = valid_from or today()
    await record(session, actor, "assessment.approved", "assessment", assessment.id,
                 {"rung": result["rung"], "corrected": assessment.corrected, "reason": reason})
    if result["rung"] != "none":
        await _issue(session, actor, assessment, "ladder", result["rung"], start, issuer,
                     public_url, issued_on)
    if result["pso30Plus"]["qualifies"]:
        await _issue(session, actor, assessment, "pso30plus", result["rung"], start, issuer,
                     public_url, issued_on)
    await session.refresh(assessment, ["certificates"])
    return assessment


async def list_for(session: AsyncSession, actor: Actor, *, status: str | None, kvk: str | None,
                   page: int, page_size: int) -> tuple[list[Assessment], int]:
    query = select(Assessment).join(Assessment.organization)
    if actor.role == "company":
        query = query.where(Organization.kvk == actor.kvk)
    elif actor.role == "auditor":
        query = query.where(Assessment.status != DRAFT)
    if status:
        query = query.where(Assessment.status == status)
    if kvk:
        query = query.where(Organization.kvk == kvk)
    return await paginate(session, query, Assessment.id.desc(), page=page, page_size=page_size)

"""Assessments from draft to decision, and the certificates an approval issues."""

from __future__ import annotations

import hashlib
import random
import secrets
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from certificates.certificate import TEMPLATE, CertificateData, certificate_context
from certificates.lifecycle import valid_until as validity_end
from certificates.numbering import format_number
from pso.audit import record
from pso.auth import Actor
from pso.clock import today
from pso.db.base import utcnow
from pso.db.models import (
    Assessment,
    AssessmentStatus,
    AuditEvent,
    Certificate,
    CertificatePdf,
    CertificateSequence,
    Organization,
)
from pso.db.paging import paginate
from pso.errors import Conflict, InvalidInput, NotFound
from pso.files import pdf_pool
from pso.services import bodies, organizations, submission_diff
from pso.services.access import assessment_filter, ensure_kvk_access, may_see_assessment
from pso.services.notify import mail_company
from pso.text.labels import ASSESSMENT_STATUS_LABELS
from scoring import SubmissionInvalid, parse_submission, score

# The company may change its data.
EDITABLE = (AssessmentStatus.DRAFT, AssessmentStatus.INFORMATION_REQUESTED)
# Waiting for the certifying body.
OPEN = (AssessmentStatus.SUBMITTED, AssessmentStatus.IN_REVIEW,
        AssessmentStatus.INFORMATION_REQUESTED)


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


async def create(session: AsyncSession, actor: Actor, kvk: str, raw: Any,
                 body_code: str | None = None) -> Assessment:
    ensure_kvk_access(actor, kvk)
    org = await organizations.find(session, kvk)
    if org is None:
        raise NotFound(f"Geen organisatie met KvK-nummer {kvk}.")
    submission, result = evaluate(raw)
    body = await bodies.require(session, body_code) if body_code is not None else None
    assessment = Assessment(
        organization=org, status=AssessmentStatus.DRAFT, submission=submission, score=result,
        certificates=[], rulebook=result["rulebook"], certifying_body=body,
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
    # Another party's application is answered as one that does not exist (services/access.py).
    if assessment is None or not may_see_assessment(actor, assessment):
        raise NotFound(f"Geen aanvraag met nummer {assessment_id}.")
    return assessment


def _company_context(assessment: Assessment) -> dict[str, Any]:
    body = assessment.certifying_body
    return {"organization": assessment.organization.name, "kvk": assessment.organization.kvk,
            "assessment_id": assessment.id, "rung": assessment.score.get("rung"),
            "body": body.name if body is not None else None}


# The states within a sentence (messages never show internal names such as `draft`).
ASSESSMENT_STATES = {
    **{status: label.lower() for status, label in ASSESSMENT_STATUS_LABELS.items()},
    AssessmentStatus.DRAFT: "een concept",
    AssessmentStatus.INFORMATION_REQUESTED: "teruggelegd voor aanvullende informatie",
}


def require_status(assessment: Assessment, *allowed: AssessmentStatus) -> None:
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
    require_status(assessment, *EDITABLE)
    submission, result = evaluate(raw)
    assessment.submission, assessment.score = submission, result
    assessment.rulebook, assessment.updated_at = result["rulebook"], utcnow()
    await record(session, actor, "assessment.updated", "assessment", assessment.id,
                 {"rung": result["rung"], "rulebook": result["rulebook"]})
    return assessment


async def choose_body(session: AsyncSession, actor: Actor, assessment_id: int,
                      code: str) -> Assessment:
    """Wizard step 6: address the application to a certifying body (while editable)."""
    assessment = await get_for(session, actor, assessment_id, lock=True)
    require_status(assessment, *EDITABLE)
    body = await bodies.require(session, code)
    if (assessment.status == AssessmentStatus.INFORMATION_REQUESTED
            and assessment.certifying_body_id not in (None, body.id)):
        raise Conflict("body-fixed", "Tijdens de beoordeling kan de certificerende instelling "
                                     "niet meer veranderen.")
    assessment.certifying_body, assessment.updated_at = body, utcnow()
    await session.flush()
    await record(session, actor, "assessment.body_chosen", "assessment", assessment.id,
                 {"certifyingBody": body.code})
    return assessment


async def submit(session: AsyncSession, actor: Actor, assessment_id: int,
                 body_code: str | None = None, response: str | None = None) -> Assessment:
    """`draft` → `submitted`, and after an information request the company's answer:
    `information_requested` → `submitted` (the data frozen again)."""
    assessment = await get_for(session, actor, assessment_id, lock=True)
    require_status(assessment, *EDITABLE)
    if body_code:
        await choose_body(session, actor, assessment_id, body_code)
    # pragma: no mutate: Eq_GtE (the other editable state, draft, sorts before it)
    again = assessment.status == AssessmentStatus.INFORMATION_REQUESTED
    assessment.status, assessment.submitted_at = AssessmentStatus.SUBMITTED, utcnow()
    if assessment.sample_seed is None:
        # pragma: no mutate: NumberReplacer (any width up to 63 bits fits the BIGINT)
        assessment.sample_seed = secrets.randbits(62)
    summary: dict[str, Any] = {"rung": assessment.score["rung"]}
    if assessment.certifying_body is not None:
        summary["certifyingBody"] = assessment.certifying_body.code
    if again:
        summary["response"] = response or ""
    await record(session, actor, "assessment.resubmitted" if again else "assessment.submitted",
                 "assessment", assessment.id, summary)
    await mail_company(session, assessment.organization.kvk, "assessment_received",
                       {**_company_context(assessment), "again": again})
    return assessment


async def review(session: AsyncSession, actor: Actor, assessment_id: int) -> Assessment:
    """An auditor takes a submitted application: `submitted` → `in_review`. An application
    addressed to no body becomes addressed to the auditor's body."""
    assessment = await get_for(session, actor, assessment_id, lock=True)
    require_status(assessment, AssessmentStatus.SUBMITTED)
    if assessment.certifying_body_id is None and actor.party_id is not None:
        assessment.certifying_body_id = actor.party_id
    assessment.status = AssessmentStatus.IN_REVIEW
    assessment.reviewer_key, assessment.reviewed_by = actor.key, actor.name
    assessment.review_started_at = assessment.updated_at = utcnow()
    assessment.review_completed_at = None
    await session.flush()
    await session.refresh(assessment, ["certifying_body"])
    await record(session, actor, "assessment.review_started", "assessment", assessment.id,
                 {"reviewer": actor.name})
    await mail_company(session, assessment.organization.kvk, "assessment_in_review",
                       _company_context(assessment))
    return assessment


async def request_information(session: AsyncSession, actor: Actor, assessment_id: int,
                              message: str) -> Assessment:
    """`in_review` → `information_requested`: the company may edit and submit again."""
    assessment = await get_for(session, actor, assessment_id, lock=True)
    require_status(assessment, AssessmentStatus.IN_REVIEW)
    assessment.status = AssessmentStatus.INFORMATION_REQUESTED
    assessment.review_completed_at = None  # the answer is reviewed again before a decision
    assessment.information_request = message
    assessment.information_requested_at = assessment.updated_at = utcnow()
    await record(session, actor, "assessment.information_requested", "assessment",
                 assessment.id, {"message": message})
    await mail_company(session, assessment.organization.kvk, "information_requested",
                       {**_company_context(assessment), "message": message})
    return assessment


def review_completed(assessment: Assessment) -> bool:
    return (assessment.status == AssessmentStatus.IN_REVIEW
            and assessment.review_completed_at is not None)


def _require_review_open(assessment: Assessment) -> None:
    require_status(assessment, AssessmentStatus.IN_REVIEW)
    if assessment.review_completed_at is not None:
        raise Conflict("review-completed",
                       f"De beoordeling van aanvraag {assessment.id} is afgerond; de gegevens "
                       "kunnen niet meer veranderen.")


async def complete_review(session: AsyncSession, actor: Actor, assessment_id: int) -> Assessment:
    """The reviewer hands over: "beoordeling afgerond". Only then may the decision be taken,
    so a colleague never decides while the reviewer is still correcting."""
    assessment = await get_for(session, actor, assessment_id, lock=True)
    _require_review_open(assessment)
    if actor.key != assessment.reviewer_key:
        raise Conflict("not-reviewer",
                       f"Alleen de beoordelaar ({assessment.reviewed_by}) kan de beoordeling "
                       "afronden.", reviewedBy=assessment.reviewed_by)
    assessment.review_completed_at = assessment.updated_at = utcnow()
    await record(session, actor, "assessment.review_completed", "assessment", assessment.id,
                 {"reviewer": actor.name})
    return assessment


def submission_changes(before: Any, after: Any) -> list[dict[str, Any]]:
    """What changed between two submissions, readable: [{field, label, before, after}] in the
    form's Dutch labels and notation; employees matched by reference, purchases by supplier
    (services/submission_diff.py). The preview, the history and the company page show it."""
    return submission_diff.changes(before, after)


def preview_correction(assessment: Assessment, raw: Any) -> tuple[
        dict[str, Any], dict[str, Any], list[dict[str, str]]]:
    """What a correction would do, nothing saved: (submission, rescored result, changes)."""
    raw = {**raw, "asOf": assessment.submission.get("asOf")} if isinstance(raw, dict) \
        and "asOf" not in raw and assessment.submission.get("asOf") else raw
    submission, result = evaluate(raw)
    return submission, result, submission_changes(assessment.submission, submission)


async def correct(session: AsyncSession, actor: Actor, assessment_id: int, raw: Any,
                  note: str | None = None) -> Assessment:
    """The reviewer corrects the data during the review; rescored, the original kept."""
    assessment = await get_for(session, actor, assessment_id, lock=True)
    _require_review_open(assessment)
    submission, result, changes = preview_correction(assessment, raw)
    if not changes:
        raise Conflict("no-changes", "De correctie verandert niets aan de gegevens.")
    if assessment.original_submission is None:
        assessment.original_submission = assessment.submission
        assessment.original_score = assessment.score
    before_rung = assessment.score["rung"]
    assessment.submission, assessment.score = submission, result
    assessment.rulebook, assessment.corrected = result["rulebook"], True
    assessment.updated_at = utcnow()
    await record(session, actor, "assessment.corrected", "assessment", assessment.id,
                 {"note": note, "changes": changes[:50], "rungBefore": before_rung,
                  "rungAfter": result["rung"]})
    return assessment


def sample(assessment: Assessment, size: int) -> dict[str, Any]:
    """A reproducible random sample of employees to check: the seed is stored with the
    assessment at submission, so every look gives the same employees (in list order)."""
    employees = assessment.submission.get("employees") or []
    seed = assessment.sample_seed if assessment.sample_seed is not None else assessment.id
    size = min(size, len(employees))
    chosen = sorted(random.Random(seed).sample(range(len(employees)), size))
    breakdown = {e.get("reference"): e for e in assessment.score.get("employees", [])}
    return {
        "seed": seed, "size": size, "population": len(employees),
        "employees": [{"index": i, "reference": employees[i].get("reference"),
                       "startingPosition": employees[i].get("startingPosition"),
                       "contractType": employees[i].get("contractType"),
                       "hoursPerWeek": employees[i].get("hoursPerWeek"),
                       "fte": breakdown.get(employees[i].get("reference"), {}).get("fte")}
                      for i in chosen],
    }


async def next_number(session: AsyncSession, year: int) -> str:
    """Next certificate number of `year`, gap-free across processes.

    The counter row is locked by the UPDATE until the issuing transaction ends, so
    concurrent approvals queue, and a rollback returns the number.
    """
    # pragma: no mutate: Eq_LtE, Eq_GtE (sqlite sorts after; pg_insert compiles on SQLite too)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(CertificateSequence).values(year=year, last_value=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    value = await session.scalar(
        update(CertificateSequence).where(CertificateSequence.year == year)
        .values(last_value=CertificateSequence.last_value + 1)
        .returning(CertificateSequence.last_value)
    )
    if value is None:  # the row exists: the insert above made sure
        raise RuntimeError(f"no certificate counter for {year}")
    return format_number(year, value)


async def _issue(session: AsyncSession, actor: Actor, assessment: Assessment, kind: str,
                 rung: str, valid_from: date, issuer: str, public_url: str,
                 ladder: Certificate | None = None,
                 issued_on: date | None = None) -> Certificate:
    org: Organization = assessment.organization
    issued_on = issued_on or today()
    number = await next_number(session, issued_on.year)
    until = validity_end(valid_from)
    data = CertificateData(
        number=number, kind=kind, rung=rung, organization_name=org.name, kvk=org.kvk,
        valid_from=valid_from, valid_until=until, rulebook=assessment.rulebook, issuer=issuer,
        issued_on=issued_on, public_url=public_url,
        subsidiaries=tuple((s.kvk, s.name) for s in org.subsidiaries),
        accreditation=await bodies.accreditation(session, assessment.certifying_body_id),
    )
    # Through the pool: a time limit, and recycled worker processes in production.
    pdf = await pdf_pool.render(TEMPLATE, certificate_context(data))
    # The newer certificate of the same kind replaces the older ones from its first day.
    # A new ladder certificate also replaces the PSO 30+ certificates, which follow their
    # ladder certificate (SPEC §7.3), whether or not a new 30+ certificate comes with it.
    # pragma: no mutate: Eq_LtE (the other kind, pso30plus, sorts after it)
    kinds = ("ladder", "pso30plus") if kind == "ladder" else (kind,)
    await session.execute(
        update(Certificate)
        .where(Certificate.organization_id == org.id, Certificate.kind.in_(kinds),
               Certificate.revoked_on.is_(None), Certificate.superseded_from.is_(None),
               Certificate.valid_from <= valid_from, Certificate.valid_until >= valid_from)
        .values(superseded_from=valid_from)
    )
    certificate = Certificate(
        number=number, kind=kind, rung=rung, organization=org, assessment=assessment,
        valid_from=valid_from, valid_until=until, rulebook=assessment.rulebook, issuer=issuer,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(), pdf_file=CertificatePdf(pdf=pdf),
        subsidiaries=[{"kvk": s.kvk, "name": s.name} for s in org.subsidiaries],
        certifying_body_id=assessment.certifying_body_id,
        ladder_certificate_id=ladder.id if ladder is not None else None, suspensions=[],
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
    """Approve or reject an application in review. With the body's separate decision (on
    by default) the decider must be another auditor than the reviewer. The certificates
    name the body the application is addressed to (`issuer` only for one addressed to none).
    `issued_on` (default today) lets the demo data tell a past approval consistently:
    a certificate valid from three years ago was also issued then, not today."""
    assessment = await get_for(session, actor, assessment_id, lock=True)
    require_status(assessment, AssessmentStatus.IN_REVIEW)
    refusal = await _decision_refusal(session, actor, assessment)
    if refusal is not None:
        raise refusal
    if assessment.certifying_body is not None:
        issuer = assessment.certifying_body.name
    assessment.decided_at, assessment.decided_by = utcnow(), actor.name
    assessment.decider_key, assessment.decision_reason = actor.key, reason
    who = {"reviewer": assessment.reviewed_by, "decider": actor.name}
    if outcome == AssessmentStatus.REJECTED:
        assessment.status = AssessmentStatus.REJECTED
        await record(session, actor, "assessment.rejected", "assessment", assessment.id,
                     {"reason": reason, **who})
        await mail_company(session, assessment.organization.kvk, "assessment_decision",
                           {**_company_context(assessment), "approved": False,
                            "reason": reason, "certificates": []})
        return assessment
    if corrected_submission is not None:
        submission, result = evaluate(corrected_submission, "correctedSubmission")
        if assessment.original_submission is None:
            assessment.original_submission = assessment.submission
            assessment.original_score = assessment.score
        assessment.submission, assessment.score = submission, result
        assessment.rulebook, assessment.corrected = result["rulebook"], True
    assessment.status = AssessmentStatus.APPROVED
    result = assessment.score
    start = valid_from or today()
    await record(session, actor, "assessment.approved", "assessment", assessment.id,
                 {"rung": result["rung"], "corrected": assessment.corrected, "reason": reason,
                  **who})
    ladder = None
    if result["rung"] != "none":
        ladder = await _issue(session, actor, assessment, "ladder", result["rung"], start,
                              issuer, public_url, issued_on=issued_on)
    if result["pso30Plus"]["qualifies"]:
        await _issue(session, actor, assessment, "pso30plus", result["rung"], start, issuer,
                     public_url, ladder=ladder, issued_on=issued_on)
    await session.refresh(assessment, ["certificates"])
    await mail_company(session, assessment.organization.kvk, "assessment_decision",
                       {**_company_context(assessment), "approved": True, "reason": reason,
                        "certificates": [{"number": c.number, "kind": c.kind, "rung": c.rung,
                                          "valid_until": c.valid_until}
                                         for c in assessment.certificates]})
    return assessment


async def history(session: AsyncSession, assessment_id: int) -> list[AuditEvent]:
    """The audit entries of one application, oldest first: who did what and when."""
    rows = await session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "assessment",
                                 AuditEvent.entity_id == str(assessment_id))
        .order_by(AuditEvent.id))
    return list(rows)


async def _decision_refusal(session: AsyncSession, actor: Actor,
                            assessment: Assessment) -> Conflict | None:
    """Why this auditor may not decide an application in review now, or None: the review
    is not completed yet, or the auditor reviewed it and the body wants a separate decision.
    The one rule of `decide` and `may_decide`."""
    if assessment.review_completed_at is None:
        return Conflict("review-not-completed",
                        f"Aanvraag {assessment.id} is nog in beoordeling; het besluit kan pas "
                        "als de beoordelaar de beoordeling heeft afgerond.",
                        reviewedBy=assessment.reviewed_by)
    if actor.key == assessment.reviewer_key and await bodies.separate_decision(
            session, assessment.certifying_body_id):
        return Conflict("decision-by-reviewer",
                        "U hebt deze aanvraag beoordeeld; het besluit neemt een andere auditor "
                        "van de certificerende instelling (onpartijdigheid, ISO/IEC 17065).",
                        reviewedBy=assessment.reviewed_by)
    return None


async def may_decide(session: AsyncSession, actor: Actor, assessment: Assessment) -> bool:
    """Whether this auditor may take the decision now (review completed, and not the
    reviewer when the body wants a separate decision)."""
    return assessment.status == AssessmentStatus.IN_REVIEW and await _decision_refusal(
        session, actor, assessment) is None


async def list_for(session: AsyncSession, actor: Actor, *, status: str | None, kvk: str | None,
                   page: int, page_size: int) -> tuple[list[Assessment], int]:
    query = select(Assessment).join(Assessment.organization).where(assessment_filter(actor))
    if status:
        query = query.where(Assessment.status.in_(status.split(",")))
    if kvk:
        query = query.where(Organization.kvk == kvk)
    return await paginate(session, query, Assessment.id.desc(), page=page, page_size=page_size)

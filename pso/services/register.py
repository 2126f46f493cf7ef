"""The public certificate register: look-up, status on a day, revocation, suspension."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from certificates.lifecycle import Suspension as Period
from certificates.lifecycle import expiry_window, status_on
from certificates.numbering import is_valid_number, normalize_number
from pso.audit import record
from pso.auth import Actor
from pso.clock import today
from pso.db.models import Certificate, Organization, Suspension
from pso.db.paging import paginate
from pso.errors import Conflict, Forbidden, NotFound
from pso.services.notify import mail_company
from pso.services.organizations import kvk_matches


def status_of(certificate: Certificate, day: date) -> str:
    return status_on(
        day,
        valid_from=certificate.valid_from,
        valid_until=certificate.valid_until,
        revoked_on=certificate.revoked_on,
        suspensions=[Period(s.start, s.end) for s in certificate.suspensions],
        superseded_from=certificate.superseded_from,
    )


def status_condition(status: str, day: date) -> ColumnElement[bool]:
    """SQL twin of certificates.lifecycle.status_on, for filtering the register in one query.

    tests/api/test_certificates.py checks that both agree on every demo certificate.
    """
    c = Certificate
    revoked = and_(c.revoked_on.is_not(None), c.revoked_on <= day)
    started = c.valid_from <= day
    superseded = and_(c.superseded_from.is_not(None), c.superseded_from <= day,
                      c.superseded_from <= c.valid_until)
    suspended = exists().where(
        Suspension.certificate_id == c.id, Suspension.start <= day,
        or_(Suspension.end.is_(None), Suspension.end > day),
    )
    live = and_(~revoked, started, ~superseded)
    return {
        "revoked": revoked,
        "not_yet_valid": and_(~revoked, ~started),
        "superseded": and_(~revoked, started, superseded),
        "expired": and_(live, c.valid_until < day),
        "suspended": and_(live, c.valid_until >= day, suspended),
        "valid": and_(live, c.valid_until >= day, ~suspended),
    }[status]


async def search(
    session: AsyncSession, *, q: str | None, kvk: str | None, rung: str | None,
    status: str | None, page: int, page_size: int, day: date | None = None,
) -> tuple[list[Certificate], int]:
    day = day or today()
    query = select(Certificate).join(Certificate.organization)
    if q:
        needle = q.strip().lower()
        query = query.where(or_(
            func.lower(Organization.name).contains(needle, autoescape=True),
            kvk_matches(needle) if needle.isdigit() and len(needle) == 8 else false(),
            Certificate.number == needle.upper(),
        ))
    if kvk:
        query = query.where(kvk_matches(kvk))
    if rung:
        query = query.where(Certificate.rung == rung)
    if status:
        query = query.where(status_condition(status, day))
    return await paginate(session, query, Certificate.valid_from.desc(),
                          Certificate.number.desc(), page=page, page_size=page_size)


async def find(session: AsyncSession, number: str, *, with_pdf: bool = False,
               lock: bool = False) -> Certificate:
    normalized = normalize_number(number)
    if not is_valid_number(normalized):
        raise NotFound(f"Geen certificaat met nummer {number[:40]!r}.")
    query = select(Certificate).where(Certificate.number == normalized)
    if with_pdf:
        query = query.options(undefer(Certificate.pdf))
    if lock:
        query = query.with_for_update(of=Certificate)
    certificate = await session.scalar(query)
    if certificate is None:
        raise NotFound(f"Geen certificaat met nummer {normalized}.")
    return certificate


def ensure_body_access(actor: Actor, certificate: Certificate) -> None:
    """An auditor manages only the certificates of their own certifying body (and those
    issued before bodies were recorded); admins all of them."""
    if actor.role == "auditor" and certificate.certifying_body_id is not None \
            and certificate.certifying_body_id != actor.party_id:
        raise Forbidden(f"Certificaat {certificate.number} is uitgegeven door een andere "
                        "certificerende instelling.")


def _refuse_when_revoked(certificate: Certificate) -> None:
    if certificate.revoked_on is not None:
        raise Conflict("certificate-revoked",
                       f"Certificaat {certificate.number} is ingetrokken; dat is definitief.")


async def followers(session: AsyncSession, certificate: Certificate) -> list[Certificate]:
    """The PSO 30+ certificates that follow this ladder certificate (SPEC §7.3)."""
    if certificate.kind != "ladder":
        return []
    rows = await session.scalars(
        select(Certificate).where(Certificate.ladder_certificate_id == certificate.id)
        .order_by(Certificate.id).with_for_update(of=Certificate))
    return list(rows.unique())


async def _tell_company(session: AsyncSession, certificate: Certificate, change: str,
                        reason: str | None, follow: list[Certificate]) -> None:
    labels = {"suspended": "geschorst", "reinstated": "weer geldig", "revoked": "ingetrokken"}
    await mail_company(session, certificate.organization.kvk, "certificate_status", {
        "organization": certificate.organization.name, "kvk": certificate.organization.kvk,
        "number": certificate.number, "change": change, "change_label": labels[change],
        "reason": reason, "day": today(), "followers": [c.number for c in follow]})


async def revoke(session: AsyncSession, actor: Actor, number: str, reason: str) -> Certificate:
    certificate = await find(session, number, lock=True)
    ensure_body_access(actor, certificate)
    _refuse_when_revoked(certificate)
    day = today()
    certificate.revoked_on, certificate.revocation_reason = day, reason
    await record(session, actor, "certificate.revoked", "certificate", certificate.number,
                 {"reason": reason})
    follow = [c for c in await followers(session, certificate) if c.revoked_on is None]
    for plus in follow:
        plus.revoked_on = day
        plus.revocation_reason = f"Ladder-certificaat {certificate.number} ingetrokken: {reason}"
        await record(session, actor, "certificate.revoked", "certificate", plus.number,
                     {"reason": plus.revocation_reason, "follows": certificate.number})
    await _tell_company(session, certificate, "revoked", reason, follow)
    return certificate


def _open_suspension(certificate: Certificate) -> Suspension | None:
    return next((s for s in certificate.suspensions if s.end is None), None)


async def suspend(session: AsyncSession, actor: Actor, number: str,
                  reason: str | None) -> Certificate:
    certificate = await find(session, number, lock=True)
    ensure_body_access(actor, certificate)
    _refuse_when_revoked(certificate)
    if _open_suspension(certificate) is not None:
        raise Conflict("already-suspended", f"Certificaat {certificate.number} is al geschorst.")
    day = today()
    if certificate.valid_until < day:
        raise Conflict("certificate-expired", f"Certificaat {certificate.number} is verlopen.")
    certificate.suspensions.append(Suspension(start=day, reason=reason))
    await session.flush()
    await record(session, actor, "certificate.suspended", "certificate", certificate.number,
                 {"reason": reason})
    follow = [c for c in await followers(session, certificate)
              if c.revoked_on is None and _open_suspension(c) is None]
    for plus in follow:
        plus.suspensions.append(Suspension(
            start=day, follows_ladder=True,
            reason=f"Volgt de schorsing van ladder-certificaat {certificate.number}."))
        await record(session, actor, "certificate.suspended", "certificate", plus.number,
                     {"reason": reason, "follows": certificate.number})
    await session.flush()
    await _tell_company(session, certificate, "suspended", reason, follow)
    return certificate


async def reinstate(session: AsyncSession, actor: Actor, number: str) -> Certificate:
    certificate = await find(session, number, lock=True)
    ensure_body_access(actor, certificate)
    _refuse_when_revoked(certificate)
    open_period = _open_suspension(certificate)
    if open_period is None:
        raise Conflict("not-suspended", f"Certificaat {certificate.number} is niet geschorst.")
    if open_period.follows_ladder:
        raise Conflict("ladder-suspended",
                       f"Certificaat {certificate.number} volgt zijn ladder-certificaat; hef de "
                       "schorsing van het ladder-certificaat op.")
    day = today()
    open_period.end = day
    await session.flush()
    await record(session, actor, "certificate.reinstated", "certificate", certificate.number, {})
    follow = []
    for plus in await followers(session, certificate):
        period = _open_suspension(plus)
        if period is not None and period.follows_ladder and plus.revoked_on is None:
            period.end = day
            follow.append(plus)
            await record(session, actor, "certificate.reinstated", "certificate", plus.number,
                         {"follows": certificate.number})
    await session.flush()
    await _tell_company(session, certificate, "reinstated", None, follow)
    return certificate


async def expiring(session: AsyncSession, months: int = 3,
                   body_id: int | None = None) -> list[Certificate]:
    """Certificates still in force whose validity ends within `months`: for follow-up
    (of one certifying body when `body_id` is given)."""
    start, end = expiry_window(today(), months)
    query = (select(Certificate)
             .where(Certificate.valid_until.between(start, end),
                    or_(status_condition("valid", start), status_condition("suspended", start)))
             .order_by(Certificate.valid_until, Certificate.number))
    if body_id is not None:
        query = query.where(Certificate.certifying_body_id == body_id)
    rows = await session.scalars(query)
    return list(rows.unique())


def summary(certificate: Certificate, day: date) -> dict[str, Any]:
    """The public view of a certificate (camelCase keys, as the API and the web page show it)."""
    open_period = _open_suspension(certificate)
    return {
        "number": certificate.number,
        "kind": certificate.kind,
        "rung": certificate.rung,
        "status": status_of(certificate, day),
        "statusOn": day,
        "validFrom": certificate.valid_from,
        "validUntil": certificate.valid_until,
        "organization": {"kvk": certificate.organization.kvk,
                         "name": certificate.organization.name},
        "subsidiaries": list(certificate.subsidiaries or []),
        "rulebook": certificate.rulebook,
        "issuer": certificate.issuer,
        "pdfSha256": certificate.pdf_sha256,
        "revokedOn": certificate.revoked_on,
        "revocationReason": certificate.revocation_reason,
        "suspendedSince": open_period.start if open_period else None,
        "supersededFrom": certificate.superseded_from,
    }

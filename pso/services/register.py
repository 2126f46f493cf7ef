"""The public certificate register: look-up, status on a day, revocation, suspension."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import joinedload

from certificates.lifecycle import Suspension as Period
from certificates.lifecycle import expiry_window, status_on
from certificates.numbering import is_valid_number, normalize_number
from pso.audit import record
from pso.auth import Actor
from pso.clock import today
from pso.db.engine import READ_ONLY
from pso.db.models import Certificate, CertificatePdf, Organization, Suspension
from pso.errors import Conflict, Forbidden, NotFound
from pso.services.coverage import covers
from pso.services.notify import mail_company
from pso.services.organizations import KVK_SHAPE, organization_ids
from pso.text.municipalities import name_of
from pso.text.search import MIN_INDEXED, fts_phrase, words


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


SORTS = ("newest", "valid-first", "name", "rung", "validity")
COUNT_CAP = 1_000  # totals above this are reported as "more than"; offset paging ends here
# With more name matches than COUNT_CAP, SQLite should walk the order's index and stop after
# a page (the matches are dense); with fewer, look them up and sort them. Its planner cannot
# tell the two apart through the FTS subquery, so _keys(walk_order=) says which.


@dataclass
class Found:
    """One page of the register: rows, the (capped) total and the cursor of the next page."""

    rows: list[Certificate]
    total: int
    total_exact: bool
    next_after: str | None


class BadCursor(ValueError):
    """An `after` value this service did not make."""


# Each order is (columns, descending); the certificate number breaks ties, so a row's key is
# unique and keyset paging ("after this key") never skips or repeats a row.
def _order(sort: str) -> tuple[tuple[Any, Any], bool]:
    c, o = Certificate, Organization
    return {
        "newest": ((c.valid_from, c.number), True),
        "valid-first": ((c.valid_from, c.number), True),
        "validity": ((c.valid_until, c.number), True),
        "rung": ((c.rung, c.number), True),  # trede3 > trede2 > ... > aspirant, as text too
        "name": ((o.search_name, c.number), False),
    }[sort]


def encode_cursor(phase: int, values: tuple[Any, Any]) -> str:
    plain = [phase, *(v.isoformat() if isinstance(v, date) else v for v in values)]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_cursor(text: str, sort: str) -> tuple[int, tuple[Any, Any]]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        phase, first, number = raw
        if phase not in (0, 1) or not isinstance(first, str) or not isinstance(number, str):
            raise BadCursor(text)
        if sort in ("newest", "valid-first", "validity"):
            first = date.fromisoformat(first)
        return phase, (first, number)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise BadCursor(text) from exc


def _name_condition(dialect: str, query_words: list[str]) -> tuple[list[Any], bool, Any]:
    """Every word must occur in the folded name: (conditions, whether they read organizations,
    the SQLite FTS5 subquery of organisation ids or None).

    Words of 3+ characters go through the trigram index: on SQLite the FTS5 table gives the
    organisation ids (no join needed), on PostgreSQL pg_trgm serves LIKE on search_name.
    Shorter words only narrow what those found (or scan, when the query has no longer word)."""
    indexed = [w for w in query_words if len(w) >= MIN_INDEXED]
    conditions: list[Any] = []
    rest = query_words
    fts = None
    if dialect == "sqlite" and indexed:
        match = " AND ".join(fts_phrase(w) for w in indexed)
        fts = (select(literal_column("rowid")).select_from(text("organization_search"))
               .where(text("organization_search MATCH :match").bindparams(match=match)))
        rest = [w for w in query_words if len(w) < MIN_INDEXED]
    for word in rest:
        conditions.append(Organization.search_name.contains(word, autoescape=True))
    return conditions, bool(rest), fts


@dataclass
class Filters:
    conditions: list[Any]
    on_organization: bool  # some condition reads organizations
    fts: Any = None  # SQLite: organisation ids the FTS5 index found for the name words


def _filters(session: AsyncSession, *, q: str | None, kvk: str | None, rung: str | None,
             status: str | None, municipality: str | None, day: date) -> Filters:
    """WHERE conditions; `q` is routed by its shape: 8 digits is a KvK number, PSO-YYYY-NNNNNN
    a certificate number, anything else words of the name."""
    conditions: list[Any] = []
    on_organization = bool(municipality)
    needle = (q or "").strip()
    fts = None
    if KVK_SHAPE.fullmatch(needle):
        conditions.append(covers(needle))
    elif needle and is_valid_number(normalize_number(needle)):
        conditions.append(Certificate.number == normalize_number(needle))
    elif query_words := words(needle):
        by_name, reads_organizations, fts = _name_condition(session.get_bind().dialect.name,
                                                            query_words)
        conditions += by_name
        on_organization = on_organization or reads_organizations
    if kvk:
        conditions.append(covers(kvk))
    if municipality:
        conditions.append(Organization.municipality_code == municipality)
    if rung:
        conditions.append(Certificate.rung == rung)
    if status:
        conditions.append(status_condition(status, day))
    return Filters(conditions, on_organization, fts)


def _keys(filters: Filters, sort: str, walk_order: bool = False) -> Select[Any]:
    """The matching certificate ids: joined to organizations only when a filter or the
    order needs it, so paging and counting walk one index. `walk_order`: the FTS matches
    are many, so walk the order's index and test each row (`+ 0` keeps SQLite from looking
    them up by organisation instead, which would sort them all)."""
    query = select(Certificate.id).where(*filters.conditions)
    if filters.fts is not None:
        column = Certificate.organization_id + 0 if walk_order else Certificate.organization_id
        query = query.where(column.in_(filters.fts))
    if filters.on_organization or sort == "name":
        query = query.join(Organization, Organization.id == Certificate.organization_id)
    return query


async def _count(session: AsyncSession, filters: Filters, sort: str) -> int:
    """How many rows match, counted up to COUNT_CAP + 1 (the cost stays bounded)."""
    capped = _keys(filters, sort).order_by(None).limit(COUNT_CAP + 1).subquery()
    return await session.scalar(select(func.count()).select_from(capped)) or 0


async def _rows(session: AsyncSession, filters: Filters, sort: str, *,
                after: tuple | None, offset: int, limit: int,
                walk_order: bool = False) -> list[Certificate]:
    """One page: first the ids in order (an index walk, cheap to skip over), then those
    rows with their organisation (one join) and suspensions."""
    columns, descending = _order(sort)
    query = _keys(filters, sort, walk_order and sort != "name")
    if after is not None:
        key = tuple_(*columns)
        query = query.where(key < tuple_(*after) if descending else key > tuple_(*after))
    order = [col.desc() if descending else col.asc() for col in columns]
    ids = list(await session.scalars(query.order_by(*order).offset(offset).limit(limit)))
    if not ids:
        return []
    loaded = {c.id: c for c in (await session.scalars(
        select(Certificate).where(Certificate.id.in_(ids))
        .options(joinedload(Certificate.suspensions)))).unique()}
    return [loaded[i] for i in ids]


def _key(certificate: Certificate, sort: str) -> tuple[Any, Any]:
    first = {"newest": certificate.valid_from, "valid-first": certificate.valid_from,
             "validity": certificate.valid_until, "rung": certificate.rung,
             "name": certificate.organization.search_name}[sort]
    return first, certificate.number


async def search(
    session: AsyncSession, *, q: str | None, kvk: str | None, rung: str | None,
    status: str | None, page: int = 1, page_size: int = 20, day: date | None = None,
    municipality: str | None = None, sort: str = "newest", after: str | None = None,
) -> Found:
    """One page of the register. `after` (a cursor from `Found.next_after`) continues where
    the previous page ended; otherwise `page` counts from the start, up to COUNT_CAP rows
    deep. `valid-first` lists the certificates valid on `day` before all others (the
    public page's default), each group newest first."""
    day = day or today()
    filters = _filters(session, q=q, kvk=kvk, rung=rung, status=status,
                       municipality=municipality, day=day)
    cursor = decode_cursor(after, sort) if after else None
    offset = 0 if cursor else (page - 1) * page_size
    total = await _count(session, filters, sort)
    if sort == "valid-first" and not status:
        valid = status_condition("valid", day)
        phases = [Filters([*filters.conditions, valid], filters.on_organization, filters.fts),
                  Filters([*filters.conditions, ~valid], filters.on_organization, filters.fts)]
    else:
        phases = [filters]
    rows: list[Certificate] = []
    row_phase: list[int] = []
    want = page_size + 1  # one more tells whether there is a next page
    skip = offset
    for phase, phase_conditions in enumerate(phases):
        if cursor and phase < cursor[0]:
            continue
        key = cursor[1] if cursor and phase == cursor[0] else None
        if skip and len(phases) > 1 and phase == 0:
            in_phase = await _count(session, phase_conditions, sort)
            if skip >= in_phase:
                skip -= in_phase
                continue
        found = await _rows(session, phase_conditions, sort, after=key, offset=skip,
                            limit=want - len(rows), walk_order=total > COUNT_CAP)
        skip = 0
        rows += found
        row_phase += [phase] * len(found)
        if len(rows) >= want:
            break
    next_after = None
    if len(rows) > page_size:
        rows, last = rows[:page_size], page_size - 1
        next_after = encode_cursor(row_phase[last], _key(rows[last], sort))
    return Found(rows, min(total, COUNT_CAP), total <= COUNT_CAP, next_after)


async def export_batches(session: AsyncSession, *, batch: int = 1000, **filters: Any):
    """Every matching certificate, newest first, in batches read by key (not by offset)."""
    after = None
    while True:
        found = await search(session, page_size=batch, after=after, sort="newest", **filters)
        if found.rows:
            yield found.rows
        if found.next_after is None:
            return
        after = found.next_after
        session.expunge_all()


# One query: the organisation and the suspensions joined (not a second SELECT). Built once,
# with the number as a bound parameter: building it per request cost more than running it.
_FIND = (select(Certificate).where(Certificate.number == bindparam("number"))
         .options(joinedload(Certificate.suspensions)))
_FIND_FOR_UPDATE = _FIND.with_for_update(of=Certificate)


def _normalized(number: str) -> str:
    normalized = normalize_number(number)
    if not is_valid_number(normalized):
        raise NotFound(f"Geen certificaat met nummer {number[:40]!r}.")
    return normalized


async def find(session: AsyncSession, number: str, *, lock: bool = False) -> Certificate:
    normalized = _normalized(number)
    certificate = (await session.scalars(_FIND_FOR_UPDATE if lock else _FIND,
                                         {"number": normalized})).unique().first()
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


# The public verification page (/register/{number}, where the QR code points) reads Core
# rows: one statement, the certificate with its organisation and its suspensions (one row per
# suspension, LEFT JOIN); no ORM objects, no relationship loads.
_FIND_PUBLIC = (
    select(Certificate.number, Certificate.kind, Certificate.rung, Certificate.valid_from,
           Certificate.valid_until, Certificate.revoked_on, Certificate.revocation_reason,
           Certificate.superseded_from, Certificate.subsidiaries, Certificate.rulebook,
           Certificate.issuer, Certificate.pdf_sha256,
           Organization.kvk, Organization.name, Organization.municipality_code,
           Suspension.start, Suspension.end)
    .join(Organization, Organization.id == Certificate.organization_id)
    .outerjoin(Suspension, Suspension.certificate_id == Certificate.id)
    .where(Certificate.number == bindparam("number"))
    .order_by(Suspension.id))


@dataclass(slots=True)
class PublicOrganization:
    kvk: str
    name: str
    municipality_code: str


@dataclass(slots=True)
class PublicCertificate:
    """What summary() reads of a certificate, from the rows of _FIND_PUBLIC."""

    number: str
    kind: str
    rung: str
    valid_from: date
    valid_until: date
    revoked_on: date | None
    revocation_reason: str | None
    superseded_from: date | None
    subsidiaries: list[dict[str, str]] | None
    rulebook: str
    issuer: str
    pdf_sha256: str
    organization: PublicOrganization
    suspensions: list[Period]


def _public(rows: list[Any], normalized: str) -> PublicCertificate:
    if not rows:
        raise NotFound(f"Geen certificaat met nummer {normalized}.")
    first = rows[0]
    return PublicCertificate(
        *first[:12], organization=PublicOrganization(*first[12:15]),
        suspensions=[Period(r[15], r[16]) for r in rows if r[15] is not None])


def find_public_now(reader: Engine, number: str) -> PublicCertificate:
    """The public view of a certificate on the synchronous SQLite reader
    (pso.db.engine.make_sqlite_reader): one indexed SELECT on the event loop's thread, in
    its own implicit read transaction; no hand-off to aiosqlite's worker thread."""
    normalized = _normalized(number)
    with reader.connect() as conn:
        return _public(conn.execute(_FIND_PUBLIC, {"number": normalized}).all(), normalized)


async def find_public(engine: AsyncEngine, number: str) -> PublicCertificate:
    """The public view of a certificate through the async engine. On PostgreSQL one round
    trip: the SELECT runs in autocommit (a single statement is its own consistent snapshot),
    so no BEGIN/ROLLBACK around it. On SQLite (in-memory databases, which have no reader) a
    deferred read transaction, as every GET."""
    normalized = _normalized(number)
    options = ({"isolation_level": "AUTOCOMMIT"} if engine.dialect.name == "postgresql"
               else {READ_ONLY: True})
    async with engine.connect() as conn:
        conn = await conn.execution_options(**options)
        rows = (await conn.execute(_FIND_PUBLIC, {"number": normalized})).all()
    return _public(rows, normalized)


async def find_pdf(session: AsyncSession, number: str) -> tuple[str, str, bytes]:
    """(number, SHA-256, PDF bytes) of a certificate, without loading the certificate row."""
    normalized = normalize_number(number)
    if not is_valid_number(normalized):
        raise NotFound(f"Geen certificaat met nummer {number[:40]!r}.")
    row = (await session.execute(
        select(Certificate.number, Certificate.pdf_sha256, CertificatePdf.pdf)
        .join(CertificatePdf, CertificatePdf.certificate_id == Certificate.id)
        .where(Certificate.number == normalized))).first()
    if row is not None:
        return row.number, row.pdf_sha256, row.pdf
    raise NotFound(f"Geen certificaat met nummer {normalized}.")


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


async def of_body(session: AsyncSession, body_id: int | None, *, q: str = "", page: int,
                  page_size: int) -> tuple[list[Certificate], int]:
    """The certificates a certifying body manages (and those issued before bodies were
    recorded), newest first; `q` finds a name (words anywhere, accents ignored), a KvK
    number or a certificate number."""
    from pso.db.paging import paginate
    from pso.text.search import fold

    query = select(Certificate).join(Certificate.organization).where(
        or_(Certificate.certifying_body_id.is_(None), Certificate.certifying_body_id == body_id))
    q = q.strip()[:100]
    if q:
        number = normalize_number(q)
        if is_valid_number(number):
            query = query.where(Certificate.number == number)
        elif KVK_SHAPE.fullmatch(q):
            query = query.where(Certificate.organization_id.in_(organization_ids(q)))
        else:
            for word in fold(q).split()[:8]:
                escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                query = query.where(Organization.search_name.like(f"%{escaped}%", escape="\\"))
    return await paginate(session, query, Certificate.valid_from.desc(),
                          Certificate.number.desc(), page=page, page_size=page_size)


def suspension_reason(certificate: Certificate) -> str | None:
    """Why the certificate is suspended now (None when it is not)."""
    period = _open_suspension(certificate)
    return (period.reason or "Geen reden opgegeven.") if period is not None else None


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
                         "name": certificate.organization.name,
                         "municipalityCode": certificate.organization.municipality_code,
                         "municipality": name_of(certificate.organization.municipality_code)},
        "subsidiaries": list(certificate.subsidiaries or []),
        "rulebook": certificate.rulebook,
        "issuer": certificate.issuer,
        "pdfSha256": certificate.pdf_sha256,
        "revokedOn": certificate.revoked_on,
        "revocationReason": certificate.revocation_reason,
        "suspendedSince": open_period.start if open_period else None,
        "supersededFrom": certificate.superseded_from,
    }

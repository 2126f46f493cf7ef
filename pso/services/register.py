"""The public certificate register: look-up, status on a day, revocation, suspension."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Date,
    Integer,
    Select,
    SQLColumnExpression,
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
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session, joinedload

from certificates.lifecycle import Suspension as Period
from certificates.lifecycle import expiry_window, status_on
from certificates.numbering import is_valid_number, normalize_number
from pso.audit import record
from pso.auth import Actor
from pso.clock import today
from pso.db.engine import reading
from pso.db.models import Certificate, CertificatePdf, Organization, Suspension
from pso.errors import Conflict, Forbidden, NotFound
from pso.services import access
from pso.services.coverage import covers
from pso.services.notify import mail_company
from pso.services.organizations import KVK_SHAPE, organization_ids
from pso.text.municipalities import name_of
from pso.text.search import MIN_INDEXED, fts_phrase, words


def status_of(certificate: Certificate | PublicCertificate, day: date) -> str:
    return status_on(
        day,
        valid_from=certificate.valid_from,
        valid_until=certificate.valid_until,
        revoked_on=certificate.revoked_on,
        suspensions=[Period(s.start, s.end) for s in certificate.suspensions],
        superseded_from=certificate.superseded_from,
    )


def status_condition(status: str, day: date | BindParameter[date]) -> ColumnElement[bool]:
    """SQL twin of certificates.lifecycle.status_on, for filtering the register in one query.

    tests/services/test_access_parity.py checks that both agree on random certificates.
    """
    c = Certificate
    revoked = and_(c.revoked_on.is_not(None), c.revoked_on <= day)
    started = c.valid_from <= day
    superseded = and_(c.superseded_from.is_not(None), c.superseded_from <= day,
                      c.superseded_from <= c.valid_until)
    # The certificates suspended on the day, as a set (not a correlated EXISTS per row): the
    # few suspensions are read once, and a "suspended" filter starts from them.
    suspended = c.id.in_(select(Suspension.certificate_id).where(
        Suspension.start <= day, or_(Suspension.end.is_(None), Suspension.end > day)))
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


@dataclass(slots=True)
class PublicOrganization:
    kvk: str
    name: str
    municipality_code: str


@dataclass(slots=True)
class Shown:
    """What summary() shows of a certificate besides its suspensions, as read by SHOWN."""

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


# The columns of Shown, certificate then organisation (the public reads join the two).
SHOWN = (Certificate.number, Certificate.kind, Certificate.rung, Certificate.valid_from,
         Certificate.valid_until, Certificate.revoked_on, Certificate.revocation_reason,
         Certificate.superseded_from, Certificate.subsidiaries, Certificate.rulebook,
         Certificate.issuer, Certificate.pdf_sha256,
         Organization.kvk, Organization.name, Organization.municipality_code)


@dataclass
class Found:
    """One page of the register: rows, the (capped) total and the cursor of the next page."""

    rows: list[Listed]
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


# A search's statements are built once per shape (which filters, how many words, which
# order, ...) with every value a bound parameter, and kept: building and adapting them cost
# more than running the indexed look-ups they make (an identifier search: 0.8 of 1.6 ms).
DAY = bindparam("day", type_=Date)
Shape = tuple[Any, ...]
_STATEMENTS: dict[tuple[Any, ...], Any] = {}


def _like_pattern(word: str) -> str:
    escaped = word.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def _shape(dialect: str, *, q: str | None, kvk: str | None, rung: str | None,
           status: str | None, municipality: str | None, day: date
           ) -> tuple[Shape, dict[str, Any]]:
    """The search's shape and its parameter values. `q` is routed by its shape: 8 digits is
    a KvK number, PSO-YYYY-NNNNNN a certificate number, anything else words of the name.

    Every word must occur in the folded name. Words of 3+ characters go through the trigram
    index: on SQLite the FTS5 table gives the organisation ids (no join needed), on
    PostgreSQL pg_trgm serves LIKE on search_name. Shorter words only narrow what those found
    (or scan, when the query has no longer word)."""
    params: dict[str, Any] = {"day": day, "kvk": kvk, "rung": rung,
                              "municipality": municipality}
    needle = (q or "").strip()
    by: Any = None
    if KVK_SHAPE.fullmatch(needle):
        by, params["q_kvk"] = "kvk", needle
    elif needle and is_valid_number(normalize_number(needle)):
        by, params["number"] = "number", normalize_number(needle)
    elif query_words := words(needle):
        indexed = [w for w in query_words if len(w) >= MIN_INDEXED] if dialect == "sqlite" \
            else []
        rest = [w for w in query_words if w not in indexed]
        if indexed:
            params["match"] = " AND ".join(fts_phrase(w) for w in indexed)
        params.update({f"word{i}": _like_pattern(w) for i, w in enumerate(rest)})
        by = ("words", bool(indexed), len(rest))
    return (by, bool(kvk), bool(municipality), bool(rung), status), params


@dataclass
class Filters:
    conditions: list[Any]
    on_organization: bool  # some condition reads organizations
    fts: Any = None  # SQLite: organisation ids the FTS5 index found for the name words


def _filters(shape: Shape, phase: int | None) -> Filters:
    """The WHERE conditions of a shape (`phase` 0: valid on the day, 1: the others)."""
    _dialect, _cap, by, kvk, municipality, rung, status = shape
    conditions: list[Any] = []
    on_organization = municipality
    fts: Any = None
    if by == "kvk":
        conditions.append(covers(bindparam("q_kvk")))
    elif by == "number":
        conditions.append(Certificate.number == bindparam("number"))
    elif by is not None:
        _, indexed, rest = by
        if indexed:
            fts = (select(literal_column("rowid")).select_from(text("organization_search"))
                   .where(text("organization_search MATCH :match")))
        conditions += [Organization.search_name.like(bindparam(f"word{i}"), escape="/")
                       for i in range(rest)]
        on_organization = on_organization or rest > 0
    if kvk:
        conditions.append(covers(bindparam("kvk")))
    if municipality:
        conditions.append(Organization.municipality_code == bindparam("municipality"))
    if rung:
        conditions.append(Certificate.rung == bindparam("rung"))
    if status:
        conditions.append(status_condition(status, DAY))
    if phase is not None:
        valid = status_condition("valid", DAY)
        conditions.append(valid if phase == 0 else ~valid)
    return Filters(conditions, on_organization, fts)


def _keys(filters: Filters, sort: str, walk_order: bool = False) -> Select[Any]:
    """The matching certificate ids: joined to organizations only when a filter or the
    order needs it, so paging and counting walk one index. `walk_order`: the FTS matches
    are many, so walk the order's index and test each row (`+ 0` keeps SQLite from looking
    them up by organisation instead, which would sort them all; for the name order it walks
    the organisations by name and finds each one's certificates)."""
    query = select(Certificate.id).where(*filters.conditions)
    if filters.fts is not None:
        column: SQLColumnExpression[int] = Certificate.organization_id
        if walk_order:  # by name: walk the organisations' name index, test each of them
            # pragma: no mutate: Eq_LtE, Add_Sub (only "name" is <= it; - 0 hides as + 0 does)
            column = Organization.id + 0 if sort == "name" else column + 0
        query = query.where(column.in_(filters.fts))
    if filters.on_organization or sort == "name":
        query = query.join(Organization, Organization.id == Certificate.organization_id)
    return query


def _statement(key: tuple[Any, ...], build: Any) -> Any:
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = _STATEMENTS[key] = build()
    return statement


def _count(conn: Connection, shape: Shape, params: dict[str, Any], sort: str,
           phase: int | None = None) -> int:
    """How many rows match, counted up to COUNT_CAP + 1 (the cost stays bounded)."""
    def build() -> Select[Any]:
        capped = (_keys(_filters(shape, phase), sort).order_by(None)
                  .limit(bindparam("cap", type_=Integer)).subquery())
        return select(func.count()).select_from(capped)

    statement = _statement(("count", shape, sort, phase), build)
    return conn.execute(statement, {**params, "cap": COUNT_CAP + 1}).scalar() or 0


@dataclass(slots=True)
class Listed(Shown):
    """One row of a register page, read as a Core row (no ORM object, no relationship
    loads): its status on the day of the search is decided in SQL as far as suspensions go."""

    search_name: str
    suspended_on_day: bool  # a suspension covers the day of the search
    open_since: date | None  # the start of the suspension not lifted yet


_SUSPENDED_ON_DAY = exists().where(
    Suspension.certificate_id == Certificate.id, Suspension.start <= DAY,
    or_(Suspension.end.is_(None), Suspension.end > DAY))
_OPEN_SINCE = (select(Suspension.start)
               .where(Suspension.certificate_id == Certificate.id, Suspension.end.is_(None))
               .order_by(Suspension.id).limit(1).correlate(Certificate).scalar_subquery())


def _page_statement(shape: Shape, sort: str, phase: int | None, walk_order: bool,
                    after: bool) -> Select[*tuple[Any, ...]]:
    """One page in one statement: the ids in order (an index walk, cheap to skip over) as a
    derived table, joined to their rows and organisations; the suspension columns are
    evaluated for the page's rows only."""
    columns, descending = _order(sort)
    keys = _keys(_filters(shape, phase), sort, walk_order)
    if after:
        key = tuple_(*columns)
        bound = tuple_(bindparam("after_first", type_=columns[0].type),
                       bindparam("after_number", type_=columns[1].type))
        keys = keys.where(key < bound if descending else key > bound)
    order = [col.desc() if descending else col.asc() for col in columns]
    inner = order
    dialect, _cap, _by, _kvk, municipality, *_ = shape
    if municipality and dialect == "postgresql":
        # A place has a few hundred certificates; PostgreSQL would rather walk the order's
        # index testing each row's organisation (16,000 probes for 21 rows, 130 ms) than
        # find them by place and sort them (1 ms). An expression as the first key hides the
        # order's index from it; coalesce(x, x) is x.
        first = func.coalesce(columns[0], columns[0])
        inner = [first.desc() if descending else first.asc(), order[1]]
    page = (keys.order_by(*inner).offset(bindparam("offset", type_=Integer))
            .limit(bindparam("limit", type_=Integer)).subquery())
    c, o = Certificate, Organization
    return (select(*SHOWN, o.search_name, _SUSPENDED_ON_DAY, _OPEN_SINCE)
            .select_from(page).join(c, c.id == page.c.id).join(o, o.id == c.organization_id)
            .order_by(*order))


def _rows(conn: Connection, shape: Shape, params: dict[str, Any], sort: str, *,
          phase: int | None, after: tuple[Any, ...] | None, offset: int, limit: int,
          walk_order: bool = False) -> list[Listed]:  # pragma: no mutate: ReplaceFalseWithTrue
    statement = _statement(("rows", shape, sort, phase, walk_order, after is not None),
                           lambda: _page_statement(shape, sort, phase, walk_order,
                                                   after is not None))
    values = {**params, "offset": offset, "limit": limit}
    if after is not None:
        values["after_first"], values["after_number"] = after
    return [Listed(*r[:12], PublicOrganization(*r[12:15]), *r[15:])  # type: ignore[call-arg]  # mypy cannot count *r[:12]
            for r in conn.execute(statement, values)]


def _key(row: Listed, sort: str) -> tuple[Any, Any]:
    first = {"newest": row.valid_from, "valid-first": row.valid_from,
             "validity": row.valid_until, "rung": row.rung, "name": row.search_name}[sort]
    return first, row.number


def search_now(
    conn: Connection, *, q: str | None, kvk: str | None, rung: str | None,
    status: str | None, page: int = 1, page_size: int = 20, day: date | None = None,
    municipality: str | None = None, sort: str = "newest", after: str | None = None,
) -> Found:
    """One page of the register on a synchronous connection. `after` (a cursor from
    `Found.next_after`) continues where the previous page ended; otherwise `page` counts
    from the start, up to COUNT_CAP rows deep. `valid-first` lists the certificates valid on
    `day` before all others (the public page's default), each group newest first.

    Two statements for most pages (the capped count, the page); `valid-first` adds the
    second group's page where the first one ends, and a count of the first group when a
    page number skips into the second."""
    day = day or today()
    shape, params = _shape(conn.dialect.name, q=q, kvk=kvk, rung=rung, status=status,
                           municipality=municipality, day=day)
    shape = (conn.dialect.name, COUNT_CAP, *shape)  # the cap: tests lower it
    cursor = decode_cursor(after, sort) if after else None
    offset = 0 if cursor else (page - 1) * page_size
    total = _count(conn, shape, params, sort)
    phases: list[int | None] = [0, 1] if sort == "valid-first" and not status else [None]
    rows: list[Listed] = []
    row_phase: list[int] = []
    want = page_size + 1  # one more tells whether there is a next page
    skip = offset
    for index, phase in enumerate(phases):
        if cursor and index < cursor[0]:
            continue
        key = cursor[1] if cursor and index == cursor[0] else None
        if skip and phase == 0:
            in_phase = _count(conn, shape, params, sort, phase)
            if skip >= in_phase:
                skip -= in_phase
                continue
        found = _rows(conn, shape, params, sort, phase=phase, after=key, offset=skip,
                      limit=want - len(rows), walk_order=total > COUNT_CAP)
        skip = 0
        rows += found
        row_phase += [index] * len(found)
        if len(rows) >= want:  # pragma: no mutate: GtE_Eq (rows never pass want)
            break
    next_after = None
    if len(rows) > page_size:
        rows, last = rows[:page_size], page_size - 1
        next_after = encode_cursor(row_phase[last], _key(rows[last], sort))
    return Found(rows, min(total, COUNT_CAP), total <= COUNT_CAP, next_after)


def _search_on_reader(reader: Engine, arguments: dict[str, Any]) -> Found:
    with reader.connect() as conn:
        return search_now(conn, **arguments)


async def search(readers: Mapping[str, Any], **arguments: Any) -> Found:
    """search_now() for a request, given the app state's `engine` and `sqlite_reader`.

    SQLite file: on the synchronous reader in a worker thread, one hand-off for the whole
    search (through aiosqlite each cursor call is one); the sqlite3 module lets go of the
    GIL while SQLite works, so the event loop serves other requests meanwhile. PostgreSQL:
    each statement in autocommit, one round trip each (no BEGIN/ROLLBACK). SQLite without a
    reader (in-memory databases): a deferred read transaction, as every GET."""
    reader = readers.get("sqlite_reader")
    if reader is not None:
        return await asyncio.to_thread(_search_on_reader, reader, arguments)
    async with reading(readers["engine"]) as conn:
        return await conn.run_sync(lambda sync: search_now(sync, **arguments))


async def export_batches(session: AsyncSession, *, batch: int = 1000,
                         **filters: Any) -> AsyncIterator[list[Listed]]:
    """Every matching certificate, newest first, in batches read by key (not by offset)."""
    after = None
    while True:
        def page(s: Session, after: str | None = after) -> Found:
            return search_now(s.connection(), page_size=batch, after=after, sort="newest",
                              **filters)

        found = await session.run_sync(page)
        if found.rows:
            yield found.rows
        if found.next_after is None:
            return
        after = found.next_after


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
    issued before bodies were recorded); admins all of them (services/access.py). 403, not
    404: the certificate is in the public register anyway."""
    if not access.may_see_certificate(actor, certificate):
        raise Forbidden(f"Certificaat {certificate.number} is uitgegeven door een andere "
                        "certificerende instelling.")


# The public verification page (/register/{number}, where the QR code points) reads Core
# rows: one statement, the certificate with its organisation and its suspensions (one row per
# suspension, LEFT JOIN); no ORM objects, no relationship loads.
_FIND_PUBLIC = (
    select(*SHOWN, Suspension.start, Suspension.end)
    .join(Organization, Organization.id == Certificate.organization_id)
    .outerjoin(Suspension, Suspension.certificate_id == Certificate.id)
    .where(Certificate.number == bindparam("number"))
    .order_by(Suspension.id))


@dataclass(slots=True)  # pragma: no mutate: ReplaceTrueWithFalse (slots: memory only)
class PublicCertificate(Shown):
    """What summary() reads of a certificate, from the rows of _FIND_PUBLIC."""

    suspensions: list[Period]


def _public(rows: Sequence[Any], normalized: str) -> PublicCertificate:
    if not rows:
        raise NotFound(f"Geen certificaat met nummer {normalized}.")
    first = rows[0]
    return PublicCertificate(  # type: ignore[misc]  # mypy cannot count *first[:12]
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
    async with reading(engine) as conn:
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


async def expiring(session: AsyncSession, actor: Actor, months: int = 3) -> list[Certificate]:
    """Certificates still in force whose validity ends within `months`, of those the actor
    manages (an auditor: its body's): for follow-up."""
    start, end = expiry_window(today(), months)
    query = (select(Certificate)
             .where(Certificate.valid_until.between(start, end), access.certificate_filter(actor),
                    or_(status_condition("valid", start), status_condition("suspended", start)))
             .order_by(Certificate.valid_until, Certificate.number))
    rows = await session.scalars(query)
    return list(rows.unique())


async def of_body(session: AsyncSession, actor: Actor, *, q: str = "", page: int,
                  page_size: int) -> tuple[list[Certificate], int]:
    """The certificates the actor manages (an auditor: its body's, and those issued before
    bodies were recorded), newest first; `q` finds a name (words anywhere, accents ignored), a KvK
    number or a certificate number."""
    from pso.db.paging import paginate
    from pso.text.search import fold

    query = select(Certificate).join(Certificate.organization).where(
        access.certificate_filter(actor))
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


def summary(certificate: Certificate | PublicCertificate, day: date) -> dict[str, Any]:
    """The public view of a certificate (camelCase keys, as the API and the web page show it)."""
    open_since = next((s.start for s in certificate.suspensions if s.end is None), None)
    return _view(certificate, status_of(certificate, day), day, open_since)


def listed_summary(row: Listed, day: date) -> dict[str, Any]:
    """summary() of a register row (the day must be the day it was searched for)."""
    status = status_on(day, valid_from=row.valid_from, valid_until=row.valid_until,
                       revoked_on=row.revoked_on, superseded_from=row.superseded_from,
                       suspensions=[(day, None)] if row.suspended_on_day else ())
    return _view(row, status, day, row.open_since)


def _view(c: Any, status: str, day: date, suspended_since: date | None) -> dict[str, Any]:
    org = c.organization
    return {
        "number": c.number,
        "kind": c.kind,
        "rung": c.rung,
        "status": status,
        "statusOn": day,
        "validFrom": c.valid_from,
        "validUntil": c.valid_until,
        "organization": {"kvk": org.kvk, "name": org.name,
                         "municipalityCode": org.municipality_code,
                         "municipality": name_of(org.municipality_code)},
        "subsidiaries": list(c.subsidiaries or []),
        "rulebook": c.rulebook,
        "issuer": c.issuer,
        "pdfSha256": c.pdf_sha256,
        "revokedOn": c.revoked_on,
        "revocationReason": c.revocation_reason,
        "suspendedSince": suspended_since,
        "supersededFrom": c.superseded_from,
    }

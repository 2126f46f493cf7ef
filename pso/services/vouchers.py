"""Subsidy vouchers (SPEC §5): schemes, issuing within the budget, redemption, cancellation.

The budget is never a stored counter: `committed_sql` is the one rule saying how much of
it each voucher holds, and every figure is summed from the vouchers with it. Issuing
locks the scheme row first (SELECT ... FOR UPDATE on PostgreSQL; on SQLite every
transaction already holds the write lock, see pso.db.engine), so two requests can never
both see the last euro as available, also not across processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from certificates.formatting import dutch_date, euro
from pso import clock
from pso.audit import record
from pso.auth import Actor
from pso.db.base import Money
from pso.db.models import Organization, Voucher, VoucherScheme, VoucherStatus
from pso.errors import Conflict, Forbidden, InvalidInput, NotFound
from pso.services import access, voucher_mail, voucher_pdf, voucher_proof
from pso.services.access import ensure_kvk_access, ensure_municipality_access
from pso.services.voucher_status import status_on
from pso.text.municipalities import name_of
from pso.voucher_codes import display, new_code, normalise
from scoring.notation import dutch_decimal

ZERO = Decimal("0.00")
MAX_DB_ID = 2**31 - 1


# --- status and budget rules ---------------------------------------------------------


def status_sql(day: date) -> ColumnElement[str]:
    """`status_on` as SQL, for counting and filtering (tests/services/test_access_parity.py
    checks that both agree)."""
    return case(
        (and_(Voucher.status == VoucherStatus.ISSUED, Voucher.expires_on < day),
         VoucherStatus.EXPIRED.value),
        else_=Voucher.status,
    )


def committed_sql(day: date) -> ColumnElement[Decimal]:
    """THE budget rule: what one voucher holds of its scheme's budget on `day`.

    Requested (waiting for the municipality's approval), or issued and not expired: its
    amount (reserved). Redeemed: what was paid out (the rest went back). Cancelled,
    refused or expired: nothing (the money is available again).
    """
    return type_coerce(
        case(
            (Voucher.status == VoucherStatus.REDEEMED, Voucher.redeemed_amount),
            (Voucher.status == VoucherStatus.REQUESTED, Voucher.amount),
            (and_(Voucher.status == VoucherStatus.ISSUED, Voucher.expires_on >= day),
             Voucher.amount),
            else_=0,
        ),
        Money,
    )


@dataclass
class Figures:
    budget: Decimal
    committed: Decimal = ZERO
    redeemed: Decimal = ZERO
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys([s.value for s in VoucherStatus], 0))

    @property
    def available(self) -> Decimal:
        return self.budget - self.committed


async def figures(
    session: AsyncSession, schemes: list[VoucherScheme], day: date
) -> dict[int, Figures]:
    """Budget figures per scheme, summed from its vouchers in one query."""
    result = {s.id: Figures(budget=s.budget) for s in schemes}
    if not result:
        return result
    # Group in an outer query: PostgreSQL does not see two CASE expressions with their own
    # bound dates as the same grouping expression.
    rows = (
        select(
            Voucher.scheme_id,
            status_sql(day).label("status"),
            committed_sql(day).label("committed"),
            Voucher.redeemed_amount,
        )
        .where(Voucher.scheme_id.in_(list(result)))
        .subquery()
    )
    grouped = select(
        rows.c.scheme_id,
        rows.c.status,
        func.count(),
        func.sum(rows.c.committed),
        func.sum(rows.c.redeemed_amount),
    ).group_by(rows.c.scheme_id, rows.c.status)
    for row in (await session.execute(grouped)).all():
        fig = result[row.scheme_id]
        fig.counts[row.status] = row[2]
        fig.committed += row[3] or ZERO
        fig.redeemed += row[4] or ZERO
    return result


# --- schemes -------------------------------------------------------------------------


async def create_scheme(session: AsyncSession, actor: Actor, data: dict[str, Any]) -> VoucherScheme:
    ensure_municipality_access(actor, data["municipality_code"])
    scheme = VoucherScheme(**data, created_by=actor.name)
    session.add(scheme)
    await session.flush()
    await record(session, actor, "voucher_scheme.created", "voucher_scheme", scheme.id, _jsonable(data))
    return scheme


async def scheme_for(
    session: AsyncSession, actor: Actor, scheme_id: int, *, lock: bool = False
) -> VoucherScheme:
    """The scheme if the actor may see it (services/access.py): a municipality its own."""
    if not 1 <= scheme_id <= MAX_DB_ID:
        raise NotFound(f"Geen voucherregeling met nummer {scheme_id}.")
    query = select(VoucherScheme).where(VoucherScheme.id == scheme_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    scheme = await session.scalar(query)
    # Another municipality's scheme is answered as one that does not exist (services/access.py).
    if scheme is None or not access.may_see_scheme(actor, scheme):
        raise NotFound(f"Geen voucherregeling met nummer {scheme_id}.")
    return scheme


async def list_schemes(session: AsyncSession, actor: Actor) -> list[VoucherScheme]:
    query = select(VoucherScheme).where(access.scheme_filter(actor)).order_by(VoucherScheme.id)
    return list(await session.scalars(query))


async def list_vouchers(
    session: AsyncSession,
    scheme: VoucherScheme,
    day: date,
    *,
    status: str | None = None,
    page: int | None = None,
    page_size: int = 50,  # pragma: no mutate: NumberReplacer (each pager gives its size)
) -> tuple[list[Voucher], int]:
    query = select(Voucher).where(Voucher.scheme_id == scheme.id)
    if status:
        query = query.where(status_sql(day) == status)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    query = query.order_by(Voucher.id)
    if page is not None:
        query = query.offset((page - 1) * page_size).limit(page_size)
    return list(await session.scalars(query)), total


# --- vouchers ------------------------------------------------------------------------


async def issue(
    session: AsyncSession,
    actor: Actor,
    scheme_id: int,
    kvk: str,
    fte: Decimal,
    *,
    on: date | None = None,
) -> Voucher:
    """Issue a voucher if the organisation is eligible and the budget has room.

    The municipality issues for any organisation, a company only for itself. On a scheme
    that requires approval a company's application becomes a `requested` voucher: its
    amount is reserved at once, the municipality approves (issued) or refuses it.
    """
    day = on or clock.today()
    ensure_kvk_access(actor, kvk)
    # Lock before anything is counted; a company may apply to any municipality's scheme.
    scheme = await scheme_for(session, actor, scheme_id, lock=True)
    found = await session.scalar(select(Organization).where(Organization.kvk == kvk))
    if (found is not None and found.municipality_code not in scheme.eligible_municipality_codes
            and scheme.application_opens_on <= day <= scheme.application_closes_on):
        raise Conflict(
            "municipality-not-eligible",
            f"Organisaties uit gemeente {name_of(found.municipality_code)} komen "
            "niet in aanmerking voor deze regeling.",
        )
    org = _eligible(scheme, found, kvk, fte, day)
    taken = await session.scalar(
        select(Voucher.code).where(
            Voucher.scheme_id == scheme.id, Voucher.organization_id == org.id
        )
    )
    if taken is not None:
        raise Conflict(
            "voucher-already-issued",
            f"Organisatie {kvk} heeft al een voucher van deze regeling (één per organisatie).",
        )
    fig = (await figures(session, [scheme], day))[scheme.id]
    if fig.available < scheme.voucher_amount:
        raise Conflict(
            "budget-exhausted",
            "Het budget van deze regeling is op: er is geen ruimte meer voor een voucher.",
            available=str(fig.available),
            voucherAmount=str(scheme.voucher_amount),
        )
    requested = scheme.requires_approval and actor.role == "company"
    voucher = Voucher(
        code=new_code(),
        scheme_id=scheme.id,
        organization_id=org.id,
        fte=fte,
        amount=scheme.voucher_amount,
        status=VoucherStatus.REQUESTED if requested else VoucherStatus.ISSUED,
        issued_on=day,
        # Valid on `voucher_validity_days` days, the day of issue included (for a request:
        # provisional, counted again from the day of approval).
        expires_on=_expiry(scheme, day),
        issued_by=actor.name,
        requested_on=day if requested else None,
    )
    session.add(voucher)
    try:
        await session.flush()
    except IntegrityError:  # the unique (scheme, organisation) pair: a lost race
        raise Conflict(
            "voucher-already-issued",
            f"Organisatie {kvk} heeft al een voucher van deze regeling (één per organisatie).",
        ) from None
    voucher.scheme, voucher.organization = scheme, org
    await record(
        session, actor, "voucher.requested" if requested else "voucher.issued", "voucher",
        display(voucher.code),
        {"scheme_id": scheme.id, "kvk": kvk, "fte": str(fte), "amount": str(voucher.amount),
         "expires_on": voucher.expires_on.isoformat()},
    )
    if not requested:
        await _issued(session, voucher, day)
    return voucher


def _expiry(scheme: VoucherScheme, day: date) -> date:
    return day + timedelta(days=scheme.voucher_validity_days - 1)


async def _issued(session: AsyncSession, voucher: Voucher, day: date) -> None:
    """What follows every issue: the stored PDF and the mail to the holder's accounts."""

    await voucher_pdf.store(session, voucher, day)
    await voucher_mail.tell_holder(session, voucher, "voucher_issued")


async def approve(
    session: AsyncSession, actor: Actor, code: str, *, on: date | None = None
) -> Voucher:
    """The municipality grants a company's request: issued from today, for the scheme's
    validity. The amount was reserved at the request, so the budget is not counted again."""
    day = on or clock.today()
    if actor.role not in {"municipality", "system"}:
        raise Forbidden("Alleen de gemeente kan een aanvraag goedkeuren.")
    voucher = await voucher_for(session, actor, code, lock=True)
    _ensure_requested(voucher)
    voucher.status = VoucherStatus.ISSUED
    voucher.issued_on = day
    voucher.expires_on = _expiry(voucher.scheme, day)
    voucher.decided_on, voucher.decided_by = day, actor.name
    await session.flush()
    await record(session, actor, "voucher.approved", "voucher", display(voucher.code),
                 {"expires_on": voucher.expires_on.isoformat()})
    await _issued(session, voucher, day)
    return voucher


async def refuse(
    session: AsyncSession, actor: Actor, code: str, reason: str | None, *,
    on: date | None = None,
) -> Voucher:
    """The municipality refuses a company's request; the reserved amount returns at once
    and the company's accounts are told by mail."""
    day = on or clock.today()
    if actor.role not in {"municipality", "system"}:
        raise Forbidden("Alleen de gemeente kan een aanvraag weigeren.")
    voucher = await voucher_for(session, actor, code, lock=True)
    _ensure_requested(voucher)
    voucher.status = VoucherStatus.REFUSED
    voucher.decided_on, voucher.decided_by = day, actor.name
    voucher.refusal_reason = reason
    await session.flush()
    await record(session, actor, "voucher.refused", "voucher", display(voucher.code),
                 {"reason": reason})
    await voucher_mail.tell_refused(session, voucher)
    return voucher


def _ensure_requested(voucher: Voucher) -> None:
    if voucher.status != VoucherStatus.REQUESTED:
        raise Conflict("voucher-not-requested",
                       "Over deze voucher is al beslist: er ligt geen aanvraag meer open.",
                       currentStatus=voucher.status)


async def open_schemes(session: AsyncSession, actor: Actor, day: date) -> list[VoucherScheme]:
    """Every scheme the actor sees (a company: all, to apply to) whose application window
    includes `day`."""
    return list(await session.scalars(
        select(VoucherScheme)
        .where(VoucherScheme.application_opens_on <= day,
               VoucherScheme.application_closes_on >= day, access.scheme_filter(actor))
        .order_by(VoucherScheme.application_closes_on, VoucherScheme.id)))


async def eligibility(
    session: AsyncSession, scheme: VoucherScheme, kvk: str, fte: Decimal | None, day: date
) -> str | None:
    """None when the organisation may apply now, else the Dutch reason why not (the same
    rules as `issue`, without the budget). `fte` None skips the size rule."""
    org = await session.scalar(select(Organization).where(Organization.kvk == kvk))
    try:
        _eligible(scheme, org, kvk, fte if fte is not None else ZERO, day)
    except Conflict as exc:
        return exc.detail
    assert org is not None
    taken = await session.scalar(select(Voucher.status).where(
        Voucher.scheme_id == scheme.id, Voucher.organization_id == org.id))
    if taken is not None:
        return "U heeft al een voucher van deze regeling (of een aanvraag ervoor)."
    return None


# --- editing a scheme ----------------------------------------------------------------

EDITABLE = ("title", "voucher_amount", "budget", "application_opens_on",
            "application_closes_on", "voucher_validity_days", "max_fte",
            "eligible_municipality_codes", "requires_approval")


async def update_scheme(
    session: AsyncSession, actor: Actor, scheme_id: int, changes: dict[str, Any], *,
    on: date | None = None,
) -> VoucherScheme:
    """Change a scheme. The budget may grow, never below what is committed (409
    `budget-below-committed`); vouchers already issued keep their amount and expiry."""
    day = on or clock.today()
    if actor.role not in {"municipality", "admin", "system"}:
        raise Forbidden("Alleen de gemeente kan een regeling wijzigen.")
    scheme = await scheme_for(session, actor, scheme_id, lock=True)
    changes = {k: v for k, v in changes.items() if k in EDITABLE}
    amount = changes.get("voucher_amount", scheme.voucher_amount)
    budget = changes.get("budget", scheme.budget)
    opens = changes.get("application_opens_on", scheme.application_opens_on)
    closes = changes.get("application_closes_on", scheme.application_closes_on)
    problems = []
    if budget < amount:
        problems.append({"name": "budget",
                         "reason": "Het budget moet minstens het bedrag van één voucher zijn."})
    if closes < opens:
        problems.append({"name": "applicationClosesOn",
                         "reason": "De sluitingsdatum ligt vóór de openingsdatum."})
    if problems:
        raise InvalidInput(problems)
    if "budget" in changes:
        fig = (await figures(session, [scheme], day))[scheme.id]
        if budget < fig.committed:
            raise Conflict(
                "budget-below-committed",
                f"Het budget kan niet lager dan wat al is vastgelegd ({euro(fig.committed)}).",
                committed=str(fig.committed))
    before = {k: getattr(scheme, k) for k in changes}
    for key, value in changes.items():
        setattr(scheme, key, value)
    await session.flush()
    await record(session, actor, "voucher_scheme.updated", "voucher_scheme", scheme.id,
                 {"before": _jsonable(before), "after": _jsonable(changes)})
    return scheme


def _eligible(
    scheme: VoucherScheme, org: Organization | None, kvk: str, fte: Decimal, day: date
) -> Organization:
    """The applicant if eligible. Each rule has its own 409 problem type, so a client can
    tell the applicant exactly why not."""
    if org is None:
        raise Conflict(
            "organization-unknown",
            f"Er is geen organisatie met KvK-nummer {kvk} geregistreerd; registreer die eerst.",
        )
    if day < scheme.application_opens_on:
        raise Conflict(
            "application-window-not-open",
            f"Aanvragen kan pas vanaf {dutch_date(scheme.application_opens_on)}.",
        )
    if day > scheme.application_closes_on:
        raise Conflict(
            "application-window-closed",
            f"Aanvragen kon tot en met {dutch_date(scheme.application_closes_on)}.",
        )
    if org.municipality_code not in scheme.eligible_municipality_codes:
        raise Conflict(
            "municipality-not-eligible",
            f"Organisaties uit gemeente {name_of(org.municipality_code)} komen niet in aanmerking "
            "voor deze regeling.",
        )
    if fte > scheme.max_fte:
        raise Conflict(
            "fte-above-maximum",
            f"Deze regeling is voor organisaties met ten hoogste "
            f"{dutch_decimal(scheme.max_fte)} fte; opgegeven is {dutch_decimal(fte)} fte.",
            maxFte=str(scheme.max_fte),
        )
    return org


async def voucher_for(
    session: AsyncSession, actor: Actor, code: str, *, lock: bool = False
) -> Voucher:
    """The voucher if the actor may see it; otherwise 404, so codes cannot be probed."""
    canonical = normalise(code)
    if canonical is None:  # a typo: answered without asking the database
        raise NotFound(
            "Deze vouchercode bestaat niet; controleer de code (het controleteken klopt niet).",
            slug="voucher-code-invalid",
        )
    query = select(Voucher).where(Voucher.code == canonical)
    if lock:
        query = query.with_for_update(of=Voucher).execution_options(populate_existing=True)
    voucher = await session.scalar(query)
    if voucher is None or not access.may_see_voucher(actor, voucher):
        raise NotFound("Er is geen voucher met deze code.")
    return voucher


def _ensure_open(voucher: Voucher, day: date) -> None:
    status = status_on(voucher, day)
    if status == VoucherStatus.REQUESTED:
        raise Conflict("voucher-not-issued",
                       "Deze voucher is aangevraagd maar nog niet goedgekeurd door de gemeente.")
    if status == VoucherStatus.REFUSED:
        raise Conflict("voucher-refused", "De aanvraag voor deze voucher is geweigerd.")
    if status == VoucherStatus.REDEEMED:
        raise Conflict("voucher-already-redeemed", "Deze voucher is al verzilverd.")
    # pragma: no mutate: Eq_LtE (issued and expired, all that is left, sort after it)
    if status == VoucherStatus.CANCELLED:
        raise Conflict("voucher-cancelled", "Deze voucher is ingetrokken.")
    if status == VoucherStatus.EXPIRED:
        raise Conflict(
            "voucher-expired",
            f"Deze voucher was geldig tot en met {dutch_date(voucher.expires_on)}.",
        )


async def redeem(
    session: AsyncSession,
    actor: Actor,
    code: str,
    invoice_amount: Decimal,
    *,
    certificate_number: str | None = None,
    assessment_id: int | None = None,
    on: date | None = None,
) -> Voucher:
    """Pay out min(voucher amount, invoice) once; the rest returns to the budget."""
    day = on or clock.today()
    if actor.role not in {"auditor", "municipality", "system"}:
        raise Forbidden("Alleen een auditor of de gemeente kan een voucher verzilveren.")
    voucher = await voucher_for(session, actor, code, lock=True)
    _ensure_open(voucher, day)
    await voucher_proof.check(session, voucher.organization_id, certificate_number, assessment_id)
    voucher.status = VoucherStatus.REDEEMED
    voucher.invoice_amount = invoice_amount
    voucher.redeemed_amount = min(voucher.amount, invoice_amount)
    voucher.redeemed_on = day
    voucher.certificate_number = certificate_number
    voucher.assessment_id = assessment_id
    voucher.redeemed_by = actor.name
    await session.flush()
    await record(
        session, actor, "voucher.redeemed", "voucher", display(voucher.code),
        {"invoice_amount": str(invoice_amount), "redeemed_amount": str(voucher.redeemed_amount),
         "certificate_number": certificate_number, "assessment_id": assessment_id},
    )
    await _restamp(session, voucher, day)
    return voucher


async def cancel(
    session: AsyncSession, actor: Actor, code: str, reason: str | None, *, on: date | None = None
) -> Voucher:
    """Withdraw an unused voucher; its amount is available again at once."""
    day = on or clock.today()
    if actor.role not in {"municipality", "system"}:
        raise Forbidden("Alleen de gemeente kan een voucher intrekken.")
    voucher = await voucher_for(session, actor, code, lock=True)
    _ensure_open(voucher, day)
    voucher.status = VoucherStatus.CANCELLED
    voucher.cancelled_on = day
    voucher.cancellation_reason = reason
    voucher.cancelled_by = actor.name
    await session.flush()
    await record(
        session, actor, "voucher.cancelled", "voucher", display(voucher.code), {"reason": reason}
    )
    await _restamp(session, voucher, day)
    return voucher


async def _restamp(session: AsyncSession, voucher: Voucher, day: date) -> None:

    await voucher_pdf.store(session, voucher, day)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """Audit summaries are JSON: decimals and dates as text."""
    return {k: v if isinstance(v, (str, int, list, type(None))) else str(v) for k, v in data.items()}


# --- overviews for the municipality's pages --------------------------------------------


async def uptake_by_month(session: AsyncSession, scheme: VoucherScheme, day: date,
                          months: int = 18) -> list[tuple[int, int, int, Decimal]]:
    """(year, month, vouchers issued, their amount) per month, from the scheme's opening
    month up to this month (the last `months` of them). Requests and refusals are not
    issued vouchers; approved requests count in the month of approval."""
    rows = (await session.execute(
        select(Voucher.issued_on, Voucher.amount).where(
            Voucher.scheme_id == scheme.id,
            Voucher.status.not_in((VoucherStatus.REQUESTED, VoucherStatus.REFUSED))))).all()
    per: dict[tuple[int, int], tuple[int, Decimal]] = {}
    for issued_on, amount in rows:
        key = (issued_on.year, issued_on.month)
        count, total = per.get(key, (0, ZERO))
        per[key] = (count + 1, total + amount)
    start = min([(scheme.application_opens_on.year, scheme.application_opens_on.month),
                 *per.keys()])
    end = max([(day.year, day.month), *per.keys()])
    result = []
    year, month = start
    while (year, month) <= end:
        count, total = per.get((year, month), (0, ZERO))
        result.append((year, month, count, total))
        # pragma: no mutate: Eq_GtE (a month is never past 12)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result[-months:]


async def expiring(session: AsyncSession, actor: Actor, day: date,
                   within_days: int = 60) -> list[Voucher]:
    """Issued vouchers the actor sees (a municipality: of its schemes) that expire within
    `within_days` days, and those that expired in the last `within_days` days unredeemed,
    soonest first."""
    query = (select(Voucher)
             .where(Voucher.status == VoucherStatus.ISSUED, access.voucher_filter(actor),
                    Voucher.expires_on.between(day - timedelta(days=within_days),
                                               day + timedelta(days=within_days)))
             .order_by(Voucher.expires_on, Voucher.id).limit(200))
    return list(await session.scalars(query))


async def open_requests(session: AsyncSession, scheme: VoucherScheme) -> list[Voucher]:
    return list(await session.scalars(
        select(Voucher).where(Voucher.scheme_id == scheme.id,
                              Voucher.status == VoucherStatus.REQUESTED)
        .order_by(Voucher.id)))

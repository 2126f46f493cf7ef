"""Contract monitoring (SPEC §7.4): after the award, is the winner keeping the rung that won?

The discount of *gunnen op waarde* was granted on a promise: the winner keeps its rung for
the contract, or owes `penaltyIfNotMaintained`. `award` records the winning bid as the
stored evaluation decided it (rung, advantage, penalty and the certificates that carried
the rung; for a consortium every member's). While the contract runs, `check_award` looks at
those certificates on a day:

- valid: fine; one that expires before the contract ends warns once, three months ahead;
- suspended, revoked, expired or superseded: fine only if the same organisation holds
  another ladder certificate valid that day with at least the rung that won (a renewal, or
  a higher rung); otherwise an event, once per certificate and kind, mailed to the buyer's
  accounts with the penalty.

The daily job (`pso.jobs.monitoring`) runs `run_checks` for every contract running that day,
one award per transaction: its check, events and mails commit together.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from certificates.formatting import dutch_date, euro, rung_label
from certificates.lifecycle import add_months
from pso import clock
from pso.audit import record
from pso.auth import SYSTEM, Actor
from pso.db.base import utcnow
from pso.db.models import (
    Certificate,
    ContractCheck,
    ContractEvent,
    Tender,
    TenderAward,
)
from pso.errors import Conflict, InvalidInput
from pso.procurement.evaluation import Fact
from pso.procurement.serialize import fact_from_json
from pso.services import tenders
from pso.services.coverage import covers
from pso.services.recipients import party_recipients
from pso.services.register import status_condition
from pso.services.register_facts import facts_on
from scoring.enums import RUNGS

WARN_MONTHS = 3
LOST = ("suspended", "revoked", "expired", "superseded")
KIND_TEXT = {
    "suspended": "geschorst",
    "revoked": "ingetrokken",
    "expired": "verlopen",
    "superseded": "vervangen door een lagere trede",
    "expiry_warning": "verloopt vóór het einde van het contract",
    "unknown": "niet meer in het register",
}


def state_of(award: TenderAward | None, day: date) -> str:
    if award is None:
        return "not_awarded"
    if day < award.contract_start:
        return "not_started"
    return "active" if day <= award.contract_end else "ended"


# --- the award -----------------------------------------------------------------------


async def award(session: AsyncSession, actor: Actor, tender_id: int, bidder: str,
                contract_start: date, contract_end: date) -> TenderAward:
    """Record the award of a tender to one of its bidders (by KvK number, or by a name
    that is unique in the tender). The evaluation is fixed first if it was not yet (409
    `tender-open` before the deadline day)."""
    if contract_end < contract_start:
        raise InvalidInput([{"name": "contractEnd",
                             "reason": "Het einde van het contract ligt vóór het begin."}])
    tender = await tenders.get_for(session, actor, tender_id, bids=False, lock=True)
    if await _award_of(session, tender.id) is not None:
        raise Conflict("tender-already-awarded", "Deze aanbesteding is al gegund.")
    result = await tenders.evaluation(session, actor, tender_id, fix=True)
    row = _winner(result["ranking"], bidder)
    facts = {f["number"]: f for f in result["registerFacts"]}
    watched = _watched(row, facts)
    award = TenderAward(
        tender_id=tender.id, bidder=row["bidder"], kvk=row["kvk"], position=row["position"],
        rung=row["rung"], pso30plus=bool(row["pso30Plus"]), verified=bool(row["verified"]),
        price=Decimal(row["price"]), advantage=Decimal(row["advantage"]),
        penalty=Decimal(row["penaltyIfNotMaintained"]), certificates=watched,
        contract_start=contract_start, contract_end=contract_end, awarded_by=actor.name,
    )
    session.add(award)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:  # two awards at once: the unique tender_id decides
        raise Conflict("tender-already-awarded", "Deze aanbesteding is al gegund.") from None
    await record(session, actor, "tender.awarded", "tender", tender.id,
                 {"bidder": award.bidder, "kvk": award.kvk, "position": award.position,
                  "rung": award.rung, "penalty": str(award.penalty),
                  "contract_start": contract_start.isoformat(),
                  "contract_end": contract_end.isoformat(),
                  "certificates": [c["number"] for c in watched]})
    day = clock.today()
    if state_of(award, day) == "active":  # the first look, on the day of the award
        await check_award(session, award, day)
    return award


def _winner(ranking: list[dict[str, Any]], bidder: str) -> dict[str, Any]:
    key = bidder.strip()
    rows = [r for r in ranking if r["kvk"] == key]
    if not rows:
        rows = [r for r in ranking if r["bidder"].strip().casefold() == key.casefold()]
    if len(rows) == 1:
        return rows[0]
    reason = ("Meerdere inschrijvers hebben deze naam; geef het KvK-nummer." if rows
              else "Geen inschrijver van deze aanbesteding; geef het KvK-nummer van de "
              "winnende inschrijving.")
    raise InvalidInput([{"name": "bidder", "reason": reason}])


def _watched(row: dict[str, Any], facts: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The register certificates that carried the winning rung (verified ones only: a rung
    declared from another register cannot be watched here). A certificate carried a member
    when it covers the member's KvK (main applicant or a subsidiary it was issued for), the
    same test as the evaluation's (`Fact.belongs_to`)."""
    members = row.get("members") or [{
        "kvk": row["kvk"], "certificateNumber": row["certificateNumber"],
        "verified": row["verified"]}]
    covering = {number: fact_from_json(fact) for number, fact in facts.items()}
    watched: dict[str, dict[str, Any]] = {}
    for m in members:
        fact = covering.get(m.get("certificateNumber") or "")
        # pragma: no mutate: Eq_GtE (no status sorts after "valid")
        if fact and m.get("verified") and fact.status == "valid" and fact.belongs_to(m["kvk"]):
            watched.setdefault(fact.number, _watch(fact, m["kvk"]))
    if row.get("pso30Plus") and row.get("appliedFrom") == "pso30plus":
        for fact in covering.values():
            for m in members:
                # pragma: no mutate: Eq_GtE (nothing sorts after "pso30plus" or "valid")
                if (fact.kind == "pso30plus" and fact.status == "valid"
                        and fact.belongs_to(m["kvk"])):
                    watched.setdefault(fact.number, _watch(fact, m["kvk"]))
    return list(watched.values())


def _watch(fact: Fact, member_kvk: str) -> dict[str, Any]:
    """`kvk` is the certificate's main applicant; `coveredKvk` the winner (or member) whose
    rung it carried, which may be a subsidiary on the certificate."""
    return {"number": fact.number, "kvk": fact.kvk, "coveredKvk": member_kvk,
            "kind": fact.kind, "rung": fact.rung, "validUntil": fact.valid_until.isoformat()}


async def _award_of(session: AsyncSession, tender_id: int) -> TenderAward | None:
    return await session.scalar(select(TenderAward).where(TenderAward.tender_id == tender_id))


# --- one look --------------------------------------------------------------------------


async def check_award(session: AsyncSession, award: TenderAward,
                      day: date) -> tuple[ContractCheck, list[ContractEvent]]:
    """Look at the watched certificates on `day`: record the check, and each new event
    (with its mails and audit entry) in the caller's transaction. Returns the check and
    the events it recorded."""
    numbers = [c["number"] for c in award.certificates]
    facts = await facts_on(session, day, numbers)
    results: list[dict[str, Any]] = []
    new_events: list[ContractEvent] = []
    for watched in award.certificates:
        fact = facts.get(watched["number"])
        status = fact.status if fact is not None else "unknown"
        result = {"number": watched["number"], "kvk": watched["kvk"], "kind": watched["kind"],
                  "status": status, "ok": True, "note": ""}
        results.append(result)
        if status == "valid" and fact is not None:
            if (fact.valid_until < award.contract_end
                    and fact.valid_until <= add_months(day, WARN_MONTHS)):
                result["note"] = (f"Verloopt op {dutch_date(fact.valid_until)}, vóór het einde "
                                  f"van het contract ({dutch_date(award.contract_end)}).")
                event = await _event(session, award, day, "expiry_warning", watched,
                                     watched["rung"], result["note"], None)
                if event is not None:
                    new_events.append(event)
            continue
        if watched["kind"] == "ladder":
            best = await _best_ladder(session, watched.get("coveredKvk", watched["kvk"]), day)
            if best is not None and RUNGS.index(best[1]) >= RUNGS.index(award.rung):
                result["note"] = (f"{_kind_text(status).capitalize()}; de organisatie heeft nu "
                                  f"certificaat {best[0]} ({rung_label(best[1])}).")
                continue
            rung_now = best[1] if best is not None else "none"
        else:
            rung_now = "none"
        result["ok"] = False
        kind = "superseded" if status == "superseded" else (status if status in LOST
                                                            else "revoked")
        detail = _lost_detail(award, watched, status, rung_now, fact)
        result["note"] = detail
        event = await _event(session, award, day, kind, watched, rung_now, detail, award.penalty)
        if event is not None:
            new_events.append(event)
    # One check per day (unique award and day): a second look that day replaces the first.
    check = await session.scalar(select(ContractCheck).where(
        ContractCheck.award_id == award.id, ContractCheck.day == day))
    if check is None:
        check = ContractCheck(award_id=award.id, day=day)
        session.add(check)
    check.ok, check.results, check.created_at = all(r["ok"] for r in results), results, utcnow()
    await session.flush()
    if new_events:
        await _tell_buyer(session, award, new_events)
    return check, new_events


def _kind_text(status: str) -> str:
    return KIND_TEXT.get(status, status)


def _lost_detail(award: TenderAward, watched: dict[str, Any], status: str, rung_now: str,
                 fact: Any) -> str:
    what = {
        "suspended": "is geschorst",
        "revoked": "is ingetrokken",
        "expired": (f"is verlopen (geldig tot en met {dutch_date(fact.valid_until)})"
                    if fact is not None else "is verlopen"),
        "superseded": "is vervangen door een certificaat met een lagere trede",
        "unknown": "staat niet meer in het register",
    }.get(status, f"heeft de status {status}")
    now = rung_label(rung_now) if rung_now != "none" else "geen geldig certificaat"
    return (f"Certificaat {watched['number']} (KvK {watched['kvk']}) {what}. Gegund op "
            f"{rung_label(award.rung)}; nu: {now}. Boete bij niet handhaven: "
            f"{euro(award.penalty)}.")


async def _best_ladder(session: AsyncSession, kvk: str, day: date) -> tuple[str, str] | None:
    """(number, rung) of the best ladder certificate that covers `kvk` and is valid on `day`
    (a renewal that no longer names a subsidiary does not cover it)."""
    rows = (await session.execute(
        select(Certificate.number, Certificate.rung)
        .where(covers(kvk), Certificate.kind == "ladder", status_condition("valid", day)))).all()
    if not rows:
        return None
    number, rung = max(rows, key=lambda r: RUNGS.index(r[1]))
    return number, rung


async def _event(session: AsyncSession, award: TenderAward, day: date, kind: str,
                 watched: dict[str, Any], rung_now: str, detail: str,
                 penalty: Decimal | None) -> ContractEvent | None:
    """Record the event unless it was recorded before (once per certificate and kind)."""
    seen = await session.scalar(select(ContractEvent.id).where(
        ContractEvent.award_id == award.id, ContractEvent.certificate_number == watched["number"],
        ContractEvent.kind == kind))
    if seen is not None:
        return None
    event = ContractEvent(award_id=award.id, day=day, kind=kind, rung_won=award.rung,
                          certificate_number=watched["number"], kvk=watched["kvk"],
                          detail=detail[:500],  # pragma: no mutate: NumberReplacer (< 300 chars)
                          rung_now=rung_now, penalty=penalty, recipients=0)
    try:
        async with session.begin_nested():
            session.add(event)
            await session.flush()
    except IntegrityError:  # recorded by a concurrent look
        return None
    await record(session, SYSTEM, f"contract.{kind}", "tender", award.tender_id,
                 {"certificate": watched["number"], "kvk": watched["kvk"], "day": day.isoformat(),
                  "rung_won": award.rung, "rung_now": rung_now,
                  "penalty": str(penalty) if penalty is not None else None})
    return event


async def _tell_buyer(session: AsyncSession, award: TenderAward,
                      events: list[ContractEvent]) -> None:
    from pso.mail import public_url, queue_mail

    tender = await session.get(Tender, award.tender_id)
    assert tender is not None
    people = await party_recipients(session, tender.party_id)
    link = f"{public_url()}/inkoop/aanbestedingen/{tender.id}/bewaking"
    for event in events:
        warning = event.kind == "expiry_warning"
        for email, name in people:
            await queue_mail(session, to=email, template="contract_alert", context={
                "name": name, "tender": tender.title, "reference": tender.reference,
                "bidder": award.bidder, "kvk": award.kvk, "warning": warning,
                "kind_text": _kind_text(event.kind), "detail": event.detail,
                "certificate": event.certificate_number, "rung_won": award.rung,
                "penalty": award.penalty, "contract_end": award.contract_end,
                "monitoring_link": link,
            })
        event.recipients = len(people)
    await session.flush()


# --- the daily job ---------------------------------------------------------------------


async def running_awards(session_maker: async_sessionmaker[AsyncSession], day: date) -> list[int]:
    async with session_maker() as session:
        ids = await session.scalars(
            select(TenderAward.id)
            .where(TenderAward.contract_start <= day, TenderAward.contract_end >= day)
            .order_by(TenderAward.id))
        return list(ids)


async def run_checks(session_maker: async_sessionmaker[AsyncSession], day: date,
                     unit_done: Callable[[], Awaitable[None]] | None = None) -> dict[str, int]:
    """Check every contract running on `day`, one award per transaction."""
    counts = {"contracts": 0, "events": 0, "mails": 0}
    for award_id in await running_awards(session_maker, day):
        async with session_maker() as session, session.begin():
            award = await session.get(TenderAward, award_id)
            assert award is not None
            _, events = await check_award(session, award, day)
            counts["contracts"] += 1
            counts["events"] += len(events)
            counts["mails"] += sum(e.recipients for e in events)
        if unit_done is not None:
            await unit_done()
    return counts


# --- reading -------------------------------------------------------------------------


async def monitoring(session: AsyncSession, actor: Actor, tender_id: int,
                     *, checks_limit: int = 60) -> dict[str, Any]:
    """The award (or None), the state of the contract today, recent checks and all events."""
    tender = await tenders.get_for(session, actor, tender_id, bids=False)
    found = await _award_of(session, tender.id)
    day = clock.today()
    checks: list[ContractCheck] = []
    events: list[ContractEvent] = []
    if found is not None:
        checks = list(await session.scalars(
            select(ContractCheck).where(ContractCheck.award_id == found.id)
            .order_by(ContractCheck.id.desc()).limit(checks_limit)))
        events = list(await session.scalars(
            select(ContractEvent).where(ContractEvent.award_id == found.id)
            .order_by(ContractEvent.id)))
    return {"tender": tender, "award": found, "state": state_of(found, day), "today": day,
            "checks": checks, "events": events}


def _signature(check: ContractCheck) -> tuple[Any, ...]:
    return (check.ok, tuple((r["number"], r["status"], r["ok"], r.get("note", ""))
                            for r in check.results))


async def check_changes(session: AsyncSession, award_id: int, *, page: int = 1,
                        page_size: int = 20) -> tuple[list[ContractCheck], int]:
    """The checks that found something other than the day before (the first one included),
    newest first, one page of them, and how many there are. A contract of two years has
    730 checks; the buyer wants to see what changed."""
    changes: list[ContractCheck] = []
    previous = None
    for check in await session.scalars(select(ContractCheck).where(
            ContractCheck.award_id == award_id).order_by(ContractCheck.day)):
        if _signature(check) != previous:
            changes.append(check)
        previous = _signature(check)
    changes.reverse()
    start = (page - 1) * page_size
    return changes[start:start + page_size], len(changes)


async def overview(session: AsyncSession, tender_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per awarded tender: the award, the contract's state today, and its events (alerts
    with a penalty, expiry warnings), for the /inkoop overview in two queries."""
    if not tender_ids:
        return {}
    day = clock.today()
    awards = {a.id: a for a in await session.scalars(
        select(TenderAward).where(TenderAward.tender_id.in_(tender_ids)))}
    found: dict[int, dict[str, Any]] = {
        a.tender_id: {"award": a, "state": state_of(a, day), "alerts": [], "warnings": []}
        for a in awards.values()}
    if awards:
        for event in await session.scalars(select(ContractEvent).where(
                ContractEvent.award_id.in_(list(awards))).order_by(ContractEvent.id)):
            item = found[awards[event.award_id].tender_id]
            item["warnings" if event.kind == "expiry_warning" else "alerts"].append(event)
    return found

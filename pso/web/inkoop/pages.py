"""The /inkoop pages. Forms are named after the API's fields and checked by the API's own
models (TenderIn, BidCreateIn, AwardIn, SroiIn), so an error lands next to its input."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso import clock
from pso.errors import InvalidInput, ProblemError
from pso.http.downloads import file_download
from pso.procurement.evaluation import POLICY_KEYS
from pso.procurement.sroi import SroiRequest
from pso.schemas.base import parse
from pso.schemas.procurement import BidCreateIn, SroiIn, bid_from, policy_from
from pso.schemas.tenders import AwardIn, TenderIn
from pso.services import bid_import, monitoring, procurement, tender_exports, tenders
from pso.text.dutch_input import date_text, number_text
from pso.web.beheer.common import PAGE_SIZE, page_number, pager
from pso.web.forms import field_errors, field_id, posted
from pso.web.session import Page
from pso.web.tender import DECLARED, POLICY_LABELS

BID_FIELDS = ("bidder", "kvk", "price", "certificateNumber", "declaredRung", "consortium")
STATUS_TEXT = {"open": "Open voor inschrijvingen", "closed": "Gesloten, nog niet vastgesteld",
               "evaluated": "Beoordeling vastgesteld"}
STATE_TEXT = {"not_awarded": "Nog niet gegund", "not_started": "Contract nog niet begonnen",
              "active": "Contract loopt: dagelijkse controle", "ended": "Contract afgelopen"}
EVENT_TEXT = {"suspended": "Geschorst", "revoked": "Ingetrokken", "expired": "Verlopen",
              "superseded": "Vervangen door lagere trede",
              "expiry_warning": "Verloopt binnen het contract"}


async def _page(request: Request, db: AsyncSession) -> tuple[Page, Any]:
    page = await Page.load(request, db)
    return page, page.gate("procurement")


# --- the overview and a new tender -----------------------------------------------------


def _blank_tender() -> dict[str, Any]:
    return {"title": "", "reference": "", "deadline": "", "mode": "percentage",
            "values": dict.fromkeys(POLICY_KEYS, ""), "penaltyFactor": "1,5"}


async def _overview(page: Page, db: AsyncSession, *, form: dict[str, Any] | None = None,
                    errors: dict[str, list[str]] | None = None, status: int = 200) -> Template:
    assert page.actor is not None
    rows, total = await tenders.list_for(db, page.actor, page=1, page_size=100)
    day = clock.today()
    contracts = await monitoring.overview(db, [t.id for t, _ in rows])
    return page.render("web/inkoop/overview.html", status=status, context={
        "tenders": [{"t": t, "bids": n, "status": tenders.status_of(t, day),
                     "contract": contracts.get(t.id)} for t, n in rows],
        "event_text": EVENT_TEXT,
        "total": total, "status_text": STATUS_TEXT, "form": form or _blank_tender(),
        "errors": errors or {}, "fid": field_id, "policy_labels": POLICY_LABELS, "today": day,
    })


@get("/inkoop", include_in_schema=False)
async def overview(request: Request, db: AsyncSession) -> Template | Redirect:
    page, stop = await _page(request, db)
    return stop or await _overview(page, db)


@post("/inkoop/aanbestedingen", include_in_schema=False, status_code=200)
async def create_tender(request: Request, db: AsyncSession) -> Template | Redirect:
    page, form, stop = await posted(request, db, "procurement", "/inkoop")
    if stop:
        return stop
    typed = {"title": form.text("title"), "reference": form.text("reference"),
             "deadline": form.text("deadline"), "mode": form.text("policy.mode") or "percentage",
             "values": {k: form.text(f"policy.values.{k}") for k in POLICY_KEYS},
             "penaltyFactor": form.text("policy.penaltyFactor")}
    money = typed["mode"] == "amount"
    policy: dict[str, Any] = {"mode": typed["mode"], "values": {
        k: number_text(v, money=money) for k, v in typed["values"].items() if v}}
    if typed["penaltyFactor"]:
        policy["penaltyFactor"] = number_text(typed["penaltyFactor"])
    try:
        data: TenderIn = parse(TenderIn, {"title": typed["title"], "reference": typed["reference"],
                                          "deadline": date_text(typed["deadline"]),
                                          "policy": policy})
    except InvalidInput as exc:
        return await _overview(page, db, form=typed, errors=field_errors(exc), status=400)
    tender = await tenders.create(db, page.actor, title=data.title, reference=data.reference,
                                  deadline=data.deadline, policy=policy_from(data.policy))
    return page.redirect(f"/inkoop/aanbestedingen/{tender.id}",
                         f"Aanbesteding '{tender.title}' vastgelegd.")


# --- one tender ----------------------------------------------------------------------


def _blank_bid() -> dict[str, str]:
    return dict.fromkeys(BID_FIELDS, "")


async def _tender_page(page: Page, db: AsyncSession, tender_id: int, *,
                       bid: dict[str, str] | None = None,
                       errors: dict[str, list[str]] | None = None,
                       import_errors: list[str] | None = None,
                       award_form: dict[str, str] | None = None,
                       status: int = 200) -> Template:
    assert page.actor is not None
    # The award first: its lookup reloads the tender without its bids.
    watch = await monitoring.monitoring(db, page.actor, tender_id, checks_limit=1)
    tender = await tenders.get_for(db, page.actor, tender_id)
    bids = list(tender.bids)
    day = clock.today()
    result = await tenders.evaluation(db, page.actor, tender_id) if bids else None
    state = tenders.status_of(tender, day)
    default_end = (max(day, tender.deadline) + timedelta(days=365)).isoformat()
    return page.render("web/inkoop/tender.html", status=status, context={
        "t": tender, "bids": bids, "status": state, "status_text": STATUS_TEXT, "result": result,
        "bid": bid or _blank_bid(), "errors": errors or {}, "import_errors": import_errors or [],
        "fid": field_id, "declared": DECLARED, "policy_labels": POLICY_LABELS,
        "award": watch["award"], "watch_state": watch["state"], "state_text": STATE_TEXT,
        "events": watch["events"], "event_text": EVENT_TEXT, "today": day,
        "award_form": award_form or {
            "bidder": result["ranking"][0]["kvk"] if result and result["ranking"] else "",
            "contractStart": max(day, tender.deadline).isoformat(), "contractEnd": default_end},
        "can_award": state != "open" or day >= tender.deadline,
    })


async def _tender_or_back(page: Page, db: AsyncSession, tender_id: int,
                          **kw: Any) -> Template | Redirect:
    try:
        return await _tender_page(page, db, tender_id, **kw)
    except ProblemError as exc:
        if exc.status == 404:
            return page.redirect("/inkoop", exc.detail)
        raise


@get("/inkoop/aanbestedingen/{tender_id:int}", include_in_schema=False)
async def tender_page(request: Request, db: AsyncSession, tender_id: int) -> Template | Redirect:
    page, stop = await _page(request, db)
    return stop or await _tender_or_back(page, db, tender_id)


async def _refused(page: Page, db: AsyncSession, tender_id: int, exc: ProblemError,
                   **kw: Any) -> Template | Redirect:
    """A service's refusal, shown on the tender page (nothing of the request is kept)."""
    await db.rollback()
    if exc.status == 404:
        return page.redirect("/inkoop", exc.detail)
    return await _tender_or_back(page, db, tender_id, status=exc.status, **kw)


def _members(text: str) -> list[dict[str, str]]:
    members = []
    for line in text.replace("|", "\n").splitlines()[:50]:
        parts = line.replace(";", " ").replace(",", " ").split()
        if parts:
            member = {"kvk": parts[0]}
            if len(parts) > 1:
                member["certificateNumber"] = parts[1].upper()
            members.append(member)
    return members


@post("/inkoop/aanbestedingen/{tender_id:int}/inschrijvingen",
      include_in_schema=False, status_code=200)
async def add_bid(request: Request, db: AsyncSession, tender_id: int) -> Template | Redirect:
    target = f"/inkoop/aanbestedingen/{tender_id}"
    page, form, stop = await posted(request, db, "procurement", target)
    if stop:
        return stop
    typed = {f: form.text(f) for f in BID_FIELDS}
    typed["consortium"] = "\n".join(
        v.strip() for v in form.fields.get("consortium", []) if isinstance(v, str))[:2000]
    body: dict[str, Any] = {"bidder": typed["bidder"], "kvk": typed["kvk"],
                            "price": number_text(typed["price"], money=True)}
    if typed["certificateNumber"]:
        body["certificateNumber"] = typed["certificateNumber"].upper()
    if typed["declaredRung"]:
        body["declaredRung"] = typed["declaredRung"]
    if typed["consortium"]:
        body["consortium"] = _members(typed["consortium"])
    try:
        data: BidCreateIn = parse(BidCreateIn, body)
        row = await tenders.add_bid(db, page.actor, tender_id, bid_from(data))
    except InvalidInput as exc:
        errors = {k.split(".")[0].split("[")[0]: v for k, v in field_errors(exc).items()}
        return await _tender_or_back(page, db, tender_id, bid=typed, errors=errors, status=400)
    except ProblemError as exc:
        return await _refused(page, db, tender_id, exc, bid=typed, errors={"bid": [exc.detail]})
    return page.redirect(target + "#inschrijvingen",
                         f"Inschrijving {row.position} van {row.bidder} toegevoegd.")


@post("/inkoop/aanbestedingen/{tender_id:int}/import", include_in_schema=False, status_code=200)
async def import_bids(request: Request, db: AsyncSession, tender_id: int) -> Template | Redirect:
    target = f"/inkoop/aanbestedingen/{tender_id}"
    page, form, stop = await posted(request, db, "procurement", target)
    if stop:
        return stop
    upload = form.file("bestand")
    if upload is None:
        return await _tender_or_back(page, db, tender_id, status=400,
                                     import_errors=["Kies een CSV- of Excel-bestand."])
    raw = await upload.read(bid_import.MAX_BYTES + 1)
    found = await bid_import.read_bids_async(raw)
    if found.errors:
        return await _tender_or_back(page, db, tender_id, import_errors=found.errors, status=400)
    # All or nothing: a refused row (duplicate bidder, closed tender) adds none of them.
    for number, bid in found.bids:
        try:
            await tenders.add_bid(db, page.actor, tender_id, bid_from(bid))
        except ProblemError as exc:
            return await _refused(page, db, tender_id, exc,
                                  import_errors=[f"Regel {number}: {exc.detail}"])
    count = len(found.bids)
    return page.redirect(target + "#inschrijvingen",
                         f"{count} {'inschrijving' if count == 1 else 'inschrijvingen'} "
                         "uit het bestand toegevoegd.")


async def _download(request: Request, db: AsyncSession, tender_id: int,
                    fmt: str) -> Response[Any] | Template | Redirect:
    page, stop = await _page(request, db)
    if stop:
        return stop
    try:
        result = await tenders.evaluation(db, page.actor, tender_id)
        answer = file_download(*await tender_exports.export_file(result, fmt))
    except ProblemError as exc:
        if exc.status == 404:
            return page.redirect("/inkoop", exc.detail)
        return page.redirect(f"/inkoop/aanbestedingen/{tender_id}", f"Niet gelukt: {exc.detail}")
    return answer


@get("/inkoop/aanbestedingen/{tender_id:int}/beoordeling.csv", include_in_schema=False)
async def evaluation_csv(request: Request, db: AsyncSession,
                         tender_id: int) -> Response[Any] | Template | Redirect:
    return await _download(request, db, tender_id, "csv")


@get("/inkoop/aanbestedingen/{tender_id:int}/beoordeling.pdf", include_in_schema=False)
async def evaluation_pdf(request: Request, db: AsyncSession,
                         tender_id: int) -> Response[Any] | Template | Redirect:
    return await _download(request, db, tender_id, "pdf")


@post("/inkoop/aanbestedingen/{tender_id:int}/gunning", include_in_schema=False, status_code=200)
async def award(request: Request, db: AsyncSession, tender_id: int) -> Template | Redirect:
    target = f"/inkoop/aanbestedingen/{tender_id}"
    page, form, stop = await posted(request, db, "procurement", target)
    if stop:
        return stop
    typed = {k: form.text(k) for k in ("bidder", "contractStart", "contractEnd")}
    try:
        data: AwardIn = parse(AwardIn, {"bidder": typed["bidder"],
                                        "contractStart": date_text(typed["contractStart"]),
                                        "contractEnd": date_text(typed["contractEnd"])})
        done = await monitoring.award(db, page.actor, tender_id, data.bidder,
                                      data.contract_start, data.contract_end)
    except InvalidInput as exc:
        return await _tender_or_back(page, db, tender_id, award_form=typed, status=400,
                                     errors=field_errors(exc, lambda name: "award." + name))
    except ProblemError as exc:
        return await _refused(page, db, tender_id, exc, award_form=typed,
                              errors={"award": [exc.detail]})
    return page.redirect(target + "/bewaking",
                         f"Gegund aan {done.bidder}; de certificaten worden dagelijks "
                         "gecontroleerd zolang het contract loopt.")


@get("/inkoop/aanbestedingen/{tender_id:int}/bewaking", include_in_schema=False)
async def monitoring_page(request: Request, db: AsyncSession,
                          tender_id: int) -> Template | Redirect:
    page, stop = await _page(request, db)
    if stop:
        return stop
    try:
        watch = await monitoring.monitoring(db, page.actor, tender_id, checks_limit=1)
    except ProblemError as exc:
        return page.redirect("/inkoop", exc.detail)
    changes, total, paging = [], 0, None
    if watch["award"] is not None:
        number = page_number(request.query_params.get("page"))
        changes, total = await monitoring.check_changes(db, watch["award"].id, page=number,
                                                        page_size=PAGE_SIZE)
        paging = pager(f"/inkoop/aanbestedingen/{tender_id}/bewaking", {}, number, total)
    return page.render("web/inkoop/monitoring.html", {
        **watch, "t": watch["tender"], "state_text": STATE_TEXT, "event_text": EVENT_TEXT,
        "last_check": watch["checks"][0] if watch["checks"] else None, "changes": changes,
        "changes_total": total, "pager": paging})


# --- SROI ----------------------------------------------------------------------------

SROI_FIELDS = ("contractValue", "ratePct", "cap", "kvk", "certificateNumber", "declaredRung",
               "tenderDate", "contractEnd")


def _blank_sroi() -> dict[str, Any]:
    day = clock.today()
    return {"contractValue": "", "ratePct": "5", "cap": "", "kvk": "", "certificateNumber": "",
            "declaredRung": "", "tenderDate": day.isoformat(),
            "contractEnd": (day + timedelta(days=730)).isoformat(),
            "reductions": {"trede2": "100", "trede3": "100"}}


def _sroi_page(page: Page, form: dict[str, Any], *, result: Any = None,
               errors: dict[str, list[str]] | None = None, status: int = 200) -> Template:
    return page.render("web/inkoop/sroi.html", status=status, context={
        "form": form, "result": result, "errors": errors or {}, "fid": field_id,
        "declared": DECLARED})


@get("/inkoop/sroi", include_in_schema=False)
async def sroi_page(request: Request, db: AsyncSession) -> Template | Redirect:
    page, stop = await _page(request, db)
    return stop or _sroi_page(page, _blank_sroi())


@post("/inkoop/sroi", include_in_schema=False, status_code=200)
async def sroi_submit(request: Request, db: AsyncSession) -> Template | Redirect:
    page, form, stop = await posted(request, db, "procurement", "/inkoop/sroi")
    if stop:
        return stop
    typed: dict[str, Any] = {f: form.text(f) for f in SROI_FIELDS}
    typed["reductions"] = {r: form.text(f"reductions.{r}") for r in DECLARED}
    body: dict[str, Any] = {
        "contractValue": number_text(typed["contractValue"], money=True),
        "ratePct": number_text(typed["ratePct"]) or "5", "kvk": typed["kvk"],
        "tenderDate": date_text(typed["tenderDate"]),
        "contractEnd": date_text(typed["contractEnd"]),
        "reductions": {r: number_text(v) for r, v in typed["reductions"].items() if v},
    }
    for name in ("certificateNumber", "declaredRung"):
        if typed[name]:
            body[name] = typed[name].upper() if name == "certificateNumber" else typed[name]
    if typed["cap"]:
        body["cap"] = number_text(typed["cap"], money=True)
    try:
        data: SroiIn = parse(SroiIn, body)
    except InvalidInput as exc:
        return _sroi_page(page, typed, errors=field_errors(exc), status=400)
    result = await procurement.sroi(db, SroiRequest(
        contract_value=data.contract_value, kvk=data.kvk, tender_date=data.tender_date,
        contract_end=data.contract_end, rate_pct=data.rate_pct, cap=data.cap,
        reductions=dict(data.reductions), certificate_number=data.certificate_number,
        declared_rung=data.declared_rung))
    return _sroi_page(page, typed, result={"data": data, "r": result})


ROUTES = [overview, create_tender, tender_page, add_bid, import_bids, evaluation_csv,
          evaluation_pdf, award, monitoring_page, sroi_page, sroi_submit]

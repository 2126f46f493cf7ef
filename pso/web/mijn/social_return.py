"""/mijn/social-return: the contractor's contracts with social-return terms, the lines it
reported with their value and review, and a form to report one more (SPEC §8.2). The form is
checked by the API's LineIn and saved by the same service as the API."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.errors import InvalidInput, ProblemError
from pso.files.upload import MAX_UPLOAD_BYTES, UploadInvalid
from pso.http.downloads import attachment, file_download
from pso.schemas.base import parse
from pso.schemas.social_return import OPTIONAL, REQUIRED, LineIn
from pso.services import social_return
from pso.services import social_return_documents as evidence
from pso.services import social_return_import as importer
from pso.services import social_return_lines as lines
from pso.services.documents import MAX_BYTES
from pso.services.social_return_exports import settlement_file
from pso.services.social_return_settlement import settlement_of
from pso.text.dutch_input import date_text, number_text
from pso.web.forms import error_summary, field_errors, field_id
from pso.web.mijn.common import load, load_form

KINDS = {"placement": "Plaatsing", "apprenticeship": "Leerwerktraject",
         "work_experience": "Werkervaringsplek", "purchase": "Inkoop", "activity": "Activiteit"}
STATUS_TEXT = {"submitted": "Wacht op beoordeling", "accepted": "Geaccepteerd",
               "rejected": "Afgewezen"}
TEXT_FIELDS = ("kind", "block", "pseudonym", "start", "end", "hoursPerWeek", "hours",
               "description", "supplierName", "supplierKvk", "invoiceNumber", "invoiceDate",
               "amount")
LABELS = {"kind": "Soort", "block": "Bouwblok", "pseudonym": "Pseudoniem", "start": "Begin",
          "end": "Einde", "hoursPerWeek": "Uren per week", "bonuses": "Bonussen",
          "hours": "Uren", "description": "Omschrijving", "supplierName": "Leverancier",
          "supplierKvk": "KvK-nummer leverancier", "invoiceNumber": "Factuurnummer",
          "invoiceDate": "Factuurdatum", "amount": "Bedrag exclusief btw", "line": "Regel"}
MONEY = ("amount",)
DATES = ("start", "end", "invoiceDate")
NUMBERS = ("hoursPerWeek", "hours")


async def _render(mijn: Any, db: AsyncSession, *, form: dict[str, Any] | None = None,
                  tender_id: int | None = None, errors: dict[str, list[str]] | None = None,
                  file_errors: list[str] | None = None, status: int = 200,
                  evidence_errors: dict[int, list[str]] | None = None) -> Template:
    contracts = []
    for c in await lines.contracts_of_company(db, mijn.actor):
        found = lines.valued(c.terms, await lines.lines_of(db, c.tender.id))
        contracts.append({"c": c, "model": social_return.model_of(c.terms), "lines": found,
                          "sums": lines.totals(found),
                          "documents": await evidence.of_contract(db, mijn.actor, c.tender.id),
                          "settlement": await settlement_of(db, c.tender.id)})
    errors = errors or {}
    return mijn.render("web/mijn/social_return.html", status=status, context={
        "contracts": contracts, "kinds": KINDS, "status_text": STATUS_TEXT,
        "fids": {item["c"].tender.id: _fid(item["c"].tender.id) for item in contracts},
        "form": form or {"kind": "placement"}, "form_for": tender_id, "errors": errors,
        "file_errors": file_errors or [], "evidence_errors": evidence_errors or {},
        "columns": [m for m, _ in importer.COLUMNS.values()],
        "summary": error_summary(errors, lambda n: LABELS.get(n, n),
                                 anchor=_fid(tender_id or 0))})


def _fid(tender_id: int) -> Any:
    """Input ids per contract's form, so several forms on the page never share an id."""
    return lambda name: field_id(f"c{tender_id}.{name}")


@get("/mijn/social-return", include_in_schema=False)
async def contracts_page(request: Request, db: AsyncSession) -> Template | Redirect:
    mijn, stop = await load(request, db)
    return stop or await _render(mijn, db)


def _body(typed: dict[str, Any]) -> dict[str, Any]:
    kind = typed["kind"]
    wanted = {"block", *REQUIRED.get(kind, ()), *OPTIONAL.get(kind, ())}
    body: dict[str, Any] = {"kind": kind}
    for name in wanted:
        value = typed.get(name)
        if not value:
            continue
        if name in DATES:
            value = date_text(value)
        elif name in MONEY or name in NUMBERS:
            value = number_text(value, money=name in MONEY)
        body[name] = value
    return body


@post("/mijn/social-return/{tender_id:int}/regels", include_in_schema=False,
      status_code=200)
async def report_line(request: Request, db: AsyncSession,
                      tender_id: int) -> Template | Redirect:
    mijn, form, stop = await load_form(request, db)
    if stop:
        return stop
    page = mijn.page
    typed: dict[str, Any] = {f: form.text(f) for f in TEXT_FIELDS}
    typed["bonuses"] = [v for v in form.fields.get("bonuses", []) if isinstance(v, str)][:10]
    try:
        data: LineIn = parse(LineIn, _body(typed))
        row = await lines.report(db, page.actor, tender_id, data.model_dump(by_alias=False))
    except InvalidInput as exc:
        await db.rollback()
        return await _render(mijn, db, form=typed, tender_id=tender_id,
                             errors=field_errors(exc), status=400)
    except ProblemError as exc:
        await db.rollback()
        return page.redirect("/mijn/social-return", exc.detail)
    return page.redirect(f"/mijn/social-return#contract-{tender_id}",
                         f"Regel {row.id} gemeld; de inkoper beoordeelt hem.")


@post("/mijn/social-return/{tender_id:int}/bestand", include_in_schema=False,
      status_code=200)
async def import_file(request: Request, db: AsyncSession,
                      tender_id: int) -> Template | Redirect:
    """Lines from a CSV or Excel file: all or none, the errors per row and column as with the
    employee list."""
    mijn, form, stop = await load_form(request, db)
    if stop:
        return stop
    page = mijn.page
    file = form.file("file")
    if file is None:
        return await _render(mijn, db, tender_id=tender_id, status=400,
                             file_errors=["Kies een CSV- of Excel-bestand."])
    try:
        rows = await importer.import_lines(db, page.actor, tender_id,
                                           await file.read(MAX_UPLOAD_BYTES + 1))
    except UploadInvalid as exc:
        await db.rollback()
        found = [f"{e.name[0].upper()}{e.name[1:]}: {e.reason}" for e in exc.errors]
        if exc.total > len(exc.errors):
            found.append(f"En nog {exc.total - len(exc.errors)} fout(en).")
        return await _render(mijn, db, tender_id=tender_id, file_errors=found, status=400)
    except ProblemError as exc:
        await db.rollback()
        return page.redirect("/mijn/social-return", exc.detail)
    return page.redirect(f"/mijn/social-return#contract-{tender_id}",
                         f"{len(rows)} regel(s) ingelezen; de inkoper beoordeelt ze.")


@post("/mijn/social-return/{tender_id:int}/regels/{line_id:int}/bewijs",
      include_in_schema=False, status_code=200)
async def add_evidence(request: Request, db: AsyncSession, tender_id: int,
                       line_id: int) -> Template | Redirect:
    """An evidence document on a line that waits for review (checked as the API checks it)."""
    mijn, form, stop = await load_form(request, db)
    if stop:
        return stop
    file = form.file("file")
    try:
        if file is None:
            raise InvalidInput([{"name": "file", "reason": "Kies een bestand."}])
        view = await evidence.add(db, mijn.page.actor, tender_id, line_id, file.filename,
                                  await file.read(MAX_BYTES + 1))
    except ProblemError as exc:
        await db.rollback()
        if exc.status == 404:
            return mijn.page.redirect("/mijn/social-return", exc.detail)
        reasons = [p["reason"] for p in exc.invalid_params or []] or [exc.detail]
        return await _render(mijn, db, tender_id=tender_id, status=exc.status,
                             evidence_errors={line_id: reasons})
    return mijn.page.redirect(f"/mijn/social-return#regel-{line_id}",
                              f"Bewijsstuk {view.file_name} toegevoegd aan regel {line_id}.")


@get("/mijn/social-return/{tender_id:int}/regels/{line_id:int}/bewijs/{document_id:int}",
     include_in_schema=False)
async def evidence_file(request: Request, db: AsyncSession, tender_id: int, line_id: int,
                        document_id: int) -> Response[bytes] | Template | Redirect:
    mijn, stop = await load(request, db)
    if stop:
        return stop
    try:
        view, data = await evidence.read(db, mijn.actor, tender_id, line_id, document_id)
    except ProblemError as exc:
        return mijn.page.redirect("/mijn/social-return", exc.detail)
    return attachment(view, data)


async def _settlement(request: Request, db: AsyncSession, tender_id: int,
                      fmt: Literal["pdf", "csv"]) -> Response[bytes] | Template | Redirect:
    mijn, stop = await load(request, db)
    if stop:
        return stop
    try:
        answer = file_download(*await settlement_file(db, mijn.actor, tender_id, fmt))
    except ProblemError as exc:
        return mijn.page.redirect("/mijn/social-return", exc.detail)
    return answer


@get("/mijn/social-return/{tender_id:int}/eindverantwoording.pdf", include_in_schema=False)
async def settlement_pdf(request: Request, db: AsyncSession,
                         tender_id: int) -> Response[bytes] | Template | Redirect:
    return await _settlement(request, db, tender_id, "pdf")


@get("/mijn/social-return/{tender_id:int}/eindverantwoording.csv", include_in_schema=False)
async def settlement_csv(request: Request, db: AsyncSession,
                         tender_id: int) -> Response[bytes] | Template | Redirect:
    return await _settlement(request, db, tender_id, "csv")


ROUTES = [contracts_page, report_line, import_file, add_evidence, evidence_file,
          settlement_pdf, settlement_csv]

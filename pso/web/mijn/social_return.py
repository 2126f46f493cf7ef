"""/mijn/social-return: the contractor's contracts with social-return terms, the lines it
reported with their value and review, and a form to report one more (SPEC §8.2). The form is
checked by the API's LineIn and saved by the same service as the API."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from pso.errors import InvalidInput, ProblemError
from pso.files.upload import MAX_UPLOAD_BYTES, UploadInvalid
from pso.schemas.base import parse
from pso.schemas.social_return import OPTIONAL, REQUIRED, LineIn
from pso.services import social_return
from pso.services import social_return_import as importer
from pso.services import social_return_lines as lines
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
                  file_errors: list[str] | None = None, status: int = 200) -> Template:
    contracts = []
    for c in await lines.contracts_of_company(db, mijn.actor):
        found = lines.valued(c.terms, await lines.lines_of(db, c.tender.id))
        contracts.append({"c": c, "model": social_return.model_of(c.terms), "lines": found,
                          "sums": lines.totals(found)})
    errors = errors or {}
    return mijn.render("web/mijn/social_return.html", status=status, context={
        "contracts": contracts, "kinds": KINDS, "status_text": STATUS_TEXT,
        "fids": {item["c"].tender.id: _fid(item["c"].tender.id) for item in contracts},
        "form": form or {"kind": "placement"}, "form_for": tender_id, "errors": errors,
        "file_errors": file_errors or [], "columns": [m for m, _ in importer.COLUMNS.values()],
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


ROUTES = [contracts_page, report_line, import_file]
